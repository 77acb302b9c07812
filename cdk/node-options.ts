/**
 * The functions' memory and the process settings that go with it (Node options, glibc's malloc). A
 * module of its own, without the CDK, so that the bench launches the built functions exactly as the
 * stack configures them.
 */

/**
 * 512 MB: a cold start parses ~0.7 MB of layer JavaScript and Lambda's CPU share grows with memory
 * (at 128 MB it is ~4× slower); the warm path waits on WeCom, where memory costs little.
 */
export const FUNCTION_MEMORY_MB = 512;

/**
 * V8's young generation (semi-space) for a function of `memoryMb`: 1 MiB per 256 MB, between 1 and 16
 * (V8's own maximum on 64-bit). By default V8 lets each semi-space grow to 16 MiB under steady
 * allocation, which is RSS a function never gives back: measured on the Lambda Node binary over 10,000
 * warm invocations (docs/performance.md), 2 MiB keeps a 512 MB function's peak RSS ~20 MiB lower at
 * the same CPU per invocation; 1 MiB costs ~5 % more CPU (more scavenges).
 * @example semiSpaceMb(512) // 2
 */
export function semiSpaceMb(memoryMb: number): number {
  return Math.min(16, Math.max(1, Math.floor(memoryMb / 256)));
}

/**
 * NODE_OPTIONS of a function: its semi-space, and source maps when the stack ships them.
 * @default sourceMaps false
 */
export function functionNodeOptions(memoryMb: number, { sourceMaps = false } = {}): string {
  const options = [`--max-semi-space-size=${semiSpaceMb(memoryMb)}`];
  if (sourceMaps) options.unshift('--enable-source-maps');
  return options.join(' ');
}

/**
 * glibc's malloc, for every function: allocations of 32 KiB or more get pages of their own, given back
 * when freed. V8 compiles in zone segments of ~32 KiB, freed after each compilation; kept in the heap
 * of malloc (glibc's default threshold grows to 1 MiB and more), they pin 5–8 MiB of RSS for the life
 * of a container. Measured on the Lambda Node binary (docs/performance.md, "Memory"): RSS at rest
 * 74 → 66 MiB, peak 100 → 90 MiB, for ~5 ms more of a cold start (mapping the pages).
 */
const MALLOC_ENVIRONMENT: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '32768' };

/**
 * A function's process settings as environment variables: its NODE_OPTIONS and `MALLOC_ENVIRONMENT`.
 * @default sourceMaps false
 * @example functionProcessEnvironment(512) // { NODE_OPTIONS: '--max-semi-space-size=2', MALLOC_MMAP_THRESHOLD_: '32768' }
 */
export function functionProcessEnvironment(
  memoryMb: number,
  options: { readonly sourceMaps?: boolean } = {},
): Record<string, string> {
  return { NODE_OPTIONS: functionNodeOptions(memoryMb, options), ...MALLOC_ENVIRONMENT };
}
