/**
 * The fleet-wide token cache (docs/tokens.md): per credential, the token record shared by every
 * container of a stage, and the lease parameter next to it. The lease says who refreshes right now —
 * or, after a failed refresh, why nobody may for a while (the fleet's failure memory). Both are read in
 * one round trip. Implementations: SSM Parameter Store (Lambda) and memory (local mode, tests).
 */
import type { CredentialName } from '../credential-roles.ts';

/** The cached access_token of one credential, as every container sees it. */
export interface StoredToken {
  /** credentialKey(corpId, secret) it was issued for: a record with another key is a miss. */
  readonly key: string;
  readonly token: string;
  /** When WeCom says it expires (epoch ms). */
  readonly expiresAt: number;
  /** From when containers look for a newer token instead of using this one (epoch ms). */
  readonly refreshAt: number;
}

/**
 * Why a refresh failed: `credentials` (WeCom refused the corp id or secret: never ask again with the
 * same ones) or `transient` (WeCom busy or unreachable: ask again after a backoff).
 */
export type FailureClass = 'credentials' | 'transient';

/** A failed refresh as the fleet remembers it. Never the secret, never a token. */
export interface FailureRecord {
  readonly class: FailureClass;
  /** The credential key that failed (corp id + a hash of the secret). */
  readonly key: string;
  /** Failed refreshes in a row; the backoff grows with it. */
  readonly attempts: number;
  /** WeCom's errcode, when WeCom answered one. */
  readonly errcode?: number;
  /** WeCom's errmsg (already scrubbed), for the 502 the fleet answers meanwhile. */
  readonly errmsg?: string;
}

/**
 * The lease record: `holder` refreshes until `expiresAt`; with `failure`, its refresh failed and no
 * container may refresh before `expiresAt` (the backoff), nor ever with a refused credential key.
 */
export interface Lease {
  readonly holder: string;
  readonly expiresAt: number;
  /**
   * The parameter version a takeover replaced. Every claimant of one takeover writes the same value,
   * so the winner can tell a loser's late write from a new holder's and delete it on release.
   */
  readonly round?: number;
  readonly failure?: FailureRecord;
}

/** What one read of the store found. */
export interface FleetView {
  readonly token?: StoredToken;
  readonly lease?: Lease;
}

/** A lease claim's answer: granted (with the record it replaced, if any), or the record in the way. */
export type LeaseClaim =
  | { readonly granted: true; readonly lease: Lease; readonly replaced?: Lease }
  | { readonly granted: false; readonly current?: Lease };

export interface TokenStore {
  /** The token record and the lease, in one round trip. Throws when the store is unavailable. */
  read(credential: CredentialName): Promise<FleetView>;
  write(credential: CredentialName, token: StoredToken): Promise<void>;
  /**
   * Claims the refresh lease for `lease.holder`. A record in the way is replaced only when
   * `isReplaceable` says so (expired, or a refused credential key that is not `key`), and then by
   * exactly one of the claimants that saw it.
   */
  acquireLease(credential: CredentialName, lease: Lease, now: number, key: string): Promise<LeaseClaim>;
  /**
   * Called by the holder while its lease runs: deletes the lease (its own record, or a late write of
   * a claimant that lost its takeover round), or replaces it with `failure`'s record.
   */
  releaseLease(credential: CredentialName, lease: Lease, failure?: Lease): Promise<void>;
}

/**
 * Whether a claimant with credential `key` may replace `current` at `now`: no record, an expired one,
 * or a failure of another key (the secret was changed since). A refused key blocks its own key for
 * good: nobody sends a refused secret again (docs/tokens.md).
 */
export function isReplaceable(current: Lease | undefined, now: number, key: string): boolean {
  if (current === undefined) return true;
  if (current.failure?.class === 'credentials') return current.failure.key !== key;
  return current.expiresAt <= now;
}

/** Whether a lease record still lets `holder` delete it on release (see `Lease.round`). */
export function isReleasableBy(current: Lease | undefined, lease: Lease): boolean {
  if (current === undefined || current.failure !== undefined) return false;
  return current.holder === lease.holder || (lease.round !== undefined && current.round === lease.round);
}

/** Parses a stored record; anything malformed is treated as no record. */
export function parseStoredToken(text: string | undefined): StoredToken | undefined {
  const value = parseObject(text);
  if (
    typeof value?.key !== 'string' ||
    typeof value.token !== 'string' ||
    value.token === '' ||
    typeof value.expiresAt !== 'number'
  ) {
    return undefined;
  }
  const refreshAt = typeof value.refreshAt === 'number' ? value.refreshAt : value.expiresAt;
  return { key: value.key, token: value.token, expiresAt: value.expiresAt, refreshAt };
}

export function parseLease(text: string | undefined): Lease | undefined {
  const value = parseObject(text);
  if (typeof value?.holder !== 'string' || typeof value.expiresAt !== 'number') return undefined;
  const round = typeof value.round === 'number' ? { round: value.round } : {};
  const failure = parseFailure(value.failure);
  return { holder: value.holder, expiresAt: value.expiresAt, ...round, ...(failure ? { failure } : {}) };
}

function parseFailure(value: unknown): FailureRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { class: kind, key, attempts, errcode, errmsg } = value as Record<string, unknown>;
  if ((kind !== 'credentials' && kind !== 'transient') || typeof key !== 'string') return undefined;
  return {
    class: kind,
    key,
    attempts: typeof attempts === 'number' ? attempts : 1,
    ...(typeof errcode === 'number' ? { errcode } : {}),
    ...(typeof errmsg === 'string' ? { errmsg } : {}),
  };
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
