/** Injected faults (tests, benchmarks): each applies to the next `count` calls of one API, or of any. */
import type { SandboxApi, SandboxFault } from './types.ts';

interface PendingFault {
  readonly fault: SandboxFault;
  remaining: number;
}

export class FaultPlan {
  readonly #queues = new Map<SandboxApi | '*', PendingFault[]>();

  add(api: SandboxApi | '*', fault: SandboxFault, count: number): void {
    if (!Number.isSafeInteger(count) || count < 1)
      throw new RangeError(`fault count must be ≥ 1, got ${count}`);
    const queue = this.#queues.get(api) ?? [];
    queue.push({ fault, remaining: count });
    this.#queues.set(api, queue);
  }

  /** The fault for this call, if any, consuming one use of it. The API's own faults come first. */
  take(api: SandboxApi): SandboxFault | undefined {
    return this.#takeFrom(api) ?? this.#takeFrom('*');
  }

  clear(): void {
    this.#queues.clear();
  }

  #takeFrom(api: SandboxApi | '*'): SandboxFault | undefined {
    const queue = this.#queues.get(api);
    const next = queue?.[0];
    if (!queue || !next) return undefined;
    next.remaining -= 1;
    if (next.remaining === 0) queue.shift();
    return next.fault;
  }
}
