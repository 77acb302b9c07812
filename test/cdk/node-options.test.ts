import { describe, expect, it } from 'vitest';
import { functionNodeOptions, semiSpaceMb } from '#cdk/node-options.ts';

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
});
