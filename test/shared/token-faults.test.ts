/**
 * The token path in bad weather (docs/tokens.md, "What failures cost"): a fault matrix run as a fleet
 * — 50 containers sharing SSM (moto_server) and WeCom (the sandbox) — and for one container in local
 * mode (createRuntime: static credentials, memory store). It counts WeCom calls and the waits the
 * providers scheduled; a clock the test moves stands for time, so nothing here is timed.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { describeError } from '#shared/error-mapping.ts';
import { createRuntime } from '#shared/runtime.ts';
import { DEFAULT_BACKOFF, DEFAULT_CREDENTIAL_RECHECK_MS } from '#shared/token/failure-memory.ts';
import { DEFAULT_LEASE } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { motoAvailable, putStageParameters, useMoto } from '#test/support/moto.ts';
import { type Answer, type Container, everyoneReads, startContainer } from './fleet-support.ts';
import { FakeClock, silenceLogs } from './helpers.ts';

const PREFIX = '/wecom-contact/faults';
const FLEET_SIZE = 50;
const LIFETIME_MS = 7_200_000;
const BUSY = { kind: 'errcode', errcode: -1 } as const;

const gettokens = (sandbox: Sandbox) => sandbox.counters().gettoken ?? 0;
const statuses = (answers: readonly Answer[]) => new Set(answers.map((answer) => answer.status));

/**
 * The most gettoken calls the fleet's backoff allows in `windowMs`: one at the start, then one per
 * step, each step at least half its cap (the jitter's lower bound).
 */
function backoffSteps(windowMs: number): number {
  let calls = 1;
  for (let step = 0, elapsed = 0; ; step++) {
    elapsed += Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.baseMs * 2 ** step) / 2;
    if (elapsed > windowMs) return calls;
    calls++;
  }
}

let restoreLogs: () => void;
beforeAll(async () => {
  restoreLogs = await silenceLogs();
  if (process.env.TOKEN_DEBUG) (await import('#shared/observability.ts')).logger.setLogLevel('INFO');
});
afterAll(() => restoreLogs());

describe.skipIf(!motoAvailable())(`a fleet of ${FLEET_SIZE} containers when gettoken fails`, () => {
  const moto = useMoto();
  const clock = new FakeClock();
  let sandbox: Sandbox;
  let members: Container[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo', clock: clock.read });
  });
  beforeEach(() => {
    sandbox.configure({ tokenMode: 'same-token' });
  });
  afterEach(async () => {
    sandbox.clearFaults();
    await Promise.all(members.splice(0).map((member) => member.close()));
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  async function startFleet(secret = sandbox.contactSecret): Promise<Container[]> {
    await putStageParameters(moto, PREFIX, { corpId: sandbox.corpId, contactSecret: secret });
    members = Array.from({ length: FLEET_SIZE }, (_, index) =>
      startContainer({ moto, sandbox, prefix: PREFIX, clock: clock.read, index, countWaits: true }),
    );
    return members;
  }

  /** A warm fleet whose token has just expired. */
  async function expiredFleet(): Promise<Container[]> {
    const fleet = await startFleet();
    expect(statuses(await everyoneReads(fleet))).toEqual(new Set([200]));
    clock.advance(LIFETIME_MS + 1_000);
    sandbox.resetCounters();
    return fleet;
  }

  it('wrong secret, 50 containers × 20 requests: ≤ 2 gettoken, every request a 502 naming the secret; fixed in SSM, served after the re-read interval', async () => {
    const fleet = await startFleet('a-wrong-secret');
    sandbox.resetCounters();
    const answers: Answer[] = [];
    for (let request = 0; request < 20; request++) {
      answers.push(...(await everyoneReads(fleet)));
      clock.advance(1_000);
    }
    expect(answers).toHaveLength(FLEET_SIZE * 20);
    expect(statuses(answers)).toEqual(new Set([502]));
    expect(answers.every((answer) => /secret/.test(answer.message ?? ''))).toBe(true);
    expect(gettokens(sandbox)).toBeLessThanOrEqual(2);

    // The operator puts the right secret; each container re-reads it once the interval has passed.
    await putStageParameters(moto, PREFIX, sandbox);
    clock.advance(DEFAULT_CREDENTIAL_RECHECK_MS);
    sandbox.resetCounters();
    expect(statuses(await everyoneReads(fleet))).toEqual(new Set([200]));
    expect(gettokens(sandbox)).toBeLessThanOrEqual(2);
  });

  it('gettoken −1 for 30 s under steady load: ≤ 1 gettoken per backoff step, 503 + Retry-After without waiting on the lease, served again within one step', async () => {
    const fleet = await expiredFleet();
    const outageMs = 30_000;
    const tickMs = 1_000;
    sandbox.injectFault('gettoken', BUSY, 100_000);
    const outageStarted = clock.now;
    let stepAtRecovery = 0;
    let recoveredAt: number | undefined;
    let waitedBefore = fleet.map((member) => member.waitedMs());
    for (let tick = 0; recoveredAt === undefined && tick < 100; tick++) {
      if (clock.now - outageStarted >= outageMs && stepAtRecovery === 0) {
        sandbox.clearFaults(); // WeCom is back
        stepAtRecovery = await backoffLeft();
      }
      const before = gettokens(sandbox);
      const answers = await everyoneReads(fleet);
      expect(gettokens(sandbox) - before).toBeLessThanOrEqual(1);
      // Every request answered at once: 200 or 503 with a Retry-After, and no wait for a lease to expire.
      const failed = answers.filter((answer) => answer.status !== 200);
      expect(failed.every((answer) => answer.status === 503 && (answer.retryAfterSeconds ?? 0) >= 1)).toBe(
        true,
      );
      const waited = fleet.map((member) => member.waitedMs());
      expect(Math.max(...waited.map((ms, index) => ms - (waitedBefore[index] ?? 0)))).toBeLessThan(
        DEFAULT_LEASE.ttlMs / 4,
      );
      waitedBefore = waited;
      if (failed.length === 0) recoveredAt = clock.now;
      clock.advance(tickMs);
    }
    const outageCalls = backoffSteps(outageMs);
    expect(gettokens(sandbox)).toBeLessThanOrEqual(outageCalls + 1);
    expect(gettokens(sandbox)).toBeGreaterThanOrEqual(3); // it did keep trying
    expect(recoveredAt).toBeDefined();
    expect((recoveredAt ?? 0) - (outageStarted + outageMs)).toBeLessThanOrEqual(stepAtRecovery + tickMs);
  }, 180_000);

  /** How long the fleet's current backoff still runs (ms), from its record in SSM. */
  async function backoffLeft(): Promise<number> {
    const ssm = new SSMClient(moto.clientConfig());
    try {
      const { lease } = await new SsmTokenStore({ ssm, prefix: PREFIX }).read('contact');
      return Math.max(0, (lease?.failure ? lease.expiresAt : clock.now) - clock.now);
    } finally {
      ssm.destroy();
    }
  }

  it('token revoked, then gettoken −1 once: 503, then 200 on the next request; never 502', async () => {
    const fleet = await startFleet();
    expect(statuses(await everyoneReads(fleet))).toEqual(new Set([200]));
    sandbox.revokeTokens();
    sandbox.injectFault('gettoken', BUSY, 1);
    sandbox.resetCounters();

    const first = await everyoneReads(fleet);
    expect(statuses(first)).toEqual(new Set([503]));
    expect(gettokens(sandbox)).toBe(1);

    clock.advance(DEFAULT_BACKOFF.baseMs); // past the first backoff step
    expect(statuses(await everyoneReads(fleet))).toEqual(new Set([200]));
    expect(gettokens(sandbox)).toBeLessThanOrEqual(3);
  });

  it('the holder fails and releases: its followers stop waiting at once, not after the lease TTL', async () => {
    const fleet = await expiredFleet();
    sandbox.injectFault('gettoken', BUSY, 1);
    const answers = await everyoneReads(fleet);
    expect(statuses(answers)).toEqual(new Set([503]));
    expect(gettokens(sandbox)).toBe(1);
    // Followers polled until the holder's failure showed: far less than one lease.
    expect(Math.max(...fleet.map((member) => member.waitedMs()))).toBeLessThan(DEFAULT_LEASE.ttlMs / 4);
  });
});

describe('one container in local mode when gettoken fails', () => {
  const clock = new FakeClock();
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo', clock: clock.read });
  });
  afterEach(() => {
    sandbox.clearFaults();
    sandbox.resetCounters();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  const local = (secret = sandbox.contactSecret) =>
    createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: secret },
      clock: clock.read,
    });
  const read = async (runtime: ReturnType<typeof local>): Promise<Answer> =>
    runtime.client.call('user/get', { userid: 'zhangsan' }, { credential: 'contact', idempotent: true }).then(
      () => ({ status: 200 }),
      (error: unknown) => describeError(error, 'user-get'),
    );

  it('a wrong WECOM_SECRET: 11 requests, 1 gettoken, 11 × 502 naming the secret', async () => {
    const runtime = local('a-wrong-secret');
    const answers: Answer[] = [];
    for (let request = 0; request < 11; request++) {
      answers.push(await read(runtime));
      clock.advance(DEFAULT_CREDENTIAL_RECHECK_MS); // re-reading a static secret changes nothing
    }
    expect(statuses(answers)).toEqual(new Set([502]));
    expect(answers.every((answer) => /secret/.test(answer.message ?? ''))).toBe(true);
    expect(gettokens(sandbox)).toBe(1);
  });

  it('gettoken −1 on every try: one request → one gettoken (no nested retries), then 503 + Retry-After at once', async () => {
    const runtime = local();
    sandbox.injectFault('gettoken', BUSY, 1_000);
    expect(await read(runtime)).toMatchObject({ status: 503 });
    expect(gettokens(sandbox)).toBe(1);
    for (let request = 0; request < 10; request++) {
      expect(await read(runtime)).toMatchObject({ status: 503, retryAfterSeconds: expect.any(Number) });
    }
    expect(gettokens(sandbox)).toBe(1);
    sandbox.clearFaults();
    clock.advance(DEFAULT_BACKOFF.baseMs);
    expect(await read(runtime)).toEqual({ status: 200 });
    expect(gettokens(sandbox)).toBe(2);
  });

  it('token revoked, then gettoken −1 once: 503, then 200; never 502', async () => {
    const runtime = local();
    expect(await read(runtime)).toEqual({ status: 200 });
    sandbox.revokeTokens();
    sandbox.injectFault('gettoken', BUSY, 1);
    expect(await read(runtime)).toMatchObject({ status: 503 });
    clock.advance(DEFAULT_BACKOFF.baseMs);
    expect(await read(runtime)).toEqual({ status: 200 });
  });
});
