/**
 * The warm path, in this process: the user-get function itself (its generated entry's handler, with the runtime
 * Lambda builds from its environment: secret and token read from SSM once, then cached) answering API
 * Gateway v2 events, against
 *  - one raw undici request to the same sandbox endpoint (latency, and throughput at concurrency 32);
 *  - the naive handler (bench/naive-handler.ts: SSM + gettoken on every request);
 *  - the conventional function (bench/conventional/: middy, Powertools parameters, native fetch), for
 *    the sequential latency.
 * WeCom is the sandbox in its own process, as WeCom is a remote server.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Agent, request } from 'undici';
import { createLambdaContext } from '#local/lambda-context.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { type BenchFixture, STAGE_PREFIX } from '../fixture.ts';
import { createNaiveHandler } from '../naive-handler.ts';
import type { BenchPlan } from '../plan.ts';
import { type ProgressStep, startStep } from '../progress.ts';
import { interleaved, latencies, median, throughput } from '../stats.ts';

export interface WarmResults {
  readonly latency: { readonly handlerMs: number; readonly rawMs: number; readonly conventionalMs: number };
  readonly throughput: { readonly handlerRps: number; readonly rawRps: number };
  readonly naive: { readonly naiveMs: number; readonly handlerMs: number };
}

const USERID = 'zhangsan';

type Call = (index: number) => Promise<void>;

/** One invocation of a handler with a new event and context, as Lambda makes them. */
interface Invocation {
  readonly event: APIGatewayProxyEventV2;
  readonly context: Context;
}

/** Invocations prepared before the clock starts, so that only the handler is timed. */
const invocations = (count: number): Invocation[] =>
  Array.from({ length: count }, () => ({
    event: routeEvent('user-get', { pathParameters: { userid: USERID } }),
    context: createLambdaContext({ functionName: 'user-get' }),
  }));

/** The three ways of reading one member that this module compares. */
interface Contestants {
  /** The user-get function, taking its invocations from `prepared`. */
  handler(prepared: readonly Invocation[]): Call;
  raw: Call;
  naive(prepared: readonly Invocation[]): Call;
  conventional(prepared: readonly Invocation[]): Call;
  close(): Promise<void>;
}

function expectOk(statusCode: number | undefined, what: string): void {
  if (statusCode !== 200) throw new Error(`${what} answered ${statusCode}, not 200`);
}

const pick = (prepared: readonly Invocation[], index: number) =>
  prepared[index % prepared.length] as Invocation;

async function contestants(fixture: BenchFixture): Promise<Contestants> {
  // The function builds its runtime from the environment on its first invocation, as in Lambda.
  Object.assign(process.env, fixture.lambdaEnvironment, fixture.conventionalEnvironment);
  const { createOperationHandler } = await import('@wecom-contact/layer');
  const handler = createOperationHandler('user-get');
  const conventional = (await import('../conventional/function.ts')).handler;
  const rawAgent = new Agent();
  const naiveAgent = new Agent();
  const ssm = new SSMClient(fixture.moto.clientConfig());
  const naive = createNaiveHandler({
    ssm,
    prefix: STAGE_PREFIX,
    baseUrl: fixture.sandbox.info.url,
    dispatcher: naiveAgent,
  });
  const rawUrl = fixture.userGetUrl(USERID);
  return {
    handler: (prepared) => async (index) => {
      const { event, context } = pick(prepared, index);
      const result = (await handler(event, context)) as { statusCode?: number };
      expectOk(result.statusCode, 'the user-get handler');
    },
    raw: async () => {
      const { statusCode, body } = await request(rawUrl, { dispatcher: rawAgent });
      await body.text();
      expectOk(statusCode, 'the raw request');
    },
    conventional: (prepared) => async (index) => {
      const { event, context } = pick(prepared, index);
      expectOk((await conventional(event, context)).statusCode, 'the conventional function');
    },
    naive: (prepared) => async (index) => {
      expectOk((await naive(pick(prepared, index).event)).statusCode, 'the naive handler');
    },
    close: async () => {
      ssm.destroy();
      await Promise.all([rawAgent.close(), naiveAgent.close()]);
    },
  };
}

/** `call`, advancing the progress counter after each completion. */
function counted(call: Call, step: ProgressStep): Call {
  return async (index) => {
    await call(index);
    step.advance();
  };
}

/** Long enough for V8 to optimise the handler's whole chain: its first few hundred calls run slower. */
async function warmUp(contestant: Contestants, plan: BenchPlan): Promise<void> {
  const naiveCalls = Math.ceil(plan.warmUpCalls / 10);
  const step = startStep('warm-up', 3 * plan.warmUpCalls + naiveCalls);
  await latencies(plan.warmUpCalls, counted(contestant.handler(invocations(plan.warmUpCalls)), step));
  await latencies(plan.warmUpCalls, counted(contestant.conventional(invocations(plan.warmUpCalls)), step));
  await latencies(plan.warmUpCalls, counted(contestant.raw, step));
  await latencies(naiveCalls, counted(contestant.naive(invocations(1)), step));
  step.done('handler, conventional function, raw undici and naive handler warm');
}

async function sequentialLatency(contestant: Contestants, plan: BenchPlan): Promise<WarmResults['latency']> {
  const step = startStep('warm latency (sequential)', 3 * plan.latencyCalls);
  const block = plan.latencyBlock;
  const timed = await interleaved(plan.latencyCalls / block, {
    raw: () => latencies(block, counted(contestant.raw, step)),
    handler: () => latencies(block, counted(contestant.handler(invocations(block)), step)),
    conventional: () => latencies(block, counted(contestant.conventional(invocations(block)), step)),
  });
  const result = {
    handlerMs: median(timed.handler.flat()),
    rawMs: median(timed.raw.flat()),
    conventionalMs: median(timed.conventional.flat()),
  };
  step.done(
    `median ${result.handlerMs.toFixed(3)} ms vs raw ${result.rawMs.toFixed(3)} ms, conventional ${result.conventionalMs.toFixed(3)} ms`,
  );
  return result;
}

async function concurrentThroughput(
  contestant: Contestants,
  plan: BenchPlan,
): Promise<WarmResults['throughput']> {
  const { throughputRequests: requests, concurrency } = plan;
  const step = startStep(`throughput (concurrency ${concurrency})`, 2 * plan.throughputRounds * requests);
  const rates = await interleaved(plan.throughputRounds, {
    raw: () => throughput(requests, concurrency, counted(contestant.raw, step)),
    handler: () =>
      throughput(requests, concurrency, counted(contestant.handler(invocations(requests)), step)),
  });
  const result = { handlerRps: median(rates.handler), rawRps: median(rates.raw) };
  step.done(`median ${result.handlerRps.toFixed(0)} req/s vs raw ${result.rawRps.toFixed(0)} req/s`);
  return result;
}

async function againstNaive(contestant: Contestants, plan: BenchPlan): Promise<WarmResults['naive']> {
  const block = Math.min(plan.latencyBlock, plan.naiveCalls);
  const step = startStep('naive handler vs ours (sequential)', 2 * plan.naiveCalls);
  const timed = await interleaved(plan.naiveCalls / block, {
    naive: () => latencies(block, counted(contestant.naive(invocations(block)), step)),
    handler: () => latencies(block, counted(contestant.handler(invocations(block)), step)),
  });
  const result = { naiveMs: median(timed.naive.flat()), handlerMs: median(timed.handler.flat()) };
  step.done(`median ${result.naiveMs.toFixed(3)} ms vs ours ${result.handlerMs.toFixed(3)} ms`);
  return result;
}

export async function measureWarm(fixture: BenchFixture, plan: BenchPlan): Promise<WarmResults> {
  const contestant = await contestants(fixture);
  try {
    await warmUp(contestant, plan);
    return {
      latency: await sequentialLatency(contestant, plan),
      throughput: await concurrentThroughput(contestant, plan),
      naive: await againstNaive(contestant, plan),
    };
  } finally {
    await contestant.close();
  }
}
