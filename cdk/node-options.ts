/**
 * The functions' memory and the Node options that go with it. A module of its own, without the CDK,
 * so that the bench launches the built functions exactly as the stack configures them.
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
