/**
 * The built bundles in the Lambda layout, each run by bench/lambda/driver.mjs in a fresh Node process
 * (the same Node binary for the subject and its baseline):
 *  - cold start: spawn → one event answered → exit, for the user-get function (layer + bundle; its
 *    secret and cached token read from SSM) against the baseline function (undici, one request);
 *  - peak RSS: one process serving many warm invocations of user-get.
 */
import { fileURLToPath } from 'node:url';
import { routeEvent } from '#test/functions/support/events.ts';
import type { BenchFixture } from '../fixture.ts';
import type { LambdaLayout } from '../lambda-layout.ts';
import type { LambdaNode } from '../machine.ts';
import type { BenchPlan } from '../plan.ts';
import { type CompletedProcess, runNode } from '../processes.ts';
import { startStep } from '../progress.ts';
import { interleaved, median } from '../stats.ts';

const DRIVER = fileURLToPath(new URL('../lambda/driver.mjs', import.meta.url));
const COLD_START_TIMEOUT_MS = 30_000;
const WARM_RUN_TIMEOUT_MS = 120_000;
const USERID = 'zhangsan';
/** The driver reports progress every this many invocations. */
const PROGRESS_EVERY = 1_000;

interface DriverSummary {
  readonly statuses: Record<string, number>;
  readonly maxRssKb: number;
}

export interface ColdStartResult {
  readonly subjectMs: number;
  readonly baselineMs: number;
}

export interface PeakRssResult {
  readonly peakRssMb: number;
  /** The baseline function serving as many requests: what this Node needs for undici alone. */
  readonly baselinePeakRssMb: number;
  readonly requests: number;
}

/** What a function process gets: Lambda's variables for this layout, nothing of this shell's. */
function functionEnvironment(
  layout: LambdaLayout,
  variables: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: layout.nodePath,
    BENCH_EVENT: JSON.stringify(routeEvent('user-get', { pathParameters: { userid: USERID } })),
    ...variables,
  };
}

function summaryOf(run: CompletedProcess, what: string, invocations: number): DriverSummary {
  const summary = run.messages.find((message): message is DriverSummary => {
    return typeof message === 'object' && message !== null && 'statuses' in message;
  });
  if (run.exitCode !== 0 || summary === undefined) throw new Error(`${what} exited with ${run.exitCode}`);
  if (summary.statuses['200'] !== invocations) {
    throw new Error(`${what} answered ${JSON.stringify(summary.statuses)}, expected ${invocations} × 200`);
  }
  return summary;
}

export async function measureColdStart(
  layout: LambdaLayout,
  fixture: BenchFixture,
  node: LambdaNode,
  plan: BenchPlan,
): Promise<ColdStartResult> {
  const subject = {
    dir: layout.functionDir('user-get'),
    env: functionEnvironment(layout, fixture.lambdaEnvironment),
  };
  const baseline = {
    dir: layout.baselineDir,
    env: functionEnvironment(layout, { BENCH_TARGET_URL: fixture.userGetUrl(USERID) }),
  };
  const step = startStep('cold starts (fresh processes)', 2 * (plan.coldStarts + 1));
  const coldStart = async ({ dir, env }: typeof subject, what: string) => {
    const run = await runNode(node.path, [...layout.nodeArguments, DRIVER, dir, '1'], {
      env,
      timeoutMs: COLD_START_TIMEOUT_MS,
    });
    summaryOf(run, what, 1);
    step.advance();
    return run.elapsedMs;
  };
  // One untimed start each first: the files are then in the page cache for both sides alike.
  await coldStart(baseline, 'the baseline function');
  await coldStart(subject, 'the user-get function');
  const times = await interleaved(
    plan.coldStarts,
    () => coldStart(baseline, 'the baseline function'),
    () => coldStart(subject, 'the user-get function'),
  );
  const result = { subjectMs: median(times.subject), baselineMs: median(times.baseline) };
  step.done(`median ${result.subjectMs.toFixed(0)} ms vs undici alone ${result.baselineMs.toFixed(0)} ms`);
  return result;
}

export async function measurePeakRss(
  layout: LambdaLayout,
  fixture: BenchFixture,
  node: LambdaNode,
  plan: BenchPlan,
): Promise<PeakRssResult> {
  const step = startStep('peak RSS of a warm container (user-get, then the baseline)', 2 * plan.rssRequests);
  const peakRssMb = async (dir: string, env: NodeJS.ProcessEnv, what: string) => {
    const run = await runNode(node.path, [...layout.nodeArguments, DRIVER, dir, String(plan.rssRequests)], {
      env,
      timeoutMs: WARM_RUN_TIMEOUT_MS,
      onMessage: (message) => {
        if (typeof message === 'object' && message !== null && 'progress' in message)
          step.advance(PROGRESS_EVERY);
      },
    });
    step.advance(plan.rssRequests % PROGRESS_EVERY || PROGRESS_EVERY);
    return summaryOf(run, what, plan.rssRequests).maxRssKb / 1024;
  };
  const subject = await peakRssMb(
    layout.functionDir('user-get'),
    functionEnvironment(layout, fixture.lambdaEnvironment),
    'the user-get function',
  );
  const baseline = await peakRssMb(
    layout.baselineDir,
    functionEnvironment(layout, { BENCH_TARGET_URL: fixture.userGetUrl(USERID) }),
    'the baseline function',
  );
  step.done(
    `${subject.toFixed(1)} MiB (undici alone: ${baseline.toFixed(1)} MiB) after ${plan.rssRequests} invocations`,
  );
  return { peakRssMb: subject, baselinePeakRssMb: baseline, requests: plan.rssRequests };
}
