/**
 * `npm start`'s server (startLocalApi with its embedded sandbox, in a process of its own) against the
 * sandbox alone (also in its own process): requests per second at concurrency 32 over loopback, for
 * the same member read — GET /users/{userid} through the local API, the raw WeCom call to the sandbox.
 */
import { Pool } from 'undici';
import type { BenchFixture } from '../fixture.ts';
import type { BenchPlan } from '../plan.ts';
import { startServerProcess } from '../processes.ts';
import { startStep } from '../progress.ts';
import { interleaved, median, throughput } from '../stats.ts';

export interface LocalApiResult {
  readonly localApiRps: number;
  readonly sandboxRps: number;
}

const USERID = 'zhangsan';

export async function measureLocalApi(fixture: BenchFixture, plan: BenchPlan): Promise<LocalApiResult> {
  const step = startStep(
    `local API vs sandbox (concurrency ${plan.concurrency})`,
    2 * plan.throughputRounds * plan.throughputRequests,
  );
  const localApi = await startServerProcess('local-api');
  const toLocalApi = new Pool(localApi.info.url, { connections: plan.concurrency });
  const toSandbox = new Pool(fixture.sandbox.info.url, { connections: plan.concurrency });
  const sandboxPath = new URL(fixture.userGetUrl(USERID));
  const get = (pool: Pool, path: string) => async () => {
    const { statusCode, body } = await pool.request({ method: 'GET', path });
    await body.dump();
    if (statusCode !== 200) throw new Error(`GET ${path.split('?')[0]} answered ${statusCode}`);
  };
  const counted = (call: () => Promise<void>) => async () => {
    await call();
    step.advance();
  };
  try {
    const viaLocalApi = get(toLocalApi, `/users/${USERID}`);
    const viaSandbox = get(toSandbox, `${sandboxPath.pathname}${sandboxPath.search}`);
    // Both servers warm (JIT, the local API's token, connections) before the clock runs.
    await throughput(plan.warmUpCalls, plan.concurrency, () => Promise.all([viaLocalApi(), viaSandbox()]));
    const rates = await interleaved(plan.throughputRounds, {
      sandbox: () => throughput(plan.throughputRequests, plan.concurrency, counted(viaSandbox)),
      localApi: () => throughput(plan.throughputRequests, plan.concurrency, counted(viaLocalApi)),
    });
    const result = { localApiRps: median(rates.localApi), sandboxRps: median(rates.sandbox) };
    step.done(
      `median ${result.localApiRps.toFixed(0)} req/s vs sandbox ${result.sandboxRps.toFixed(0)} req/s`,
    );
    return result;
  } finally {
    await Promise.all([toLocalApi.close(), toSandbox.close()]);
    await localApi.stop();
  }
}
