import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '#shared/operations.ts';

describe('the operation table', () => {
  it('has the 13 member endpoints with unique ids and unique routes', () => {
    expect(OPERATIONS).toHaveLength(13);
    expect(new Set(OPERATIONS.map((operation) => operation.id)).size).toBe(13);
    expect(new Set(OPERATIONS.map(({ http }) => `${http.method} ${http.path}`)).size).toBe(13);
  });
});
