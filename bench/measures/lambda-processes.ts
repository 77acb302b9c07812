/**
 * The built bundles in the Lambda layout, each run by bench/lambda/driver.mjs in a fresh Node process
 * (one Node binary for the subject and its baseline alike):
 *  - cold start: spawn → one event answered → exit, for the user-get function (layer + bundle; its
 *    secret and cached token read from SSM) against the baseline function (undici, one request);
 *    measured with both launches of bench/lambda-layout.ts, interleaved;
 *  - peak RSS: one process serving many warm invocations, subject then baseline (linked launch).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { routeEvent } from '#test/functions/support/events.ts';
import { lambdaVariables } from '#test/layout/lambda-layout.ts';
import type { BenchFixture } from '../fixture.ts';
import type { LambdaLayout, Launch } from '../lambda-layout.ts';
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

/** Medians in ms, spawn to exit. */
export interface ColdStartTimes {
  readonly subjectMs: number;
  readonly baselineMs: number;
}

export interface ColdStartResult {
  /** As the Lambda layout test runs the bundles: with its resolve hook (bench/lambda-layout.ts says how). */
  readonly hooked: ColdStartTimes;
  /** Node's own resolution through a node_modules link: no hook. */
  readonly linked: ColdStartTimes;
}

export interface PeakRssResult {
  readonly peakRssMb: number;
  /** The baseline function serving as many requests: what this Node needs for undici alone. */
  readonly baselinePeakRssMb: number;
  readonly requests: number;
}

/** One side of a comparison: a function folder, how to launch it, and its environment. */
interface Side {
  readonly what: string;
  readonly launch: Launch;
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** What a function process gets: Lambda's variables for this layout, nothing of this shell's. */
function functionEnvironment(
  layout: LambdaLayout,
  dir: string,
  variables: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv {
  return {
    ...lambdaVariables(layout, path.basename(dir), dir),
    BENCH_EVENT: JSON.stringify(routeEvent('user-get', { pathParameters: { userid: USERID } })),
    ...variables,
  };
}

function sides(
  layout: LambdaLayout,
  fixture: BenchFixture,
  launch: Launch,
): { subject: Side; baseline: Side } {
  return {
    subject: {
      what: `the user-get function (${launch.name})`,
      launch,
      dir: launch.userGetDir,
      env: functionEnvironment(layout, launch.userGetDir, fixture.lambdaEnvironment),
    },
    baseline: {
      what: `the baseline function (${launch.name})`,
      launch,
      dir: launch.baselineDir,
      env: functionEnvironment(layout, launch.baselineDir, { BENCH_TARGET_URL: fixture.userGetUrl(USERID) }),
    },
  };
}

async function run(
  node: LambdaNode,
  side: Side,
  invocations: number,
  onProgress?: () => void,
): Promise<CompletedProcess> {
  const completed = await runNode(
    node.path,
    [...side.launch.nodeArguments, DRIVER, side.dir, String(invocations)],
    {
      env: side.env,
      timeoutMs: invocations === 1 ? COLD_START_TIMEOUT_MS : WARM_RUN_TIMEOUT_MS,
      onMessage: (message) => {
        if (typeof message === 'object' && message !== null && 'progress' in message) onProgress?.();
      },
    },
  );
  const summary = summaryOf(completed);
  if (completed.exitCode !== 0 || summary === undefined)
    throw new Error(`${side.what} exited with ${completed.exitCode}`);
  if (summary.statuses['200'] !== invocations) {
    throw new Error(
      `${side.what} answered ${JSON.stringify(summary.statuses)}, expected ${invocations} × 200`,
    );
  }
  return completed;
}

function summaryOf(completed: CompletedProcess): DriverSummary | undefined {
  return completed.messages.find(
    (message): message is DriverSummary =>
      typeof message === 'object' && message !== null && 'statuses' in message,
  );
}

export async function measureColdStart(
  layout: LambdaLayout,
  fixture: BenchFixture,
  node: LambdaNode,
  plan: BenchPlan,
): Promise<ColdStartResult> {
  const hooked = sides(layout, fixture, layout.hooked);
  const linked = sides(layout, fixture, layout.linked);
  const all = [hooked.baseline, hooked.subject, linked.baseline, linked.subject];
  const step = startStep('cold starts (fresh processes)', all.length * (plan.coldStarts + 1));
  const coldStart = async (side: Side) => {
    const { elapsedMs } = await run(node, side, 1);
    step.advance();
    return elapsedMs;
  };
  // One untimed start each first: the files are then in the page cache for every side alike.
  for (const side of all) await coldStart(side);
  const times = await interleaved(plan.coldStarts, {
    hookedBaseline: () => coldStart(hooked.baseline),
    hookedSubject: () => coldStart(hooked.subject),
    linkedBaseline: () => coldStart(linked.baseline),
    linkedSubject: () => coldStart(linked.subject),
  });
  const result = {
    hooked: { subjectMs: median(times.hookedSubject), baselineMs: median(times.hookedBaseline) },
    linked: { subjectMs: median(times.linkedSubject), baselineMs: median(times.linkedBaseline) },
  };
  const text = ({ subjectMs, baselineMs }: ColdStartTimes) =>
    `${subjectMs.toFixed(0)} vs ${baselineMs.toFixed(0)} ms`;
  step.done(`user-get vs undici alone: ${text(result.hooked)} (hooked), ${text(result.linked)} (linked)`);
  return result;
}

export async function measurePeakRss(
  layout: LambdaLayout,
  fixture: BenchFixture,
  node: LambdaNode,
  plan: BenchPlan,
): Promise<PeakRssResult> {
  const { subject, baseline } = sides(layout, fixture, layout.linked);
  const step = startStep('peak RSS of a warm container (user-get, then the baseline)', 2 * plan.rssRequests);
  const peakRssMb = async (side: Side) => {
    const completed = await run(node, side, plan.rssRequests, () => step.advance(PROGRESS_EVERY));
    step.advance(plan.rssRequests % PROGRESS_EVERY || PROGRESS_EVERY);
    return (summaryOf(completed)?.maxRssKb ?? Number.NaN) / 1024;
  };
  const result = {
    peakRssMb: await peakRssMb(subject),
    baselinePeakRssMb: await peakRssMb(baseline),
    requests: plan.rssRequests,
  };
  step.done(
    `${result.peakRssMb.toFixed(1)} MiB (undici alone: ${result.baselinePeakRssMb.toFixed(1)} MiB) after ${plan.rssRequests} invocations`,
  );
  return result;
}
