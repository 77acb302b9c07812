/**
 * Fleet simulation (counts, not times): N containers — each with its own SSM client, token provider,
 * undici agent and WeCom client — share one SSM (moto_server) and one WeCom (the sandbox), and a clock
 * the test moves. Design bar (docs/tokens.md): with N = 50 meeting an expired token at once, gettoken
 * ≤ 2 and zero failed calls, also while SSM throttles and while a dead container holds the lease; SSM
 * reads ≤ 1 per container per token lifetime on the warm path.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import type { LeaseSettings } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { motoAvailable, putStageParameters, useMoto } from '#test/support/moto.ts';
import { type Container, everyoneReads, startContainer } from './fleet-support.ts';
import { FakeClock, silenceLogs } from './helpers.ts';

const PREFIX = '/wecom-contact/fleet';
const FLEET_SIZE = 50;
const LIFETIME_MS = 7_200_000;

describe.skipIf(!motoAvailable())('a fleet of containers sharing SSM and WeCom', () => {
  const moto = useMoto();
  const clock = new FakeClock();
  let sandbox: Sandbox;
  let restoreLogs: () => void;
  const containers: Container[] = [];

  beforeAll(async () => {
    restoreLogs = await silenceLogs();
    sandbox = await startSandbox({ seed: 'demo', clock: clock.read });
  });
  afterEach(async () => {
    await Promise.all(containers.splice(0).map((container) => container.close()));
  });
  afterAll(async () => {
    await sandbox.stop();
    restoreLogs();
  });

  interface FleetOptions {
    /** Default: the test's clock. */
    clock?: () => number;
    lease?: Partial<LeaseSettings>;
    throttle?: (call: number) => boolean;
  }

  async function fleet(size: number, options: FleetOptions = {}): Promise<Container[]> {
    await putStageParameters(moto, PREFIX, sandbox);
    const started = Array.from({ length: size }, (_, index) =>
      startContainer({
        ...options,
        moto,
        sandbox,
        prefix: PREFIX,
        clock: options.clock ?? clock.read,
        index,
      }),
    );
    containers.push(...started);
    return started;
  }

  /** Every container makes one call at the same moment; the number that failed. */
  async function everyoneCalls(members: readonly Container[]): Promise<number> {
    return (await everyoneReads(members)).filter((answer) => answer.status !== 200).length;
  }

  const gettokens = () => sandbox.counters().gettoken ?? 0;

  it(`${FLEET_SIZE} containers meeting an expired token at once: gettoken ≤ 2, no failed call`, async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    const members = await fleet(FLEET_SIZE);
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(gettokens()).toBeLessThanOrEqual(2); // a cold fleet, too

    clock.advance(LIFETIME_MS + 1_000);
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(gettokens()).toBeGreaterThanOrEqual(1);
    expect(gettokens()).toBeLessThanOrEqual(2);
  });

  it(`${FLEET_SIZE} containers whose token WeCom revoked early: gettoken ≤ 2, no failed call`, async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    const members = await fleet(FLEET_SIZE);
    expect(await everyoneCalls(members)).toBe(0);

    sandbox.revokeTokens();
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(gettokens()).toBeLessThanOrEqual(2);
  });

  it(`${FLEET_SIZE} containers meeting an expired token while SSM throttles every other read and write`, async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    let throttling = false;
    let metered = 0;
    const everyOther = (call: number) => throttling && call % 2 === 0 && ++metered > 0;
    const members = await fleet(FLEET_SIZE, { throttle: everyOther });
    expect(await everyoneCalls(members)).toBe(0);

    clock.advance(LIFETIME_MS + 1_000);
    throttling = true;
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(metered).toBeGreaterThan(FLEET_SIZE); // the throttle did meet the herd
    expect(gettokens()).toBeLessThanOrEqual(2);
  });

  it('a dead container holding the lease: the others wait it out, one takes over, no failed call', async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    // Real time passes on this fleet's clock, so that the dead holder's short lease runs out.
    const startedAt = Date.now();
    const running = () => clock.now + (Date.now() - startedAt);
    const ttlMs = 5_000;
    const members = await fleet(20, { clock: running, lease: { ttlMs } });
    expect(await everyoneCalls(members)).toBe(0);

    clock.advance(LIFETIME_MS + 1_000);
    const ssm = new SSMClient(moto.clientConfig());
    const lease = { holder: 'dead-container', expiresAt: running() + ttlMs };
    await new SsmTokenStore({ ssm, prefix: PREFIX }).acquireLease('contact', lease, running(), 'any');
    ssm.destroy();
    sandbox.resetCounters();
    // WeCom takes a moment to answer: containers that stop waiting together would all call it.
    sandbox.injectFault('gettoken', { kind: 'delay', ms: 400 }, members.length);

    try {
      expect(await everyoneCalls(members)).toBe(0);
    } finally {
      sandbox.clearFaults();
    }
    expect(gettokens()).toBe(1);
  });

  /**
   * The UNVERIFIED variant of the same-token rule (docs/wecom.md): a re-issued token answers the full
   * `expires_in`, so the refresh a margin early stores the same token with an expiry ~2 h too late and
   * keeps it to that. Every container then meets 42001 at the real expiry, once, and compare-and-refresh
   * must still get the fleet a new token with one or two gettoken.
   */
  it(`re-issue answering the full lifetime, tokens kept to expiry: gettoken ≤ 2 per expiry, no failed call`, async () => {
    sandbox.configure({ tokenMode: 'same-token', reissuedExpiresIn: 'lifetime' });
    try {
      sandbox.revokeTokens(); // a token of its own, issued now
      const members = await fleet(FLEET_SIZE);
      expect(await everyoneCalls(members)).toBe(0);
      for (let lifetime = 0; lifetime < 2; lifetime++) {
        clock.advance(LIFETIME_MS - 10_000); // inside the refresh margin
        sandbox.resetCounters();
        expect(await everyoneCalls(members)).toBe(0);
        expect(gettokens()).toBeLessThanOrEqual(2);

        clock.advance(10_000 + 1_000); // past the token's real expiry
        sandbox.resetCounters();
        expect(await everyoneCalls(members)).toBe(0);
        expect(gettokens()).toBeGreaterThanOrEqual(1);
        expect(gettokens()).toBeLessThanOrEqual(2);
      }
    } finally {
      sandbox.configure({ reissuedExpiresIn: 'remaining' });
    }
  });

  it(`rotate mode (a new token per gettoken): no failed call, cold, expired or revoked`, async () => {
    sandbox.configure({ tokenMode: 'rotate' });
    const members = await fleet(FLEET_SIZE);
    expect(await everyoneCalls(members)).toBe(0);
    clock.advance(LIFETIME_MS + 1_000);
    expect(await everyoneCalls(members)).toBe(0);
    sandbox.revokeTokens();
    expect(await everyoneCalls(members)).toBe(0);
    expect(await everyoneCalls(members)).toBe(0);
  });

  /**
   * Requests spread evenly over each lifetime, a step shorter than the refresh margin (30 s), the
   * fleet's other container first at each step (like bench/measures/fleet.ts). The fleet's first
   * lifetime costs one read more: its first token had no history, so it is refreshed a margin early,
   * which is where WeCom hands it back and the fleet learns to keep tokens to their expiry.
   */
  it('a warm container reads SSM once per token lifetime (after the fleet’s first)', async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    const [refresher, warm] = await fleet(2);
    if (!refresher || !warm) throw new Error('fleet not started');
    const lifetimes = 4;
    const steps = 360; // one every 20 s
    const readsPerLifetime: number[] = [];
    for (let lifetime = 0; lifetime < lifetimes; lifetime++) {
      const before = warm.reads();
      for (let step = 0; step < steps; step++) {
        expect(await everyoneCalls([refresher])).toBe(0);
        expect(await everyoneCalls([warm])).toBe(0);
        clock.advance(LIFETIME_MS / steps);
      }
      readsPerLifetime.push(warm.reads() - before);
    }
    expect(readsPerLifetime).toEqual([2, 1, 1, 1]);
  });
});
