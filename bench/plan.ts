/**
 * How much each measurement does: the counts for a full run, small ones for `--quick` (a
 * smoke run that checks every measurement works, in seconds; its numbers mean little).
 */
export interface BenchPlan {
  readonly quick: boolean;
  /** Sequential calls per side for the warm latency (the issue: 2,000). */
  readonly latencyCalls: number;
  /** Calls per side per interleaved block: both sides see the same moments of a noisy machine. */
  readonly latencyBlock: number;
  /** Untimed calls per side before any timing (JIT, connection pools); a tenth of it for the naive handler. */
  readonly warmUpCalls: number;
  readonly concurrency: number;
  /** Requests per round for the throughput and local API measurements; rounds alternate the sides. */
  readonly throughputRequests: number;
  /** Rounds per side; the figure is their median (a round is ~0.2 s: 3 let one pause decide). */
  readonly throughputRounds: number;
  /** Sequential calls per side for the naive baseline (each naive call makes three round trips). */
  readonly naiveCalls: number;
  /** Fresh processes per side (the issue: at least 10; 20 steady the medians on a busy machine). */
  readonly coldStarts: number;
  readonly herdSize: number;
  /** Token lifetimes the warm container serves, and requests per lifetime. */
  readonly lifetimes: number;
  readonly requestsPerLifetime: number;
  /** Warm invocations of the process whose peak RSS is reported (the issue: 10,000). */
  readonly rssRequests: number;
  /** Such processes per side, interleaved; the figures are their medians. */
  readonly warmContainers: number;
}

export const FULL_PLAN: BenchPlan = {
  quick: false,
  latencyCalls: 2_000,
  latencyBlock: 100,
  warmUpCalls: 3_000,
  concurrency: 32,
  throughputRequests: 4_000,
  throughputRounds: 9,
  naiveCalls: 300,
  coldStarts: 20,
  herdSize: 50,
  lifetimes: 3,
  requestsPerLifetime: 240,
  rssRequests: 10_000,
  warmContainers: 3,
};

export const QUICK_PLAN: BenchPlan = {
  quick: true,
  latencyCalls: 200,
  latencyBlock: 50,
  warmUpCalls: 50,
  concurrency: 32,
  throughputRequests: 400,
  throughputRounds: 1,
  naiveCalls: 30,
  coldStarts: 2,
  herdSize: 50,
  lifetimes: 1,
  requestsPerLifetime: 48,
  rssRequests: 1_000,
  warmContainers: 1,
};
