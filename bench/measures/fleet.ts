/**
 * The token cache across a fleet (docs/tokens.md), counted rather than timed. Each "container" is a
 * runtime of its own (token provider, SSM client, undici agent) built with the layer's createRuntime;
 * they share moto_server as SSM and one sandbox as WeCom, and a clock the benchmark moves forward (the
 * sandbox runs in this process so that it follows the same clock).
 *  - herd: N containers, warm, all meet an expired token at the same moment.
 *  - SSM reads: one warm container serving requests spread evenly over token lifetimes, next to the
 *    container that refreshes the fleet's token; its token reads divided by the lifetimes.
 *  - the conventional herd: N cold containers of the conventional function (bench/conventional/), each
 *    with its own Powertools provider and token cache: its gettoken and SSM calls.
 *  - outage: N containers under steady load (every container one read per second of the clock) meet
 *    an expired token while gettoken answers −1 for 30 s; gettoken calls during the outage.
 *  - bad secret: N containers configured with a wrong secret make 20 reads each; gettoken calls.
 */

import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Agent } from 'undici';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { createRuntime, type LayerRuntime } from '#shared/runtime.ts';
import { parameterNames } from '#shared/stage-names.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { createConventionalHandler } from '../conventional/handler.ts';
import type { BenchFixture } from '../fixture.ts';
import type { BenchPlan } from '../plan.ts';
import { startStep } from '../progress.ts';

const TOKEN_LIFETIME_MS = 7_200_000;

export interface HerdResult {
  readonly gettokenCalls: number;
  readonly failed: number;
  /** gettoken calls of the same fleet starting cold (for the record). */
  readonly coldGettokenCalls: number;
}

export interface ConventionalHerdResult {
  readonly gettokenCalls: number;
  readonly ssmCalls: number;
  readonly failed: number;
}

export interface SsmReadsResult {
  readonly readsPerLifetime: number;
  readonly reads: number;
  readonly lifetimes: number;
}

/** A clock the benchmark moves: real time plus an offset. */
class MovableClock {
  #offsetMs = 0;
  readonly now = () => Date.now() + this.#offsetMs;
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

interface Container {
  readonly runtime: LayerRuntime;
  /** Reads of the token parameter so far. */
  tokenReads(): number;
  close(): Promise<void>;
}

interface Fleet {
  readonly sandbox: Sandbox;
  readonly clock: MovableClock;
  start(count: number, secret?: string): Container[];
  close(): Promise<void>;
}

async function startFleet(fixture: BenchFixture, prefix: string): Promise<Fleet> {
  const clock = new MovableClock();
  const sandbox = await startSandbox({ seed: 'demo', clock: clock.now });
  const tokenParameter = parameterNames(prefix).token('contact');
  const containers: Container[] = [];

  const startContainer = (secret = sandbox.contactSecret): Container => {
    const ssm = new SSMClient(fixture.moto.clientConfig());
    let tokenReads = 0;
    ssm.middlewareStack.add(
      (next, context) => (args) => {
        // The token record is read with its lease in one GetParameters.
        const input = args.input as { Name?: string; Names?: string[] };
        const names = context.commandName === 'GetParametersCommand' ? (input.Names ?? []) : [input.Name];
        if (names.includes(tokenParameter)) tokenReads++;
        return next(args);
      },
      { step: 'initialize', name: 'countTokenReads' },
    );
    const dispatcher = new Agent();
    const runtime = createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: secret },
      store: new SsmTokenStore({ ssm, prefix }),
      dispatcher,
      clock: clock.now,
    });
    const container = {
      runtime,
      tokenReads: () => tokenReads,
      close: async () => {
        ssm.destroy();
        await dispatcher.close();
      },
    };
    containers.push(container);
    return container;
  };

  return {
    sandbox,
    clock,
    start: (count, secret) => Array.from({ length: count }, () => startContainer(secret)),
    close: async () => {
      await Promise.all(containers.map((container) => container.close()));
      await sandbox.stop();
    },
  };
}

/** Every container reads one member at the same moment; how many calls failed. */
async function everyoneReads(containers: readonly Container[]): Promise<number> {
  return (await everyoneReadsSettled(containers)).filter((result) => result.status === 'rejected').length;
}

function everyoneReadsSettled(containers: readonly Container[]) {
  return Promise.allSettled(
    containers.map(({ runtime }) =>
      runtime.client.call('user/get', { userid: 'zhangsan' }, { credential: 'contact', idempotent: true }),
    ),
  );
}

export async function measureHerd(fixture: BenchFixture, plan: BenchPlan): Promise<HerdResult> {
  const step = startStep(`herd of ${plan.herdSize} containers`, 2);
  const fleet = await startFleet(fixture, '/wecom-contact/bench-herd');
  try {
    const containers = fleet.start(plan.herdSize);
    const coldFailed = await everyoneReads(containers);
    if (coldFailed > 0) throw new Error(`${coldFailed} containers failed their first call`);
    const coldGettokenCalls = fleet.sandbox.counters().gettoken ?? 0;
    step.advance();

    fleet.clock.advance(TOKEN_LIFETIME_MS + 1_000);
    fleet.sandbox.resetCounters();
    const failed = await everyoneReads(containers);
    const gettokenCalls = fleet.sandbox.counters().gettoken ?? 0;
    step.advance();
    step.done(`${gettokenCalls} gettoken, ${failed} failed (cold fleet: ${coldGettokenCalls} gettoken)`);
    return { gettokenCalls, failed, coldGettokenCalls };
  } finally {
    await fleet.close();
  }
}

export async function measureSsmReads(fixture: BenchFixture, plan: BenchPlan): Promise<SsmReadsResult> {
  const requests = plan.lifetimes * plan.requestsPerLifetime;
  // One lifetime first, not counted: a new stage's first token has no history yet (its cold read and
  // the same-token re-issue that teaches the fleet to keep tokens to expiry), and this measures the
  // warm path.
  const step = startStep('SSM reads over token lifetimes', requests + plan.requestsPerLifetime);
  const fleet = await startFleet(fixture, '/wecom-contact/bench-reads');
  try {
    const [refresher, warm] = fleet.start(2) as [Container, Container];
    const interval = TOKEN_LIFETIME_MS / plan.requestsPerLifetime;
    const serve = async (count: number) => {
      for (let index = 0; index < count; index++) {
        // The fleet's other container goes first, so the measured one never has to refresh itself.
        for (const container of [refresher, warm]) {
          if ((await everyoneReads([container])) > 0)
            throw new Error('a call failed while counting SSM reads');
        }
        fleet.clock.advance(interval);
        step.advance();
      }
    };
    await serve(plan.requestsPerLifetime);
    const readsBefore = warm.tokenReads();
    await serve(requests);
    const reads = warm.tokenReads() - readsBefore;
    const result = { readsPerLifetime: reads / plan.lifetimes, reads, lifetimes: plan.lifetimes };
    step.done(`${reads} token reads in ${plan.lifetimes} lifetimes (${requests} requests)`);
    return result;
  } finally {
    await fleet.close();
  }
}

/** SSM calls made by `ssm` so far (every command, as the conventional provider makes them). */
function countCalls(ssm: SSMClient): () => number {
  let calls = 0;
  ssm.middlewareStack.add(
    (next) => (args) => {
      calls++;
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return () => calls;
}

export async function measureConventionalHerd(
  fixture: BenchFixture,
  plan: BenchPlan,
): Promise<ConventionalHerdResult> {
  const step = startStep(`conventional herd of ${plan.herdSize} cold containers`, 1);
  const sandbox = await startSandbox({ seed: 'demo' });
  const setup = new SSMClient(fixture.moto.clientConfig());
  const clients: SSMClient[] = [];
  try {
    const names = parameterNames('/wecom-contact/bench-conventional');
    const put = (Name: string, Value: string, Type: 'String' | 'SecureString') =>
      setup.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
    await put(names.corpId, sandbox.corpId, 'String');
    await put(names.secret('contact'), sandbox.contactSecret, 'SecureString');
    const event = routeEvent('user-get', { pathParameters: { userid: 'zhangsan' } });
    const containers = Array.from({ length: plan.herdSize }, () => {
      const ssm = new SSMClient(fixture.moto.clientConfig());
      clients.push(ssm);
      const provider = new SSMProvider({ awsSdkV3Client: ssm });
      const handler = createConventionalHandler({
        readParameter: (name, decrypt) => provider.get(name, { decrypt }),
        corpIdParameter: names.corpId,
        secretParameter: names.secret('contact'),
        baseUrl: sandbox.url,
      });
      return { handler, ssmCalls: countCalls(ssm) };
    });
    sandbox.resetCounters();
    const results = await Promise.allSettled(
      containers.map(({ handler }) =>
        handler(structuredClone(event) as APIGatewayProxyEventV2, {} as Context),
      ),
    );
    const failed = results.filter(
      (result) => result.status === 'rejected' || result.value.statusCode !== 200,
    ).length;
    const result = {
      gettokenCalls: sandbox.counters().gettoken ?? 0,
      ssmCalls: containers.reduce((total, { ssmCalls }) => total + ssmCalls(), 0),
      failed,
    };
    step.advance();
    step.done(`${result.gettokenCalls} gettoken, ${result.ssmCalls} SSM calls, ${failed} failed`);
    return result;
  } finally {
    setup.destroy();
    for (const client of clients) client.destroy();
    await sandbox.stop();
  }
}

export interface OutageResult {
  /** gettoken calls while WeCom answered −1. */
  readonly gettokenCalls: number;
  readonly outageMs: number;
  /** Requests answered during the outage (none of them waited on a lease), and how many failed. */
  readonly requests: number;
  readonly failed: number;
  /** From WeCom's return to the first round in which every container was served (clock ms). */
  readonly recoveryMs: number;
}

const OUTAGE_MS = 30_000;
const OUTAGE_TICK_MS = 1_000;

export async function measureOutage(fixture: BenchFixture, plan: BenchPlan): Promise<OutageResult> {
  const ticks = OUTAGE_MS / OUTAGE_TICK_MS;
  const step = startStep(`gettoken −1 for 30 s under ${plan.herdSize} containers`, ticks);
  const fleet = await startFleet(fixture, '/wecom-contact/bench-outage');
  try {
    const containers = fleet.start(plan.herdSize);
    if ((await everyoneReads(containers)) > 0) throw new Error('a container failed before the outage');
    fleet.clock.advance(TOKEN_LIFETIME_MS + 1_000);
    fleet.sandbox.resetCounters();
    fleet.sandbox.injectFault('gettoken', { kind: 'errcode', errcode: -1 }, 1_000_000);
    // The clock runs with real time too: each round moves it to the next whole second, so that the
    // outage lasts 30 s of the fleet's clock however long the rounds take here.
    const started = fleet.clock.now();
    let failed = 0;
    let requests = 0;
    for (let tick = 1; fleet.clock.now() - started < OUTAGE_MS; tick++) {
      failed += await everyoneReads(containers);
      requests += containers.length;
      fleet.clock.advance(Math.max(0, started + tick * OUTAGE_TICK_MS - fleet.clock.now()));
      step.advance();
    }
    const gettokenCalls = fleet.sandbox.counters().gettoken ?? 0;
    fleet.sandbox.clearFaults();
    const back = fleet.clock.now();
    while ((await everyoneReads(containers)) > 0) fleet.clock.advance(OUTAGE_TICK_MS);
    // (Each failed round moves the clock a second: recovery is measured to within that second.)
    const recoveryMs = fleet.clock.now() - back;
    step.done(
      `${gettokenCalls} gettoken in 30 s, ${failed}/${requests} requests answered 503; served again ${recoveryMs / 1000} s after WeCom was back`,
    );
    return { gettokenCalls, outageMs: OUTAGE_MS, requests, failed, recoveryMs };
  } finally {
    await fleet.close();
  }
}

export interface BadSecretResult {
  readonly gettokenCalls: number;
  readonly requests: number;
  /** Requests answered with WeCom's 40001 (a 502 telling the operator to fix the secret). */
  readonly refused: number;
}

const BAD_SECRET_REQUESTS = 20;

export async function measureBadSecret(fixture: BenchFixture, plan: BenchPlan): Promise<BadSecretResult> {
  const step = startStep(`a wrong secret in ${plan.herdSize} containers`, BAD_SECRET_REQUESTS);
  const fleet = await startFleet(fixture, '/wecom-contact/bench-bad-secret');
  try {
    const containers = fleet.start(plan.herdSize, 'a-wrong-secret');
    let refused = 0;
    for (let request = 0; request < BAD_SECRET_REQUESTS; request++) {
      const results = await everyoneReadsSettled(containers);
      refused += results.filter(
        (result) =>
          result.status === 'rejected' && (result.reason as { errcode?: unknown }).errcode === 40001,
      ).length;
      fleet.clock.advance(OUTAGE_TICK_MS);
      step.advance();
    }
    const gettokenCalls = fleet.sandbox.counters().gettoken ?? 0;
    const requests = BAD_SECRET_REQUESTS * plan.herdSize;
    step.done(`${gettokenCalls} gettoken for ${requests} requests (${refused} answered 40001)`);
    return { gettokenCalls, requests, refused };
  } finally {
    await fleet.close();
  }
}
