/**
 * `npm run bench [-- --quick]`: the product's performance claims, each measured side by side with its
 * baseline in this one run on this machine (medians and ratios: machines are noisy). Prints a table,
 * writes bench/results.json with exactly the keys, and stops by itself: every server and
 * child process is loopback-only, bounded and closed at the end.
 *
 * `--quick` runs every measurement with small counts (a smoke run; its numbers mean little).
 */
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { logger } from '#shared/observability.ts';
import { type BenchFixture, startFixture } from './fixture.ts';
import { buildLambdaLayout, type LambdaLayout } from './lambda-layout.ts';
import { describeMachine, lambdaNode } from './machine.ts';
import { measureHerd, measureSsmReads } from './measures/fleet.ts';
import { measureColdStart, measurePeakRss } from './measures/lambda-processes.ts';
import { measureLocalApi } from './measures/local-api.ts';
import { measureWarm } from './measures/warm.ts';
import { FULL_PLAN, QUICK_PLAN } from './plan.ts';
import { startStep } from './progress.ts';
import { type BenchResults, RESULT_KEYS, type ResultKey, renderTable } from './results.ts';
import { round } from './stats.ts';

const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));
const KIB = 1024;

async function main(): Promise<void> {
  const started = performance.now();
  const plan = process.argv.includes('--quick') ? QUICK_PLAN : FULL_PLAN;
  // The in-process fleets log each token fetch at INFO; only warnings belong among the progress lines.
  logger.setLogLevel('WARN');
  const machine = describeMachine();
  const node = lambdaNode();
  process.stderr.write(
    `${plan.quick ? 'Quick smoke run' : 'Full run'} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}; ` +
      `built bundles on ${node.description}\n`,
  );

  const buildStep = startStep('build the layer and every function in a Lambda layout', 1);
  const layout: LambdaLayout = buildLambdaLayout();
  buildStep.done(`layer ${(layout.layerBytes / KIB).toFixed(1)} KiB unpacked`);
  let fixture: BenchFixture | undefined;
  try {
    const fixtureStep = startStep('start moto_server and the sandbox', 1);
    fixture = await startFixture();
    fixtureStep.done(`SSM at ${fixture.moto.endpoint}, WeCom sandbox at ${fixture.sandbox.info.url}`);

    const coldStart = await measureColdStart(layout, fixture, node, plan);
    const peakRss = await measurePeakRss(layout, fixture, node, plan);
    const warm = await measureWarm(fixture, plan);
    const herd = await measureHerd(fixture, plan);
    const ssmReads = await measureSsmReads(fixture, plan);
    const localApi = await measureLocalApi(fixture, plan);

    const [largestId, largestBytes] = Object.entries(layout.functionBytes).reduce((largest, entry) =>
      entry[1] > largest[1] ? entry : largest,
    );
    const results: BenchResults = {
      warm_latency_ratio: round(warm.latency.handlerMs / warm.latency.rawMs),
      warm_throughput_ratio: round(warm.throughput.handlerRps / warm.throughput.rawRps),
      cold_start_ratio: round(coldStart.subjectMs / coldStart.baselineMs),
      fn_bundle_kb_max: round(largestBytes / KIB, 2),
      layer_kb: round(layout.layerBytes / KIB, 1),
      herd_gettoken_calls: herd.gettokenCalls,
      herd_failed: herd.failed,
      ssm_reads_per_token_lifetime: round(ssmReads.readsPerLifetime),
      naive_latency_ratio: round(warm.naive.naiveMs / warm.naive.handlerMs),
      peak_rss_mb: round(peakRss.peakRssMb, 1),
      local_api_rps_ratio: round(localApi.localApiRps / localApi.sandboxRps),
    };
    const ms = (value: number) => `${value.toFixed(3)} ms`;
    const rps = (value: number) => `${value.toFixed(0)} req/s`;
    const details: Record<ResultKey, string> = {
      warm_latency_ratio: `user-get handler ${ms(warm.latency.handlerMs)} ÷ raw undici ${ms(warm.latency.rawMs)}: +${ms(warm.latency.handlerMs - warm.latency.rawMs)} per call (medians, ${plan.latencyCalls} sequential calls each, interleaved)`,
      warm_throughput_ratio: `handler ${rps(warm.throughput.handlerRps)} ÷ raw undici ${rps(warm.throughput.rawRps)} (concurrency ${plan.concurrency}, median of ${plan.throughputRounds} rounds × ${plan.throughputRequests})`,
      cold_start_ratio: `spawn → answer → exit: layer + user-get ${coldStart.subjectMs.toFixed(0)} ms ÷ undici + one request ${coldStart.baselineMs.toFixed(0)} ms (medians of ${plan.coldStarts} processes each, ${node.version})`,
      fn_bundle_kb_max: `KiB, minified, layer excluded (largest: ${largestId})`,
      layer_kb: `KiB, every file of the unpacked layer (bundle + source map + package.json)`,
      herd_gettoken_calls: `${plan.herdSize} warm containers meet an expired token at once (the same fleet starting cold: ${herd.coldGettokenCalls})`,
      herd_failed: `failed calls of those ${plan.herdSize}`,
      ssm_reads_per_token_lifetime: `${ssmReads.reads} token reads by one warm container over ${ssmReads.lifetimes} lifetime(s), ${plan.requestsPerLifetime} requests each`,
      naive_latency_ratio: `naive (SSM + gettoken per request) ${ms(warm.naive.naiveMs)} ÷ ours ${ms(warm.naive.handlerMs)} (medians, ${plan.naiveCalls} each)`,
      peak_rss_mb: `MiB, max RSS of one process serving ${peakRss.requests} warm invocations (${node.version}; the baseline function, undici alone: ${peakRss.baselinePeakRssMb.toFixed(1)} MiB)`,
      local_api_rps_ratio: `local API ${rps(localApi.localApiRps)} ÷ sandbox alone ${rps(localApi.sandboxRps)} (concurrency ${plan.concurrency})`,
    };

    const ordered = Object.fromEntries(RESULT_KEYS.map((key) => [key, results[key]]));
    writeFileSync(RESULTS_FILE, `${JSON.stringify(ordered, null, 2)}\n`);
    process.stdout.write(`\n${renderTable(results, details, machine, node.description)}\n`);
    process.stderr.write(
      `\nWrote ${RESULTS_FILE} in ${((performance.now() - started) / 1000).toFixed(0)} s${plan.quick ? ' (quick run: small counts)' : ''}.\n`,
    );
  } finally {
    await fixture?.close();
    layout.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
