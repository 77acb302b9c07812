/**
 * The token store as the provider uses it (docs/tokens.md, "When SSM is throttled or down"): no call
 * throws. Each answers `ok`, `throttled` (SSM busy: try later, and treat the fleet as still there) or
 * `unavailable` (down or refused: carry on without the fleet), logs a warning and counts
 * `TokenStoreDegraded` when it is not `ok`. A throttled write is retried once: followers wait for it.
 */
import { classifyAwsFailure } from '../aws-errors.ts';
import type { CredentialName } from '../credential-roles.ts';
import { METRICS } from '../metric-names.ts';
import { countEvent, logger } from '../observability.ts';
import { jitteredDelay } from './lifetime.ts';
import type { FleetView, Lease, LeaseClaim, StoredToken, TokenStore } from './store.ts';

export type StoreState = 'ok' | 'throttled' | 'unavailable';

export type Outcome<T> = ({ readonly state: 'ok' } & T) | { readonly state: Exclude<StoreState, 'ok'> };

/** Tries of a store write when SSM throttles it (the SDK has retried each already). */
const WRITE_TRIES = 2;
const WRITE_BACKOFF_MS = 50;

/** The provider's own timing (TokenProviderOptions), so that tests drive both with one fake clock. */
export interface ResilientStoreOptions {
  /** @example Date.now */
  clock: () => number;
  /** Waits between the tries of a throttled write. @example setTimeout (node:timers/promises) */
  sleep: (ms: number) => Promise<unknown>;
  /** Jitters that wait. @example Math.random */
  random: () => number;
}

export class ResilientStore {
  readonly #store: TokenStore;
  readonly #options: ResilientStoreOptions;

  constructor(store: TokenStore, options: ResilientStoreOptions) {
    this.#store = store;
    this.#options = options;
  }

  async read(credential: CredentialName): Promise<Outcome<{ view: FleetView }>> {
    try {
      return { state: 'ok', view: await this.#store.read(credential) };
    } catch (error) {
      return { state: degraded('read', credential, error) };
    }
  }

  /** Stores the token, retrying a throttled write (with backoff) while `until` allows. */
  async write(credential: CredentialName, record: StoredToken, until: number): Promise<StoreState> {
    const { clock, sleep, random } = this.#options;
    for (let tries = 1; ; tries++) {
      try {
        await this.#store.write(credential, record);
        return 'ok';
      } catch (error) {
        const delay = jitteredDelay(tries, WRITE_BACKOFF_MS, WRITE_BACKOFF_MS * 4, random);
        const retry =
          tries < WRITE_TRIES && classifyAwsFailure(error) === 'throttled' && clock() + delay < until;
        if (!retry) return degraded('write', credential, error);
        await sleep(delay);
      }
    }
  }

  async acquireLease(
    credential: CredentialName,
    lease: Lease,
    key: string,
  ): Promise<Outcome<{ claim: LeaseClaim }>> {
    try {
      return {
        state: 'ok',
        claim: await this.#store.acquireLease(credential, lease, this.#options.clock(), key),
      };
    } catch (error) {
      return { state: degraded('lease', credential, error) };
    }
  }

  async releaseLease(credential: CredentialName, lease: Lease, failure?: Lease): Promise<StoreState> {
    try {
      await this.#store.releaseLease(credential, lease, failure);
      return 'ok';
    } catch (error) {
      return degraded('lease', credential, error);
    }
  }
}

/** Logs and counts a store failure; says whether the store is throttled or unavailable. */
function degraded(
  operation: 'read' | 'write' | 'lease',
  credential: CredentialName,
  error: unknown,
): Exclude<StoreState, 'ok'> {
  const state = classifyAwsFailure(error) === 'throttled' ? 'throttled' : 'unavailable';
  logger.warn(
    state === 'throttled'
      ? 'Token store throttled; waiting for the fleet token before calling WeCom'
      : 'Token store unavailable; serving access_tokens without it',
    { credential, operation, error },
  );
  countEvent(METRICS.tokenStoreDegraded);
  return state;
}
