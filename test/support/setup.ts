import { afterEach, vi } from 'vitest';

// Every test starts from the real clock and the real environment.
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});
