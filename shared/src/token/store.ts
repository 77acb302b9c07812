/**
 * The fleet-wide token cache: one record per credential, shared by every container of a stage, plus
 * the refresh lease that lets one container at a time call gettoken. Implementations: SSM Parameter
 * Store (Lambda) and memory (local mode, tests).
 */
import type { CredentialName } from '../operations.ts';

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

/** Who refreshes a credential's token right now, and until when that claim holds. */
export interface Lease {
  readonly holder: string;
  readonly expiresAt: number;
}

export interface TokenStore {
  /** The stored record, or `undefined` when there is none. Throws when the store is unavailable. */
  read(credential: CredentialName): Promise<StoredToken | undefined>;
  write(credential: CredentialName, token: StoredToken): Promise<void>;
  /**
   * Claims the refresh lease; `false` while another holder's lease is unexpired at `now`. An expired
   * lease (its holder died) is taken over by exactly one claimant.
   */
  acquireLease(credential: CredentialName, lease: Lease, now: number): Promise<boolean>;
  /** Gives the lease back; called by its holder only, and only before the lease expired. */
  releaseLease(credential: CredentialName, holder: string): Promise<void>;
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
  return typeof value?.holder === 'string' && typeof value.expiresAt === 'number'
    ? { holder: value.holder, expiresAt: value.expiresAt }
    : undefined;
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
