/**
 * `npm run bench [-- --quick]`: the product's performance claims, each measured side by side with its
 * baseline in this one run on this machine (medians and ratios: machines are noisy). Prints a table,
 * writes bench/results.json with exactly the keys, and stops by itself: every server and child
 * process is loopback-only, time-limited and stopped at the end (or on Ctrl-C).
 *
 * `--quick` runs every measurement with small counts: a smoke run whose numbers mean little.
 */
import './quiet-logs.ts';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { STANDALONE_FUNCTION_IDS } from '../scripts/build.ts';
import { type BenchFixture, startFixture } from './fixture.ts';
import { buildLambdaLayout, type LambdaLayout } from './lambda-layout.ts';
import { describeMachine, type LambdaNode, lambdaNode } from './machine.ts';
import { type CallbackResult, measureCallback } from './measures/callback.ts';
import {
  type BadSecretResult,
  type ConventionalHerdResult,
  type HerdResult,
  measureBadSecret,
  measureConventionalHerd,
  measureHerd,
  measureOutage,
  measureSsmReads,
  type OutageResult,
  type SsmReadsResult,
} from './measures/fleet.ts';
import {
  type ColdStartResult,
  measureColdStart,
  measureWarmProcesses,
  type WarmProcessesResult,
} from './measures/lambda-processes.ts';
import { type LocalApiResult, measureLocalApi } from './measures/local-api.ts';
import { measureWarm, type WarmResults } from './measures/warm.ts';
import { type BenchPlan, FULL_PLAN, QUICK_PLAN } from './plan.ts';
import { killRunningChildren } from './processes.ts';
import { startStep } from './progress.ts';
import { type BenchResults, RESULT_KEYS, type ResultKey, renderTable } from './results.ts';
import { round } from './stats.ts';

/** A full run's figures, which the README quotes; a quick smoke run writes beside them, never over them. */
const resultsFile = (quick: boolean) =>
  fileURLToPath(new URL(quick ? './results.quick.json' : './results.json', import.meta.url));
const KIB = 1024;

interface Measurements {
  readonly layout: LambdaLayout;
  readonly coldStart: ColdStartResult;
  readonly containers: WarmProcessesResult;
  readonly warm: WarmResults;
  readonly herd: HerdResult;
  readonly conventionalHerd: ConventionalHerdResult;
  readonly ssmReads: SsmReadsResult;
  readonly outage: OutageResult;
  readonly badSecret: BadSecretResult;
  readonly localApi: LocalApiResult;
  readonly callback: CallbackResult;
}

/** Everything still running, stopped once: at the end, on an error or on a signal. */
const cleanups: Array<() => unknown> = [];
async function cleanUp(): Promise<void> {
  killRunningChildren();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

async function measure(plan: BenchPlan, node: LambdaNode): Promise<Measurements> {
  const buildStep = startStep('build the layer and every function in a Lambda layout', 1);
  const layout = await buildLambdaLayout();
  cleanups.push(() => layout.remove());
  buildStep.done(`layer ${(layout.layerBytes / KIB).toFixed(1)} KiB unpacked`);

  const fixtureStep = startStep('start moto_server and the sandbox', 1);
  const fixture: BenchFixture = await startFixture();
  cleanups.push(() => fixture.close());
  fixtureStep.done(`SSM at ${fixture.moto.endpoint}, WeCom sandbox at ${fixture.sandbox.info.url}`);

  // The processes first, while this one is still idle; then what runs in this process.
  return {
    layout,
    coldStart: await measureColdStart(layout, fixture, node, plan),
    containers: await measureWarmProcesses(layout, fixture, node, plan),
    warm: await measureWarm(fixture, plan),
    herd: await measureHerd(fixture, plan),
    conventionalHerd: await measureConventionalHerd(fixture, plan),
    ssmReads: await measureSsmReads(fixture, plan),
    outage: await measureOutage(fixture, plan),
    badSecret: await measureBadSecret(fixture, plan),
    localApi: await measureLocalApi(fixture, plan),
    callback: await measureCallback(fixture, plan),
  };
}

function summarise(
  {
    layout,
    coldStart,
    containers,
    warm,
    herd,
    conventionalHerd,
    ssmReads,
    outage,
    badSecret,
    localApi,
    callback,
  }: Measurements,
  plan: BenchPlan,
  node: LambdaNode,
): { results: BenchResults; details: Record<ResultKey, string> } {
  // Standalone functions (the contact callback) carry their dependencies: not "beside the layer".
  const [largestId, largestBytes] = Object.entries(layout.functionBytes)
    .filter(([id]) => !STANDALONE_FUNCTION_IDS.has(id as keyof typeof layout.functionBytes))
    .reduce((largest, entry) => (entry[1] > largest[1] ? entry : largest));
  const callbackBundleKib = (layout.functionBytes['contact-callback'] / KIB).toFixed(0);
  const results: BenchResults = {
    warm_latency_ratio: round(warm.latency.handlerMs / warm.latency.rawMs),
    warm_throughput_ratio: round(warm.throughput.handlerRps / warm.throughput.rawRps),
    cold_start_ratio: round(coldStart.hooked.subjectMs / coldStart.hooked.baselineMs),
    fn_bundle_kb_max: round(largestBytes / KIB, 2),
    layer_kb: round(layout.layerBytes / KIB, 1),
    herd_gettoken_calls: herd.gettokenCalls,
    herd_failed: herd.failed,
    ssm_reads_per_token_lifetime: round(ssmReads.readsPerLifetime),
    outage_gettoken_calls: outage.gettokenCalls,
    bad_secret_gettoken_calls: badSecret.gettokenCalls,
    naive_latency_ratio: round(warm.naive.naiveMs / warm.naive.handlerMs),
    local_api_rps_ratio: round(localApi.localApiRps / localApi.sandboxRps),
    cold_start_vs_conventional: round(coldStart.hooked.subjectMs / coldStart.hooked.conventionalMs),
    warm_cpu_ratio: round(containers.subject.warmCpuUs / containers.baseline.warmCpuUs),
    warm_latency_vs_conventional: round(warm.latency.handlerMs / warm.latency.conventionalMs),
    peak_rss_over_baseline_mb: round(containers.subject.peakRssMb - containers.baseline.peakRssMb, 1),
    init_rss_over_baseline_mb: round(containers.subject.initRssMb - containers.baseline.initRssMb, 1),
    conventional_herd_gettoken_calls: conventionalHerd.gettokenCalls,
    conventional_herd_ssm_calls: conventionalHerd.ssmCalls,
    callback_p50_ms: round(callback.p50Ms),
    callback_p99_ms: round(callback.p99Ms),
  };
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  const rps = (value: number) => `${value.toFixed(0)} req/s`;
  const { hooked, linked, hookedCpu } = coldStart;
  const { subject, baseline, conventional, baselineAlike } = containers;
  const mib = (value: number) => `${value.toFixed(1)} MiB`;
  const signedMib = (value: number) => `${value < 0 ? '−' : '+'}${mib(Math.abs(value))}`;
  const perCall = (value: number) => `${value.toFixed(0)} µs`;
  const details: Record<ResultKey, string> = {
    warm_latency_ratio: `user-get handler ${ms(warm.latency.handlerMs)} ÷ raw undici ${ms(warm.latency.rawMs)}: +${ms(warm.latency.handlerMs - warm.latency.rawMs)} per call (medians of ${plan.latencyCalls} sequential calls each, interleaved)`,
    warm_throughput_ratio: `handler ${rps(warm.throughput.handlerRps)} ÷ raw undici ${rps(warm.throughput.rawRps)} (concurrency ${plan.concurrency}, median of ${plan.throughputRounds} rounds × ${plan.throughputRequests} each)`,
    cold_start_ratio:
      `spawn → one event answered → exit (medians of ${plan.coldStarts} each, ${node.version}), launched as the Lambda layout test does: ` +
      `layer + user-get ${hooked.subjectMs.toFixed(0)} ms ÷ undici + one request ${hooked.baselineMs.toFixed(0)} ms; ` +
      `without the resolve hook: ${linked.subjectMs.toFixed(0)} ÷ ${linked.baselineMs.toFixed(0)} ms = ${(linked.subjectMs / linked.baselineMs).toFixed(2)}; ` +
      `CPU time: ${hookedCpu.subjectMs.toFixed(0)} ÷ ${hookedCpu.baselineMs.toFixed(0)} ms = ${(hookedCpu.subjectMs / hookedCpu.baselineMs).toFixed(2)}`,
    fn_bundle_kb_max: `KiB, minified, layer excluded (largest: ${largestId})`,
    layer_kb:
      'KiB, every file of the unpacked layer as deployed by default (bundle + package.json; the source map ships only with the `sourceMaps` context key)',
    herd_gettoken_calls: `${plan.herdSize} warm containers meet an expired token at once (the same fleet starting cold: ${herd.coldGettokenCalls})`,
    herd_failed: `failed calls of those ${plan.herdSize}`,
    ssm_reads_per_token_lifetime: `${ssmReads.reads} token reads by one warm container over ${ssmReads.lifetimes} lifetime(s) of ${plan.requestsPerLifetime} evenly spread requests`,
    outage_gettoken_calls: `${plan.herdSize} containers, one read each per second, meet an expired token while gettoken answers −1 for ${outage.outageMs / 1000} s: ${outage.failed}/${outage.requests} requests answered 503 + Retry-After at once; all served ${outage.recoveryMs / 1000} s after WeCom was back`,
    bad_secret_gettoken_calls: `${plan.herdSize} containers with a wrong secret, 20 requests each: ${badSecret.refused}/${badSecret.requests} answered 502 with WeCom's 40001 (fix the secret), all but the first without a WeCom call`,
    naive_latency_ratio: `naive (SSM + gettoken per request) ${ms(warm.naive.naiveMs)} ÷ ours ${ms(warm.naive.handlerMs)} (medians of ${plan.naiveCalls} each, interleaved)`,
    local_api_rps_ratio: `local API ${rps(localApi.localApiRps)} ÷ sandbox alone ${rps(localApi.sandboxRps)} (concurrency ${plan.concurrency}, median of ${plan.throughputRounds} rounds)`,
    cold_start_vs_conventional: `user-get ${hooked.subjectMs.toFixed(0)} ms ÷ conventional function ${hooked.conventionalMs.toFixed(0)} ms (same launch and runs as cold_start_ratio; CPU time: ${hookedCpu.subjectMs.toFixed(0)} ÷ ${hookedCpu.conventionalMs.toFixed(0)} ms = ${(hookedCpu.subjectMs / hookedCpu.conventionalMs).toFixed(2)}; conventional bundle ${(layout.conventionalBytes / KIB).toFixed(0)} KiB)`,
    warm_cpu_ratio: `CPU per warm invocation, user-get ${perCall(subject.warmCpuUs)} ÷ undici alone ${perCall(baseline.warmCpuUs)} (conventional ${perCall(conventional.warmCpuUs)}; last ${containers.requests / 2} of ${containers.requests} invocations in one process, median of ${containers.containers} processes per side, ${node.version}, the driver's own share in each; ours with the stack's process settings, cdk/node-options.ts)`,
    warm_latency_vs_conventional: `user-get handler ${ms(warm.latency.handlerMs)} ÷ conventional function ${ms(warm.latency.conventionalMs)} (interleaved with warm_latency_ratio's calls)`,
    peak_rss_over_baseline_mb: `max RSS of one process serving ${containers.requests} warm invocations on ${node.version}, median of ${containers.containers} per side (ours with the stack's process settings: --max-semi-space-size and MALLOC_MMAP_THRESHOLD_, cdk/node-options.ts): user-get ${mib(subject.peakRssMb)} − undici alone ${mib(baseline.peakRssMb)} (conventional ${mib(conventional.peakRssMb)}; undici alone with the same settings ${mib(baselineAlike.peakRssMb)}, like for like ${signedMib(subject.peakRssMb - baselineAlike.peakRssMb)})`,
    init_rss_over_baseline_mb: `RSS at rest after the first invocation (medians of the same processes): user-get ${mib(subject.initRssMb)} − undici alone ${mib(baseline.initRssMb)} (conventional ${mib(conventional.initRssMb)}; undici alone with the stack's settings ${mib(baselineAlike.initRssMb)}, like for like ${signedMib(subject.initRssMb - baselineAlike.initRssMb)})`,
    conventional_herd_gettoken_calls: `${plan.herdSize} cold conventional containers, each with its own token cache (ours: ${herd.coldGettokenCalls}, herd_gettoken_calls)`,
    conventional_herd_ssm_calls: `SSM calls of those ${plan.herdSize} cold conventional containers (Powertools getParameter, corp id and secret each)`,
    callback_p50_ms: `contact-callback handler per POST: verify, decrypt, parse, DynamoDB conditional put, PutEvents (moto as DynamoDB and EventBridge; ${callback.deliveries} sequential new changes); a bare decrypt of the same message: ${ms(callback.bareDecryptMs)} (median)`,
    callback_p99_ms: `the same ${callback.deliveries} deliveries' 99th percentile; WeCom retries after 5,000 ms (standalone bundle ${callbackBundleKib} KiB)`,
  };
  return { results, details };
}

async function main(): Promise<void> {
  const started = performance.now();
  const plan = process.argv.includes('--quick') ? QUICK_PLAN : FULL_PLAN;
  const machine = describeMachine();
  const node = lambdaNode();
  process.stderr.write(
    `${plan.quick ? 'Quick smoke run' : 'Full run'} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}; ` +
      `built bundles on ${node.description}\n`,
  );
  try {
    const { results, details } = summarise(await measure(plan, node), plan, node);
    const ordered = Object.fromEntries(RESULT_KEYS.map((key) => [key, results[key]]));
    writeFileSync(resultsFile(plan.quick), `${JSON.stringify(ordered, null, 2)}\n`);
    process.stdout.write(`\n${renderTable(results, details, machine, node.description)}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    process.stderr.write(
      `\nWrote ${resultsFile(plan.quick)} in ${seconds} s${plan.quick ? ' (quick run: small counts)' : ''}.\n`,
    );
  } finally {
    await cleanUp();
  }
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the servers and removing the build…\n`);
    cleanUp().finally(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  // Once interrupted, the measurement cut short fails on purpose: nothing to report.
  if (interrupted) return;
  console.error(error);
  process.exitCode = 1;
});
