/** The token store of local mode (one process) and of unit tests (a fleet sharing one instance). */
import type { CredentialName } from '../operations.ts';
import type { Lease, StoredToken, TokenStore } from './store.ts';

export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<CredentialName, StoredToken>();
  readonly #leases = new Map<CredentialName, Lease>();

  async read(credential: CredentialName): Promise<StoredToken | undefined> {
    return this.#tokens.get(credential);
  }

  async write(credential: CredentialName, token: StoredToken): Promise<void> {
    this.#tokens.set(credential, token);
  }

  async acquireLease(credential: CredentialName, lease: Lease, now: number): Promise<boolean> {
    const held = this.#leases.get(credential);
    if (held !== undefined && held.expiresAt > now) return false;
    this.#leases.set(credential, lease);
    return true;
  }

  async releaseLease(credential: CredentialName, holder: string): Promise<void> {
    if (this.#leases.get(credential)?.holder === holder) this.#leases.delete(credential);
  }
}
