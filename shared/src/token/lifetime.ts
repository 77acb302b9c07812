/**
 * Token lifetime policy, as pure functions (docs/tokens.md, "When a token is refreshed"): what a
 * gettoken answer is worth, when a token is replaced, and which record a container may use.
 */
import { UnexpectedAnswerError } from '../errors.ts';
import type { StoredToken } from './store.ts';

/** Default refresh margin: an allowance for clock skew between containers and for calls in flight. */
export const DEFAULT_REFRESH_MARGIN_MS = 30_000;

/** What a gettoken answer carries, once checked. */
export interface IssuedToken {
  readonly token: string;
  readonly lifetimeMs: number;
}

/**
 * Reads a gettoken answer. WeCom's documented success has `errcode` 0; an answer with a token and a
 * lifetime but no `errcode` is a success too (the transport lets it through for gettoken). Anything
 * else is an unexpected shape: a 502 "WeCom answered an unexpected shape" naming the field, never a
 * TypeError further down.
 */
export function readIssuedToken(answer: unknown): IssuedToken {
  if (typeof answer !== 'object' || answer === null) throw new UnexpectedAnswerError('gettoken', '(answer)');
  const { access_token: token, expires_in: expiresIn } = answer as Record<string, unknown>;
  if (typeof token !== 'string' || token === '') throw new UnexpectedAnswerError('gettoken', 'access_token');
  if (typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new UnexpectedAnswerError('gettoken', 'expires_in');
  }
  return { token, lifetimeMs: expiresIn * 1000 };
}

/**
 * The record of a token WeCom just issued. `requestedAt` is when the request left (the lifetime counts
 * from before it); `known` are this credential's records the container knew before asking.
 *
 * Within a token's validity WeCom normally hands the same token back, `expires_in` then counting only
 * the time left, so asking early only gets it back: a token WeCom re-issued is kept to its expiry, and
 * so is any later one once the fleet has seen a re-issue (`refreshAt = expiresAt` says so). Otherwise
 * it is replaced from `expiresAt − min(margin, lifetime / 2)`.
 */
export function recordIssued(
  issued: IssuedToken,
  key: string,
  requestedAt: number,
  known: readonly StoredToken[],
  marginMs: number,
): { record: StoredToken; reissued: boolean } {
  const sameKey = known.filter((record) => record.key === key);
  const reissued = sameKey.some((record) => record.token === issued.token);
  const keptToExpiry = reissued || sameKey.some(isKeptToExpiry);
  const expiresAt = requestedAt + issued.lifetimeMs;
  const refreshAt = keptToExpiry ? expiresAt : expiresAt - Math.min(marginMs, issued.lifetimeMs / 2);
  return { record: { key, token: issued.token, expiresAt, refreshAt }, reissued };
}

/** A record WeCom re-issued (or that followed one) is used to its expiry. */
export function isKeptToExpiry(record: StoredToken): boolean {
  return record.refreshAt >= record.expiresAt;
}

/** Usable as it is: this key, not the token WeCom just rejected, and not yet due for a refresh. */
export function isFresh(
  record: StoredToken | undefined,
  key: string,
  now: number,
  rejected?: string,
): record is StoredToken {
  return record !== undefined && record.key === key && record.token !== rejected && now < record.refreshAt;
}

/** Worth keeping as a fallback while a refresh fails: this key, not rejected, not yet expired. */
export function isValid(
  record: StoredToken | undefined,
  key: string,
  now: number,
  rejected: ReadonlySet<string>,
): record is StoredToken {
  return record !== undefined && record.key === key && !rejected.has(record.token) && now < record.expiresAt;
}

/** Whether storing `fresh` tells the fleet something `previous` does not. */
export function isNews(previous: StoredToken | undefined, fresh: StoredToken): boolean {
  return (
    previous === undefined ||
    previous.key !== fresh.key ||
    previous.token !== fresh.token ||
    previous.refreshAt < fresh.refreshAt
  );
}

/** Exponential backoff with jitter, uniform in [cap / 2, cap), cap = min(max, base · 2^step). */
export function jitteredDelay(step: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** step);
  return cap / 2 + (random() * cap) / 2;
}
