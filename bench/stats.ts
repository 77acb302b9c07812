/** Medians, ratios and the two timing loops every measurement uses (sequential latency, throughput). */
import { performance } from 'node:perf_hooks';
import { runBounded } from '#test/robustness/support.ts';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `value` rounded to `digits` decimals, for results.json. */
export const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

/** Milliseconds each of `calls` sequential calls took. */
export async function latencies(calls: number, call: (index: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let index = 0; index < calls; index++) {
    const started = performance.now();
    await call(index);
    times.push(performance.now() - started);
  }
  return times;
}

/** Requests per second of `count` calls with `concurrency` in flight. */
export async function throughput(
  count: number,
  concurrency: number,
  call: (index: number) => Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  await runBounded(count, concurrency, call);
  return count / ((performance.now() - started) / 1000);
}

/**
 * Runs `blocks` rounds of both sides, alternating which goes first, so that neither side always
 * meets the machine in the same state; returns each side's results in block order.
 */
export async function interleaved<T>(
  blocks: number,
  baseline: (block: number) => Promise<T>,
  subject: (block: number) => Promise<T>,
): Promise<{ baseline: T[]; subject: T[] }> {
  const results = { baseline: [] as T[], subject: [] as T[] };
  for (let block = 0; block < blocks; block++) {
    if (block % 2 === 0) {
      results.baseline.push(await baseline(block));
      results.subject.push(await subject(block));
    } else {
      results.subject.push(await subject(block));
      results.baseline.push(await baseline(block));
    }
  }
  return results;
}
