/**
 * Retries inside one request (docs/architecture.md §5).
 *
 * Retried, with exponential backoff and full jitter, at most `maxRetries` times and only while the
 * deadline leaves room for another attempt: errcode -1 (busy), HTTP 5xx, network failures and timeouts.
 * Never retried: every other errcode — notably 45009/45033 (the block lasts the whole window) and
 * 40001 (repeated bad-secret calls get the egress IP banned) — and our own validation errors.
 *
 * Re-sending after an ambiguous failure (the request may have reached WeCom: a reset after sending,
 * a timeout, a 5xx, -1) is decided by the caller's `idempotent` (the endpoints pass their operation
 * table row's; the default is false): an idempotent call is re-sent; any other only if a reconciler
 * (reconcilers.ts) can check the directory afterwards. Without one, the ambiguous failure is the
 * answer: never re-send blindly.
 * Every attempt re-encodes the request (the transport builds the body per send), so nothing is re-sent
 * from a drained stream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamHttpError, UpstreamNetworkError, UpstreamTimeoutError, WeComError } from '../errors.ts';
import { logger } from '../observability.ts';
import type { WeComApi, WeComRequest, WeComResponse } from './apis.ts';
import { type Attempt, RECONCILED_APIS, reconcile } from './reconcilers.ts';

export interface RetryPolicy {
  /** Re-sends after the first attempt. */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No attempt starts with less than this left before the deadline. */
  readonly minAttemptMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  minAttemptMs: 250,
};

/** Time and randomness, injectable so tests neither wait nor depend on chance. */
export interface RetryEnvironment {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<unknown>;
  readonly random: () => number;
}

export const REAL_RETRY_ENVIRONMENT: RetryEnvironment = { now: Date.now, sleep, random: Math.random };

export interface RetryVerdict {
  readonly retryable: boolean;
  /** The failed attempt may have taken effect at WeCom. */
  readonly mayHaveApplied: boolean;
}

const FINAL: RetryVerdict = { retryable: false, mayHaveApplied: false };

const FINAL_ERRORS = new WeakSet<object>();

/**
 * Marks an error this layer must not retry, whatever its class: the token step's failures, which the
 * token provider's fleet-wide backoff already handles (docs/tokens.md, "One retry layer"). Rethrows it.
 */
export function rethrowFinal(error: unknown): never {
  if (typeof error === 'object' && error !== null) FINAL_ERRORS.add(error);
  throw error;
}

/** The retry table, row by row (docs/architecture.md §5). */
export function retryVerdict(error: unknown): RetryVerdict {
  if (typeof error === 'object' && error !== null && FINAL_ERRORS.has(error)) return FINAL;
  if (error instanceof WeComError) {
    return error.errcode === -1 ? { retryable: true, mayHaveApplied: true } : FINAL;
  }
  if (error instanceof UpstreamHttpError) {
    return error.statusCode >= 500 ? { retryable: true, mayHaveApplied: true } : FINAL;
  }
  if (error instanceof UpstreamNetworkError) return { retryable: true, mayHaveApplied: error.sent };
  if (error instanceof UpstreamTimeoutError) return { retryable: true, mayHaveApplied: true };
  return FINAL;
}

/** Exponential backoff with full jitter: uniform in [0, min(max, base·2^retry)). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry));
}

export interface RetryContext {
  readonly deadline: number;
  /** Sending it twice does what sending it once does; default false (see the header). */
  readonly idempotent?: boolean;
  readonly policy?: RetryPolicy;
  readonly environment?: RetryEnvironment;
}

export async function callWithRetry<A extends WeComApi>(
  api: A,
  request: WeComRequest<A>,
  attempt: Attempt,
  {
    deadline,
    idempotent = false,
    policy = DEFAULT_RETRY_POLICY,
    environment = REAL_RETRY_ENVIRONMENT,
  }: RetryContext,
): Promise<WeComResponse<A>> {
  const settings = { deadline, idempotent, policy, environment };
  let mayHaveApplied = false;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(api, request);
    } catch (error) {
      const reconciled =
        mayHaveApplied && error instanceof WeComError
          ? await reconcile(api, request, error, attempt)
          : undefined;
      if (reconciled !== undefined) return reconciled;
      const verdict = retryVerdict(error);
      const delay = retryDelay(api, verdict, retry, settings);
      if (delay === undefined) throw error;
      mayHaveApplied ||= verdict.mayHaveApplied;
      logger.info('Retrying WeCom call', { api, retry: retry + 1, delayMs: delay, reason: describe(error) });
      await environment.sleep(delay);
    }
  }
}

/** The wait before re-sending after a failure, or undefined when the failure is the answer. */
function retryDelay(
  api: WeComApi,
  verdict: RetryVerdict,
  retry: number,
  { deadline, idempotent, policy, environment }: Required<RetryContext>,
): number | undefined {
  if (!verdict.retryable || retry >= policy.maxRetries) return undefined;
  if (verdict.mayHaveApplied && !idempotent && !RECONCILED_APIS.has(api)) return undefined;
  const delay = backoffDelay(retry, policy, environment.random);
  return deadline - environment.now() - delay < policy.minAttemptMs ? undefined : delay;
}

function describe(error: unknown): string {
  if (error instanceof WeComError) return `errcode ${error.errcode}`;
  if (error instanceof UpstreamHttpError) return `HTTP ${error.statusCode}`;
  if (error instanceof UpstreamNetworkError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
