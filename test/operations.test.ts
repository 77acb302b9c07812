import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '#shared/operations.ts';

describe('the operation table', () => {
  it('has unique ids and unique routes', () => {
    expect(new Set(OPERATIONS.map((operation) => operation.id)).size).toBe(OPERATIONS.length);
    expect(new Set(OPERATIONS.map(({ http }) => `${http.method} ${http.path}`)).size).toBe(OPERATIONS.length);
  });
});
