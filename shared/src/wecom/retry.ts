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
 * table row's, operations.ts; the default is false): an idempotent call is re-sent; any other only if
 * it has a reconciler here, which checks the directory and turns the answer a re-send gets when the
 * first attempt took effect into the success it stands for. Without one, the ambiguous failure is the answer: never re-send blindly.
 *  - user/create: userids are unique, so a duplicate create only answers 60102. 60102 after an
 *    ambiguous attempt → user/get; the same member (name and contact fields as sent) → `created`,
 *    anyone else → the 60102 stands.
 *  - user/batchdelete (all or nothing): 60111/40031 after an ambiguous attempt → user/get each id;
 *    all gone → `deleted`.
 *  - user/delete: 60111 after an ambiguous attempt → the member is gone → `deleted`.
 *  - user/update with new_userid: 60111 after an ambiguous attempt and the new userid exists → `updated`.
 * A reconciled answer carries errcode 0 and WeCom's success errmsg but not the optional fields of the
 * lost answer (e.g. user/create's created_department_list).
 * Every attempt re-encodes the request (the transport builds the body per send), so nothing is re-sent
 * from a drained stream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamHttpError, UpstreamNetworkError, UpstreamTimeoutError, WeComError } from '../errors.ts';
import { logger } from '../observability.ts';
import { assertTextFields } from './answer-shape.ts';
import type { Member, WeComApi, WeComRequest, WeComResponse } from './apis.ts';

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

/** One attempt of a call, token handling included; reconcilers use it for their look-ups too. */
export type Attempt = <B extends WeComApi>(api: B, request: WeComRequest<B>) => Promise<WeComResponse<B>>;

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
  let mayHaveApplied = false;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(api, request);
    } catch (error) {
      if (mayHaveApplied && error instanceof WeComError) {
        const reconciled = await reconcile(api, request, error, attempt);
        if (reconciled !== undefined) return reconciled;
      }
      const verdict = retryVerdict(error);
      if (!verdict.retryable || retry >= policy.maxRetries) throw error;
      if (verdict.mayHaveApplied && !idempotent && !RECONCILED_APIS.has(api)) throw error;
      const delay = backoffDelay(retry, policy, environment.random);
      if (deadline - environment.now() - delay < policy.minAttemptMs) throw error;
      mayHaveApplied ||= verdict.mayHaveApplied;
      logger.info('Retrying WeCom call', { api, retry: retry + 1, delayMs: delay, reason: describe(error) });
      await environment.sleep(delay);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof WeComError) return `errcode ${error.errcode}`;
  if (error instanceof UpstreamHttpError) return `HTTP ${error.statusCode}`;
  if (error instanceof UpstreamNetworkError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}

type Reconciler<A extends WeComApi> = (
  request: WeComRequest<A>,
  error: WeComError,
  attempt: Attempt,
) => Promise<WeComResponse<A> | undefined>;

const USERID_EXISTS = 60102;
const USERID_NOT_FOUND = 60111;
const INVALID_USERID_LIST = 40031;

const RECONCILERS: { readonly [A in WeComApi]?: Reconciler<A> } = {
  'user/create': async (request, error, attempt) => {
    if (error.errcode !== USERID_EXISTS) return undefined;
    const member = await findMember(attempt, request.userid);
    return member !== undefined && isSameMember(request, member)
      ? { errcode: 0, errmsg: 'created' }
      : undefined;
  },
  'user/update': async (request, error, attempt) => {
    if (error.errcode !== USERID_NOT_FOUND || typeof request.new_userid !== 'string') return undefined;
    const renamed = await findMember(attempt, request.new_userid);
    return renamed === undefined ? undefined : { errcode: 0, errmsg: 'updated' };
  },
  'user/delete': async (_request, error) =>
    error.errcode === USERID_NOT_FOUND ? { errcode: 0, errmsg: 'deleted' } : undefined,
  'user/batchdelete': async (request, error, attempt) => {
    if (error.errcode !== USERID_NOT_FOUND && error.errcode !== INVALID_USERID_LIST) return undefined;
    return (await allAbsent(attempt, request.useridlist)) ? { errcode: 0, errmsg: 'deleted' } : undefined;
  },
};

/** The calls that have a reconciler. */
export const RECONCILED_APIS: ReadonlySet<WeComApi> = new Set(Object.keys(RECONCILERS) as WeComApi[]);

async function reconcile<A extends WeComApi>(
  api: A,
  request: WeComRequest<A>,
  error: WeComError,
  attempt: Attempt,
): Promise<WeComResponse<A> | undefined> {
  const reconciler = RECONCILERS[api] as Reconciler<A> | undefined;
  const answer = await reconciler?.(request, error, attempt);
  if (answer !== undefined) {
    logger.info('Ambiguous WeCom call resolved as applied', { api, errcode: error.errcode });
  }
  return answer;
}

/** The member, or `undefined` when WeCom says it does not exist (other failures propagate). */
async function findMember(attempt: Attempt, userid: string): Promise<Member | undefined> {
  try {
    return await attempt('user/get', { userid });
  } catch (error) {
    if (error instanceof WeComError && error.errcode === USERID_NOT_FOUND) return undefined;
    throw error;
  }
}

const LOOKUP_CONCURRENCY = 10;

async function allAbsent(attempt: Attempt, userids: readonly string[]): Promise<boolean> {
  for (let start = 0; start < userids.length; start += LOOKUP_CONCURRENCY) {
    const batch = userids.slice(start, start + LOOKUP_CONCURRENCY);
    const found = await Promise.all(batch.map((userid) => findMember(attempt, userid)));
    if (found.some((member) => member !== undefined)) return false;
  }
  return true;
}

/** Fields compared as sent; a field WeCom does not show (restricted apps) is not compared. */
const EXACT_FIELDS = ['name', 'alias', 'position', 'gender', 'telephone', 'external_position'] as const;

/** Whether the member WeCom holds is the one this create asked for. */
export function isSameMember(sent: Member<number | string>, held: Member): boolean {
  assertTextFields('user/get', held, [...EXACT_FIELDS, 'email', 'biz_mail', 'mobile']);
  for (const field of EXACT_FIELDS) {
    // String(): gender may be sent as a number (0, 1, 2); WeCom answers a string.
    if (sent[field] != null && held[field] !== undefined && String(sent[field]) !== held[field]) return false;
  }
  if (differs(sent.email, held.email, (value) => value.toLowerCase())) return false;
  if (differs(sent.biz_mail, held.biz_mail, (value) => value.toLowerCase())) return false;
  // WeCom may store "+86 13800000000" as "13800000000": compare the digits, allowing a country prefix.
  const digits = (value: string) => value.replace(/\D/g, '');
  if (typeof sent.mobile === 'string' && held.mobile !== undefined && held.mobile !== '') {
    const [a, b] = [digits(sent.mobile), digits(held.mobile)];
    if (!a.endsWith(b) && !b.endsWith(a)) return false;
  }
  return true;
}

function differs(sent: string | undefined, held: string | undefined, normalise: (value: string) => string) {
  return typeof sent === 'string' && held !== undefined && held !== '' && normalise(sent) !== normalise(held);
}
