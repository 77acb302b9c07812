/**
 * The warm path, in this process: the user-get function itself (functions/user-get.ts with the runtime
 * Lambda builds from its environment: secret and token read from SSM once, then cached) answering API
 * Gateway v2 events, against
 *  - one raw undici request to the same sandbox endpoint (latency, and throughput at concurrency 32);
 *  - the naive handler (bench/naive-handler.ts: SSM + gettoken on every request).
 * WeCom is the sandbox in its own process, as WeCom is a remote server.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { Agent, request } from 'undici';
import { createLambdaContext } from '#local/lambda-context.ts';
import type { OperationHandler } from '#shared/handler.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { type BenchFixture, STAGE_PREFIX } from '../fixture.ts';
import { createNaiveHandler } from '../naive-handler.ts';
import type { BenchPlan } from '../plan.ts';
import { startStep } from '../progress.ts';
import { interleaved, latencies, median, throughput } from '../stats.ts';

export interface WarmResults {
  readonly latency: { readonly handlerMs: number; readonly rawMs: number };
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

const invocations = (count: number): Invocation[] =>
  Array.from({ length: count }, () => ({
    event: routeEvent('user-get', { pathParameters: { userid: USERID } }),
    context: createLambdaContext({ functionName: 'user-get' }),
  }));

function expectOk(statusCode: number | undefined, what: string): void {
  if (statusCode !== 200) throw new Error(`${what} answered ${statusCode}, not 200`);
}

export async function measureWarm(fixture: BenchFixture, plan: BenchPlan): Promise<WarmResults> {
  // The function builds its runtime from the environment on its first invocation, as in Lambda.
  Object.assign(process.env, fixture.lambdaEnvironment);
  const { handler } = (await import('../../functions/user-get.ts')) as { handler: OperationHandler };
  const rawAgent = new Agent();
  const naiveAgent = new Agent();
  const ssm = new SSMClient(fixture.moto.clientConfig());
  const naive = createNaiveHandler({ ssm, prefix: STAGE_PREFIX, baseUrl: fixture.sandbox.info.url, dispatcher: naiveAgent });
  const rawUrl = fixture.userGetUrl(USERID);

  /** A call that takes its invocation from a list prepared before the clock starts. */
  const viaHandler = (prepared: Invocation[]): Call => async (index) => {
    const { event, context } = prepared[index % prepared.length] as Invocation;
    const result = (await handler(event, context)) as { statusCode?: number };
    expectOk(result.statusCode, 'the user-get handler');
  };
  const viaUndici: Call = async () => {
    const { statusCode, body } = await request(rawUrl, { dispatcher: rawAgent });
    await body.text();
    expectOk(statusCode, 'the raw request');
  };
  const viaNaive = (prepared: Invocation[]): Call => async (index) => {
    const { event } = prepared[index % prepared.length] as Invocation;
    expectOk((await naive(event)).statusCode, 'the naive handler');
  };

  try {
    const warmUp = startStep('warm-up', 3 * plan.warmUpCalls);
    for (const call of [viaHandler(invocations(plan.warmUpCalls)), viaUndici, viaNaive(invocations(1))]) {
      await latencies(plan.warmUpCalls, async (index) => {
        await call(index);
        warmUp.advance();
      });
    }
    warmUp.done('handler, raw undici and naive handler warm');

    const blocks = plan.latencyCalls / plan.latencyBlock;
    const latencyStep = startStep('warm latency (sequential)', 2 * plan.latencyCalls);
    const timed = await interleaved(
      blocks,
      () => latencies(plan.latencyBlock, counted(viaUndici, latencyStep)),
      async () => {
        const call = viaHandler(invocations(plan.latencyBlock));
        return latencies(plan.latencyBlock, counted(call, latencyStep));
      },
    );
    const latency = { handlerMs: median(timed.subject.flat()), rawMs: median(timed.baseline.flat()) };
    latencyStep.done(`median ${latency.handlerMs.toFixed(3)} ms vs raw ${latency.rawMs.toFixed(3)} ms`);

    const throughputStep = startStep(`throughput (concurrency ${plan.concurrency})`, 2 * plan.throughputRounds * plan.throughputRequests);
    const rates = await interleaved(
      plan.throughputRounds,
      () => throughput(plan.throughputRequests, plan.concurrency, counted(viaUndici, throughputStep)),
      async () => {
        const call = viaHandler(invocations(plan.throughputRequests));
        return throughput(plan.throughputRequests, plan.concurrency, counted(call, throughputStep));
      },
    );
    const rps = { handlerRps: median(rates.subject), rawRps: median(rates.baseline) };
    throughputStep.done(`median ${rps.handlerRps.toFixed(0)} req/s vs raw ${rps.rawRps.toFixed(0)} req/s`);

    const naiveBlock = Math.min(plan.latencyBlock, plan.naiveCalls);
    const naiveStep = startStep('naive handler vs ours (sequential)', 2 * plan.naiveCalls);
    const naiveTimed = await interleaved(
      plan.naiveCalls / naiveBlock,
      () => latencies(naiveBlock, counted(viaNaive(invocations(naiveBlock)), naiveStep)),
      () => latencies(naiveBlock, counted(viaHandler(invocations(naiveBlock)), naiveStep)),
    );
    const naiveResult = { naiveMs: median(naiveTimed.baseline.flat()), handlerMs: median(naiveTimed.subject.flat()) };
    naiveStep.done(`median ${naiveResult.naiveMs.toFixed(3)} ms vs ours ${naiveResult.handlerMs.toFixed(3)} ms`);

    return { latency, throughput: rps, naive: naiveResult };
  } finally {
    ssm.destroy();
    await Promise.all([rawAgent.close(), naiveAgent.close()]);
  }
}

/** `call`, advancing the progress counter after each completion. */
function counted(call: Call, step: { advance(): void }): Call {
  return async (index) => {
    await call(index);
    step.advance();
  };
}
