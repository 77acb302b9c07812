/** The token store of local mode (one process) and of unit tests (a fleet sharing one instance). */
import type { CredentialName } from '../credential-roles.ts';
import {
  type FleetView,
  isReleasableBy,
  isReplaceable,
  type Lease,
  type LeaseClaim,
  type StoredToken,
  type TokenStore,
} from './store.ts';

export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<CredentialName, StoredToken>();
  readonly #leases = new Map<CredentialName, Lease>();

  async read(credential: CredentialName): Promise<FleetView> {
    return { token: this.#tokens.get(credential), lease: this.#leases.get(credential) };
  }

  async write(credential: CredentialName, token: StoredToken): Promise<void> {
    this.#tokens.set(credential, token);
  }

  async acquireLease(
    credential: CredentialName,
    lease: Lease,
    now: number,
    key: string,
  ): Promise<LeaseClaim> {
    const current = this.#leases.get(credential);
    if (!isReplaceable(current, now, key)) return { granted: false, current };
    this.#leases.set(credential, lease);
    return { granted: true, lease, ...(current ? { replaced: current } : {}) };
  }

  async releaseLease(credential: CredentialName, lease: Lease, failure?: Lease): Promise<void> {
    if (failure !== undefined) this.#leases.set(credential, failure);
    else if (isReleasableBy(this.#leases.get(credential), lease)) this.#leases.delete(credential);
  }
}
