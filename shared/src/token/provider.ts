/**
 * The access_token provider: memory → the fleet's record in the token store → one gettoken under the
 * fleet lease, with a failure memory that keeps a bad secret or a WeCom outage from turning into a
 * gettoken storm. The algorithm, its costs and its guarantees are written out once, in docs/tokens.md;
 * this class only composes its parts and keeps one refresh in flight per credential:
 *  - lifetime.ts: when a token is fresh, valid, or news (pure);
 *  - container-tokens.ts: this container's tokens, its fallback and the tokens WeCom rejected;
 *  - resilient-store.ts: the store, whose failures become states (ok / throttled / unavailable);
 *  - fleet-lease.ts: claiming the lease and waiting for its holder (discriminated outcomes);
 *  - failure-memory.ts: what failed, for how long nobody asks again, and what callers answer meanwhile;
 *  - refresh.ts: one refresh, through the lease, built from the parts above.
 * gettoken is sent once per refresh: the retry layer of gettoken is the failure memory's backoff,
 * shared by the fleet, not a loop in a request (docs/tokens.md, "One retry layer").
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialName } from '../credential-roles.ts';
import type { CredentialIdentity, CredentialSource } from '../credentials.ts';
import { logger } from '../observability.ts';
import type { WeComTransport } from '../wecom/transport.ts';
import { ContainerTokens } from './container-tokens.ts';
import { type BackoffSettings, FailureMemory } from './failure-memory.ts';
import { DEFAULT_LEASE, FleetLease, type LeaseSettings } from './fleet-lease.ts';
import { DEFAULT_REFRESH_MARGIN_MS } from './lifetime.ts';
import { MemoryTokenStore } from './memory-store.ts';
import { FleetRefresh } from './refresh.ts';
import { ResilientStore } from './resilient-store.ts';
import type { StoredToken, TokenStore } from './store.ts';

export { DEFAULT_LEASE, type LeaseSettings } from './fleet-lease.ts';
export { DEFAULT_REFRESH_MARGIN_MS } from './lifetime.ts';

export interface TokenRequestOptions {
  /** Absolute deadline (epoch ms) of the call the token is for. */
  deadline?: number;
}

/** What the WeCom client needs from a provider. */
export interface AccessTokenSource {
  getToken(credential: CredentialName, options?: TokenRequestOptions): Promise<string>;
  /** After WeCom rejected `rejected` (40014/42001): a token that is not that one. */
  refreshAfterRejection(
    credential: CredentialName,
    rejected: string,
    options?: TokenRequestOptions,
  ): Promise<string>;
}

export interface TokenProviderOptions {
  credentials: CredentialSource;
  /** Used for gettoken only. */
  transport: WeComTransport;
  /**
   * Where tokens are shared across the fleet.
   * @default a MemoryTokenStore (this provider alone)
   * @example new SsmTokenStore({ ssm: new SSMClient({}), prefix: '/wecom-contact/dev' })
   */
  store?: TokenStore;
  /** Replace a new token this long before it expires (capped at half its lifetime). @default 30_000 */
  refreshMarginMs?: number;
  /**
   * The fleet lease on gettoken; each field falls back to its default.
   * @default DEFAULT_LEASE
   * @example { ttlMs: 5_000 }
   */
  lease?: Partial<LeaseSettings>;
  /** The fleet's backoff after a transient gettoken failure. @default DEFAULT_BACKOFF (1 s doubling to 30 s) */
  backoff?: Partial<BackoffSettings>;
  /** A refused secret is re-read from SSM at most this often. @default 60_000 */
  credentialRecheckMs?: number;
  /** Deadline of a gettoken made without a caller's deadline. @default 10_000 */
  defaultTimeoutMs?: number;
  /** This container's name on the lease. @default a random UUID */
  holderId?: string;
  /** @default Date.now */
  clock?: () => number;
  /** @default a real timer */
  sleep?: (ms: number) => Promise<unknown>;
  /** @default Math.random */
  random?: () => number;
}

type Flight = { readonly rejected?: string; readonly promise: Promise<StoredToken> };

export class TokenProvider implements AccessTokenSource {
  readonly #credentials: CredentialSource;
  readonly #failures: FailureMemory;
  readonly #tokens: ContainerTokens;
  readonly #refresh: FleetRefresh;
  readonly #flights = new Map<CredentialName, Flight>();

  constructor(options: TokenProviderOptions) {
    const clock = options.clock ?? Date.now;
    const timing = { clock, sleep: options.sleep ?? sleep, random: options.random ?? Math.random };
    const store = new ResilientStore(options.store ?? new MemoryTokenStore(), timing);
    this.#credentials = options.credentials;
    this.#failures = new FailureMemory({
      ...timing,
      backoff: options.backoff,
      recheckMs: options.credentialRecheckMs,
    });
    this.#tokens = new ContainerTokens(clock);
    this.#refresh = new FleetRefresh({
      store,
      lease: new FleetLease({
        ...timing,
        store,
        settings: { ...DEFAULT_LEASE, ...options.lease },
        holderId: options.holderId ?? randomUUID(),
      }),
      failures: this.#failures,
      tokens: this.#tokens,
      transport: options.transport,
      marginMs: options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS,
      defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
      clock,
    });
  }

  async getToken(credential: CredentialName, options: TokenRequestOptions = {}): Promise<string> {
    const identity = await this.#identity(credential);
    const cached = this.#tokens.fresh(credential, identity.key);
    if (cached !== undefined) return cached.token;
    try {
      return (await this.#singleFlight(credential, identity, undefined, options.deadline)).token;
    } catch (error) {
      // The last token known is past its refreshAt but valid (and not rejected): better than failing.
      const stale = this.#tokens.fallback(credential, identity.key);
      if (stale === undefined) throw error;
      logger.warn('Could not refresh the access_token; using the current one until it expires', {
        credential,
        error,
      });
      return stale.token;
    }
  }

  async refreshAfterRejection(
    credential: CredentialName,
    rejected: string,
    options: TokenRequestOptions = {},
  ): Promise<string> {
    const identity = await this.#identity(credential);
    this.#tokens.reject(credential, rejected);
    // Another call in this container may already have replaced it.
    const cached = this.#tokens.fresh(credential, identity.key, rejected);
    if (cached !== undefined) return cached.token;
    return (await this.#singleFlight(credential, identity, rejected, options.deadline)).token;
  }

  /** Forgets everything this container knows (tests; the store is left alone). */
  reset(): void {
    this.#tokens.clear();
    this.#flights.clear();
  }

  /** The credential, re-read from SSM when WeCom refused it and the recheck interval has passed. */
  async #identity(credential: CredentialName): Promise<CredentialIdentity> {
    const identity = await this.#credentials.identity(credential);
    this.#failures.noteLoaded(credential);
    return (await this.#recheck(credential, identity)) ?? identity;
  }

  /** A different identity from SSM, when the current one is refused and may be re-read now. */
  async #recheck(
    credential: CredentialName,
    identity: CredentialIdentity,
  ): Promise<CredentialIdentity | undefined> {
    if (!this.#failures.recheckDue(credential, identity.key)) return undefined;
    const reloaded = await this.#credentials.reload(credential);
    this.#failures.checked(credential);
    if (reloaded.key === identity.key) return undefined;
    logger.warn('WeCom refused the cached secret; using the newer one from the parameter store', {
      credential,
    });
    return reloaded;
  }

  /** One refresh per credential at a time; a rejection joins it unless it ended on the rejected token. */
  async #singleFlight(
    credential: CredentialName,
    identity: CredentialIdentity,
    rejected: string | undefined,
    deadline: number | undefined,
  ): Promise<StoredToken> {
    for (let round = 0; ; round++) {
      const flight =
        this.#flights.get(credential) ?? this.#startFlight(credential, identity, rejected, deadline);
      const token = await flight.promise;
      if (rejected === undefined || token.token !== rejected || flight.rejected === rejected || round > 0)
        return token;
    }
  }

  #startFlight(
    credential: CredentialName,
    identity: CredentialIdentity,
    rejected?: string,
    deadline?: number,
  ): Flight {
    const flight: Flight = {
      rejected,
      promise: this.#obtain(credential, identity, rejected, deadline).finally(() => {
        if (this.#flights.get(credential) === flight) this.#flights.delete(credential);
      }),
    };
    this.#flights.set(credential, flight);
    return flight;
  }

  /** A refresh; once more with a rotated secret when WeCom refused this one and SSM now holds another. */
  async #obtain(
    credential: CredentialName,
    identity: CredentialIdentity,
    rejected?: string,
    deadline?: number,
  ) {
    try {
      return await this.#refresh.refresh(credential, identity, { key: identity.key, rejected }, deadline);
    } catch (error) {
      const reloaded = await this.#recheck(credential, identity);
      if (reloaded === undefined) throw error;
      return this.#refresh.refresh(credential, reloaded, { key: reloaded.key, rejected }, deadline);
    }
  }
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return new TokenProvider(options);
}
