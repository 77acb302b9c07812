/**
 * What a container remembers of failed refreshes, per credential (docs/tokens.md, "When gettoken
 * fails"), and the record it leaves for the fleet in the lease parameter.
 *  - `credentials` (WeCom refused the corp id or secret: 40001, 40013, 40091, 41002, 41004): no
 *    gettoken with that key again. The secret is re-read at most once per `recheckMs`; only a changed
 *    value lifts the block. Meanwhile every request fails at once with WeCom's own errcode (a 502 that
 *    tells the operator what to fix).
 *  - `transient` (−1, 45009/45033, HTTP 5xx, network failure, timeout): no gettoken before the
 *    backoff ends, exponential with jitter over the fleet's failures in a row. Meanwhile every request
 *    fails at once with TokenUnavailableError (503 + Retry-After).
 * Any other failure (an unexpected answer) is not remembered.
 */

import type { CredentialName } from '../credential-roles.ts';
import {
  TokenUnavailableError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  WeComError,
} from '../errors.ts';
import { METRICS } from '../metric-names.ts';
import { countEvent, logger } from '../observability.ts';
import { jitteredDelay } from './lifetime.ts';
import type { FailureClass, FailureRecord, Lease } from './store.ts';

export interface BackoffSettings {
  /**
   * The first step after a transient failure; each failure in a row doubles it, with jitter.
   * @default 1_000
   */
  readonly baseMs: number;
  /** @default 30_000 */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffSettings = { baseMs: 1_000, maxMs: 30_000 };

/** How often a refused secret (and corp id) is re-read from SSM, at most. */
export const DEFAULT_CREDENTIAL_RECHECK_MS = 60_000;

/** WeCom refusing the corp id or the secret of gettoken (docs/wecom.md §2). */
const REFUSED_CREDENTIALS: ReadonlySet<number> = new Set([40001, 40013, 40091, 41002, 41004]);
/** WeCom busy or rate-limiting gettoken: worth asking again later. */
const BUSY_ERRCODES: ReadonlySet<number> = new Set([-1, 45009, 45033]);

/** The class of a failed gettoken, or `undefined` for a failure not worth remembering. */
export function classifyRefreshFailure(error: unknown): FailureClass | undefined {
  if (error instanceof WeComError) {
    if (REFUSED_CREDENTIALS.has(error.errcode)) return 'credentials';
    return BUSY_ERRCODES.has(error.errcode) ? 'transient' : undefined;
  }
  if (error instanceof UpstreamHttpError) return error.statusCode >= 500 ? 'transient' : undefined;
  if (error instanceof UpstreamNetworkError || error instanceof UpstreamTimeoutError) return 'transient';
  return undefined;
}

interface Remembered {
  readonly failure: FailureRecord;
  /** Transient: no gettoken before. Credentials: unused (blocked for good, per key). */
  readonly until: number;
  readonly cause?: unknown;
}

export interface FailureMemoryOptions {
  clock: () => number;
  random: () => number;
  backoff?: Partial<BackoffSettings>;
  recheckMs?: number;
}

export class FailureMemory {
  readonly #clock: () => number;
  readonly #random: () => number;
  readonly #backoff: BackoffSettings;
  readonly #recheckMs: number;
  readonly #failures = new Map<CredentialName, Remembered>();
  /** When each credential's secret was last (re-)read from SSM, as far as this memory knows. */
  readonly #checkedAt = new Map<CredentialName, number>();

  constructor(options: FailureMemoryOptions) {
    this.#clock = options.clock;
    this.#random = options.random;
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.#recheckMs = options.recheckMs ?? DEFAULT_CREDENTIAL_RECHECK_MS;
  }

  /** The error that stops a refresh with `key` right now, if any. */
  blocking(credential: CredentialName, key: string): Error | undefined {
    const remembered = this.#failures.get(credential);
    if (remembered === undefined) return undefined;
    const { failure, until, cause } = remembered;
    if (failure.class === 'credentials') return failure.key === key ? refusedError(failure) : undefined;
    const waitMs = until - this.#clock();
    if (waitMs <= 0) return undefined;
    return new TokenUnavailableError(Math.ceil(waitMs / 1000), describeFailure(failure), { cause });
  }

  /** Whether the secret should be read again: its key is refused and the last read is old enough. */
  recheckDue(credential: CredentialName, key: string): boolean {
    const failure = this.#failures.get(credential)?.failure;
    if (failure?.class !== 'credentials' || failure.key !== key) return false;
    return this.#clock() - (this.#checkedAt.get(credential) ?? Number.NEGATIVE_INFINITY) >= this.#recheckMs;
  }

  /** The secret was read now (the container's first read, or a re-read). */
  checked(credential: CredentialName): void {
    this.#checkedAt.set(credential, this.#clock());
  }

  /** Notes the first read of a credential, so that the recheck interval counts from it. */
  noteLoaded(credential: CredentialName): void {
    if (!this.#checkedAt.has(credential)) this.checked(credential);
  }

  /** Takes over the failure the fleet recorded in the lease parameter, if it has one. */
  adopt(credential: CredentialName, lease: Lease | undefined): void {
    if (lease?.failure === undefined) return;
    this.#failures.set(credential, { failure: lease.failure, until: lease.expiresAt });
  }

  /**
   * Remembers a failed gettoken with `key`; `previous` is the fleet's record it follows, if any.
   * Returns the record for the fleet, or `undefined` when the failure is not one to remember. The
   * request that met the failure answers with it as it is (e.g. 504 for a timeout); the requests after
   * it, with `blocking`'s error.
   */
  record(
    credential: CredentialName,
    key: string,
    error: unknown,
    previous: FailureRecord | undefined,
  ): { failure: FailureRecord; until: number } | undefined {
    const kind = classifyRefreshFailure(error);
    if (kind === undefined) return undefined;
    const attempts = previous?.class === kind ? previous.attempts + 1 : 1;
    const failure: FailureRecord = { class: kind, key, attempts, ...weComDetails(error) };
    const until =
      this.#clock() +
      (kind === 'transient'
        ? jitteredDelay(attempts - 1, this.#backoff.baseMs, this.#backoff.maxMs, this.#random)
        : this.#recheckMs);
    this.#failures.set(credential, { failure, until, cause: error });
    countEvent(METRICS.tokenRefreshFailed, { class: kind });
    logger.warn('gettoken failed; the fleet holds off', {
      credential,
      failure,
      retryInMs: until - this.#clock(),
    });
    return { failure, until };
  }

  /** A refresh succeeded: forget the credential's failures. */
  clear(credential: CredentialName): void {
    this.#failures.delete(credential);
  }
}

function weComDetails(error: unknown): Pick<FailureRecord, 'errcode' | 'errmsg'> {
  return error instanceof WeComError ? { errcode: error.errcode, errmsg: error.errmsg } : {};
}

/** The 502 a refused credential stands for, as WeCom said it (error-mapping.ts maps the errcode). */
function refusedError(failure: FailureRecord): WeComError {
  return new WeComError('gettoken', failure.errcode ?? 40001, failure.errmsg ?? 'invalid credential');
}

function describeFailure(failure: FailureRecord): string {
  const what = failure.errcode === undefined ? 'failed' : `answered errcode ${failure.errcode}`;
  return `WeCom's gettoken ${what} (${failure.attempts} time(s) in a row)`;
}
