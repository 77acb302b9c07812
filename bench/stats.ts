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
 * Runs `blocks` rounds of every side, rotating which goes first, so that no side always meets the
 * machine in the same state; returns each side's results in block order.
 */
export async function interleaved<Side extends string, T>(
  blocks: number,
  sides: Readonly<Record<Side, (block: number) => Promise<T>>>,
): Promise<Record<Side, T[]>> {
  const names = Object.keys(sides) as Side[];
  const results = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<Side, T[]>;
  for (let block = 0; block < blocks; block++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(block + turn) % names.length] as Side;
      results[name].push(await sides[name](block));
    }
  }
  return results;
}
