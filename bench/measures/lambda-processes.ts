/**
 * The built bundles in the Lambda layout, each run by bench/lambda/driver.mjs in a fresh Node process
 * (one Node binary for every side): the user-get function (layer + bundle; its secret and cached token
 * read from SSM), the conventional function (bench/conventional/: Powertools parameters, its own
 * gettoken, native fetch) and the baseline function (undici, one request):
 *  - cold start: spawn → one event answered → exit, measured with both launches of
 *    bench/lambda-layout.ts, interleaved;
 *  - a warm container: one process serving many invocations, per side (linked launch): peak RSS, RSS
 *    at rest after the first invocation, CPU per warm invocation.
 * The user-get function runs with the process settings the stack sets (cdk/node-options.ts: NODE_OPTIONS
 * and glibc's mmap threshold); the baseline and the conventional function with the defaults, as a
 * team would deploy them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_MEMORY_MB, functionProcessEnvironment } from '#cdk/node-options.ts';
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
  readonly cpuMs: number;
  readonly initRssKb?: number;
  readonly warmCpuUs?: number;
}

/** Medians in ms: spawn to exit, or the process's CPU time. */
export interface ColdStartTimes {
  readonly subjectMs: number;
  readonly baselineMs: number;
  readonly conventionalMs: number;
}

export interface ColdStartResult {
  /** As the Lambda layout test runs the bundles: with its resolve hook (bench/lambda-layout.ts says how). */
  readonly hooked: ColdStartTimes;
  /** Node's own resolution through a node_modules link: no hook. */
  readonly linked: ColdStartTimes;
  /** CPU time of the `hooked` processes: steadier than wall time on a busy machine. */
  readonly hookedCpu: ColdStartTimes;
}

/** One warm container of a side. */
export interface ContainerFigures {
  /** Max RSS over all the invocations, MiB. */
  readonly peakRssMb: number;
  /** RSS at rest after the first invocation, MiB. */
  readonly initRssMb: number;
  /** CPU (user + system) per invocation over the second half, µs (the driver's own share included). */
  readonly warmCpuUs: number;
}

export interface WarmProcessesResult {
  readonly subject: ContainerFigures;
  /** The baseline function: what this Node needs for undici alone. */
  readonly baseline: ContainerFigures;
  readonly conventional: ContainerFigures;
  /**
   * The baseline with the stack's process settings too: what the same settings do to undici alone, so
   * that the gap they leave is stated like for like next to the goal's (baseline as a team deploys it).
   */
  readonly baselineAlike: ContainerFigures;
  readonly requests: number;
  /** Containers per side; each figure is their median. */
  readonly containers: number;
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
): { subject: Side; baseline: Side; conventional: Side } {
  return {
    subject: {
      what: `the user-get function (${launch.name})`,
      launch,
      dir: launch.userGetDir,
      // With the process settings the stack gives it (its young generation, glibc's mmap threshold).
      env: functionEnvironment(layout, launch.userGetDir, {
        ...fixture.lambdaEnvironment,
        ...functionProcessEnvironment(FUNCTION_MEMORY_MB),
      }),
    },
    baseline: {
      what: `the baseline function (${launch.name})`,
      launch,
      dir: launch.baselineDir,
      env: functionEnvironment(layout, launch.baselineDir, { BENCH_TARGET_URL: fixture.userGetUrl(USERID) }),
    },
    conventional: {
      what: `the conventional function (${launch.name})`,
      launch,
      dir: launch.conventionalDir,
      env: functionEnvironment(layout, launch.conventionalDir, fixture.conventionalEnvironment),
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
  const all = [hooked.baseline, hooked.subject, hooked.conventional, linked.baseline, linked.subject];
  const step = startStep('cold starts (fresh processes)', all.length * (plan.coldStarts + 1));
  const coldStart = async (side: Side) => {
    const completed = await run(node, side, 1);
    step.advance();
    return { elapsedMs: completed.elapsedMs, cpuMs: summaryOf(completed)?.cpuMs ?? Number.NaN };
  };
  // One untimed start each first: the files are then in the page cache for every side alike.
  for (const side of all) await coldStart(side);
  // The conventional function needs no layer: it runs with the hooked launch only (the hook is
  // loaded alike for every side there).
  const times = await interleaved(plan.coldStarts, {
    hookedBaseline: () => coldStart(hooked.baseline),
    hookedSubject: () => coldStart(hooked.subject),
    hookedConventional: () => coldStart(hooked.conventional),
    linkedBaseline: () => coldStart(linked.baseline),
    linkedSubject: () => coldStart(linked.subject),
  });
  const wall = (runs: ReadonlyArray<{ elapsedMs: number }>) => median(runs.map((run) => run.elapsedMs));
  const cpu = (runs: ReadonlyArray<{ cpuMs: number }>) => median(runs.map((run) => run.cpuMs));
  const conventionalMs = wall(times.hookedConventional);
  const result = {
    hooked: {
      subjectMs: wall(times.hookedSubject),
      baselineMs: wall(times.hookedBaseline),
      conventionalMs,
    },
    linked: {
      subjectMs: wall(times.linkedSubject),
      baselineMs: wall(times.linkedBaseline),
      conventionalMs: Number.NaN,
    },
    hookedCpu: {
      subjectMs: cpu(times.hookedSubject),
      baselineMs: cpu(times.hookedBaseline),
      conventionalMs: cpu(times.hookedConventional),
    },
  };
  const text = ({ subjectMs, baselineMs }: ColdStartTimes) =>
    `${subjectMs.toFixed(0)} vs ${baselineMs.toFixed(0)} ms`;
  step.done(
    `user-get vs undici alone: ${text(result.hooked)} (hooked; conventional ${conventionalMs.toFixed(0)} ms), ${text(result.linked)} (linked)`,
  );
  return result;
}

export async function measureWarmProcesses(
  layout: LambdaLayout,
  fixture: BenchFixture,
  node: LambdaNode,
  plan: BenchPlan,
): Promise<WarmProcessesResult> {
  const { subject, baseline, conventional } = sides(layout, fixture, layout.linked);
  const baselineAlike: Side = {
    ...baseline,
    what: `${baseline.what}, with the stack's process settings`,
    env: { ...baseline.env, ...functionProcessEnvironment(FUNCTION_MEMORY_MB) },
  };
  const step = startStep(
    'warm containers: RSS and CPU (user-get, conventional, baseline with and without the stack’s settings)',
    4 * plan.warmContainers * plan.rssRequests,
  );
  const figures = async (side: Side): Promise<ContainerFigures> => {
    const completed = await run(node, side, plan.rssRequests, () => step.advance(PROGRESS_EVERY));
    step.advance(plan.rssRequests % PROGRESS_EVERY || PROGRESS_EVERY);
    const summary = summaryOf(completed);
    return {
      peakRssMb: (summary?.maxRssKb ?? Number.NaN) / 1024,
      initRssMb: (summary?.initRssKb ?? Number.NaN) / 1024,
      warmCpuUs: summary?.warmCpuUs ?? Number.NaN,
    };
  };
  // One container's peak RSS moves by ±5 MiB with the moment its heap grows: medians of several.
  const containers = await interleaved(plan.warmContainers, {
    subject: () => figures(subject),
    conventional: () => figures(conventional),
    baseline: () => figures(baseline),
    baselineAlike: () => figures(baselineAlike),
  });
  const medians = (runs: readonly ContainerFigures[]): ContainerFigures => ({
    peakRssMb: median(runs.map((run) => run.peakRssMb)),
    initRssMb: median(runs.map((run) => run.initRssMb)),
    warmCpuUs: median(runs.map((run) => run.warmCpuUs)),
  });
  const result = {
    subject: medians(containers.subject),
    conventional: medians(containers.conventional),
    baseline: medians(containers.baseline),
    baselineAlike: medians(containers.baselineAlike),
    requests: plan.rssRequests,
    containers: plan.warmContainers,
  };
  const text = ({ peakRssMb, initRssMb, warmCpuUs }: ContainerFigures) =>
    `${peakRssMb.toFixed(1)}/${initRssMb.toFixed(1)} MiB, ${warmCpuUs.toFixed(0)} µs`;
  step.done(
    `peak/init RSS, CPU per call: ours ${text(result.subject)}; conventional ${text(result.conventional)}; undici alone ${text(result.baseline)} (with the stack's settings ${text(result.baselineAlike)})`,
  );
  return result;
}
