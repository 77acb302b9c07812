/**
 * WeCom's frequency limits (docs/wecom.md §18): calls per API per minute (45009; the block lasts the
 * rest of the window) and calls in flight per API (45033).
 */
import type { SandboxApi } from './types.ts';

const WINDOW_MS = 60_000;

export class RateLimiter {
  readonly #windows = new Map<SandboxApi, { start: number; calls: number }>();

  constructor(
    private readonly clock: () => number,
    private readonly limit: () => number,
  ) {}

  /** Counts the call; false when the API's current one-minute window is already full. */
  admit(api: SandboxApi): boolean {
    const now = this.clock();
    let window = this.#windows.get(api);
    if (!window || now - window.start >= WINDOW_MS || now < window.start) {
      window = { start: now, calls: 0 };
      this.#windows.set(api, window);
    }
    window.calls += 1;
    return window.calls <= this.limit();
  }
}

export class ConcurrencyGate {
  readonly #inFlight = new Map<SandboxApi, number>();

  constructor(private readonly limit: () => number) {}

  /** Enters the API's gate; false (without entering) when it is full. */
  enter(api: SandboxApi): boolean {
    const current = this.#inFlight.get(api) ?? 0;
    if (current >= this.limit()) return false;
    this.#inFlight.set(api, current + 1);
    return true;
  }

  leave(api: SandboxApi): void {
    this.#inFlight.set(api, (this.#inFlight.get(api) ?? 1) - 1);
  }
}
