/**
 * What one container holds of its tokens (docs/tokens.md, "Memory"): the current record per
 * credential, the stale-but-valid one a failed refresh falls back to, and the tokens WeCom rejected,
 * which are never handed out again, even while the fleet's record still holds one.
 */
import type { CredentialName } from '../credential-roles.ts';
import { rememberToken } from '../wecom/redact.ts';
import { isFresh, isValid } from './lifetime.ts';
import type { StoredToken } from './store.ts';

/** Rejected tokens a container remembers per credential. */
const REJECTED_KEPT = 4;

export class ContainerTokens {
  readonly #clock: () => number;
  readonly #records = new Map<CredentialName, StoredToken>();
  readonly #rejected = new Map<CredentialName, Set<string>>();

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  /** The record to use as it is, if memory has one (of `key`, not `rejected`, not due). */
  fresh(credential: CredentialName, key: string, rejected?: string): StoredToken | undefined {
    const record = this.#records.get(credential);
    return isFresh(record, key, this.#clock(), rejected) ? record : undefined;
  }

  /** Whether a record found elsewhere (the store) may be used: fresh, and not a rejected token. */
  usable(
    credential: CredentialName,
    record: StoredToken | undefined,
    key: string,
    rejected?: string,
  ): record is StoredToken {
    return isFresh(record, key, this.#clock(), rejected) && !this.isRejected(credential, record);
  }

  /** The record memory holds for `credential`, whatever its state (what a new token is compared with). */
  current(credential: CredentialName): StoredToken | undefined {
    return this.#records.get(credential);
  }

  remember(credential: CredentialName, record: StoredToken): StoredToken {
    rememberToken(record.token);
    this.#records.set(credential, record);
    return record;
  }

  /** WeCom rejected `token` (40014/42001): never hand it out again. */
  reject(credential: CredentialName, token: string): void {
    const rejected = this.#rejectedOf(credential);
    rejected.add(token);
    if (rejected.size > REJECTED_KEPT) rejected.delete(rejected.values().next().value as string);
    if (this.#records.get(credential)?.token === token) this.#records.delete(credential);
  }

  isRejected(credential: CredentialName, record: StoredToken): boolean {
    return this.#rejected.get(credential)?.has(record.token) ?? false;
  }

  /** The token past its refreshAt but still valid (and not rejected) that a failed refresh may serve. */
  fallback(credential: CredentialName, key: string): StoredToken | undefined {
    const record = this.#records.get(credential);
    return isValid(record, key, this.#clock(), this.#rejectedOf(credential)) ? record : undefined;
  }

  /** Keeps a store record as the fallback unless memory holds a longer-lived valid one. */
  keepAsFallback(credential: CredentialName, key: string, record: StoredToken | undefined): void {
    const now = this.#clock();
    const rejected = this.#rejectedOf(credential);
    if (!isValid(record, key, now, rejected)) return;
    const held = this.#records.get(credential);
    if (isValid(held, key, now, rejected) && held.expiresAt >= record.expiresAt) return;
    this.remember(credential, record);
  }

  clear(): void {
    this.#records.clear();
    this.#rejected.clear();
  }

  #rejectedOf(credential: CredentialName): Set<string> {
    const rejected = this.#rejected.get(credential) ?? new Set<string>();
    this.#rejected.set(credential, rejected);
    return rejected;
  }
}
