import { describe, expect, it } from 'vitest';
import { functionNodeOptions, functionProcessEnvironment, semiSpaceMb } from '#cdk/node-options.ts';

describe("a function's young generation", () => {
  it('grows with its memory, 1 MiB per 256 MB, within V8’s bounds', () => {
    expect([128, 256, 512, 1024, 3008, 10240].map(semiSpaceMb)).toEqual([1, 1, 2, 4, 11, 16]);
  });

  it('is in its NODE_OPTIONS, after the source maps when the stack ships them', () => {
    expect(functionNodeOptions(512)).toBe('--max-semi-space-size=2');
    expect(functionNodeOptions(1024, { sourceMaps: true })).toBe(
      '--enable-source-maps --max-semi-space-size=4',
    );
  });

  it('goes with glibc’s mmap threshold in every function’s environment', () => {
    expect(functionProcessEnvironment(512)).toEqual({
      NODE_OPTIONS: '--max-semi-space-size=2',
      MALLOC_MMAP_THRESHOLD_: '32768',
    });
  });
});
