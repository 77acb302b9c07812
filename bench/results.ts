/** The keys of bench/results.json (exactly the issue's), their goals, and the table of a run. */
import type { Machine } from './machine.ts';

export const RESULT_KEYS = [
  'warm_latency_ratio',
  'warm_throughput_ratio',
  'cold_start_ratio',
  'fn_bundle_kb_max',
  'layer_kb',
  'herd_gettoken_calls',
  'herd_failed',
  'ssm_reads_per_token_lifetime',
  'outage_gettoken_calls',
  'bad_secret_gettoken_calls',
  'naive_latency_ratio',
  'local_api_rps_ratio',
  'cold_start_vs_conventional',
  'warm_cpu_ratio',
  'warm_latency_vs_conventional',
  'peak_rss_over_baseline_mb',
  'init_rss_over_baseline_mb',
  'conventional_herd_gettoken_calls',
  'conventional_herd_ssm_calls',
  'callback_p50_ms',
  'callback_p99_ms',
] as const;

export type ResultKey = (typeof RESULT_KEYS)[number];
export type BenchResults = Record<ResultKey, number>;

interface Goal {
  readonly text: string;
  /** Absent: the figure is reported, not judged. */
  readonly met?: (value: number) => boolean;
}

export const GOALS: Readonly<Record<ResultKey, Goal>> = {
  warm_latency_ratio: { text: '≤ 1.10', met: (value) => value <= 1.1 },
  warm_throughput_ratio: { text: '≥ 0.90', met: (value) => value >= 0.9 },
  cold_start_ratio: { text: '≤ 1.40', met: (value) => value <= 1.4 },
  fn_bundle_kb_max: { text: '≤ 10', met: (value) => value <= 10 },
  layer_kb: { text: 'report' },
  herd_gettoken_calls: { text: '≤ 2', met: (value) => value <= 2 },
  herd_failed: { text: '0', met: (value) => value === 0 },
  ssm_reads_per_token_lifetime: { text: '1', met: (value) => value <= 1 },
  // One gettoken per step of the fleet's backoff (1 s doubling, with jitter: steps of at least 0.5, 1,
  // 2, 4, 8 and 15 s) in a 30 s outage: at most 6, whatever the fleet's size.
  outage_gettoken_calls: { text: '≤ 6', met: (value) => value <= 6 },
  bad_secret_gettoken_calls: { text: '≤ 2', met: (value) => value <= 2 },
  naive_latency_ratio: { text: '≥ 3', met: (value) => value >= 3 },
  local_api_rps_ratio: { text: 'report' },
  cold_start_vs_conventional: { text: '≤ 0.90', met: (value) => value <= 0.9 },
  warm_cpu_ratio: { text: '≤ 1.40', met: (value) => value <= 1.4 },
  warm_latency_vs_conventional: { text: '≤ 0.80', met: (value) => value <= 0.8 },
  peak_rss_over_baseline_mb: { text: '≤ 8', met: (value) => value <= 8 },
  init_rss_over_baseline_mb: { text: '≤ 5', met: (value) => value <= 5 },
  conventional_herd_gettoken_calls: { text: 'report' },
  conventional_herd_ssm_calls: { text: 'report' },
  // WeCom gives up on an answer after 5 s: far inside it means a tenth of it at worst.
  callback_p50_ms: { text: '≤ 100', met: (value) => value <= 100 },
  callback_p99_ms: { text: '≤ 500', met: (value) => value <= 500 },
};

export function verdict(key: ResultKey, value: number): 'met' | 'MISSED' | 'report' {
  const { met } = GOALS[key];
  if (met === undefined) return 'report';
  return met(value) ? 'met' : 'MISSED';
}

/** The run as a Markdown table (also readable in a terminal), with how each figure was obtained. */
export function renderTable(
  results: BenchResults,
  details: Readonly<Record<ResultKey, string>>,
  machine: Machine,
  lambdaNode: string,
): string {
  const rows = RESULT_KEYS.map(
    (key) =>
      `| \`${key}\` | ${results[key]} | ${GOALS[key].text} | ${verdict(key, results[key])} | ${details[key]} |`,
  );
  return [
    '| key | value | goal | | measured |',
    '|---|---:|---|---|---|',
    ...rows,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores; benchmark on Node ${machine.node}; built bundles run on ${lambdaNode}.`,
  ].join('\n');
}
