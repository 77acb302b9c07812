/**
 * The fleet lease (docs/tokens.md, "One refresh across the fleet"): one container at a time calls
 * gettoken; the others wait for its token. Every step answers a discriminated outcome, so the provider
 * says what it does in each case instead of decoding flags.
 *  - claim: `holder` (ours, with the record it replaced), `held` (another container refreshes),
 *    `failed` (a failure record blocks us), `busy` (SSM throttled the claim: the fleet is likely
 *    there, we cannot tell), `unavailable` (no fleet: refresh alone).
 *  - wait: polls the token and the lease (one read) with backoff and jitter until the holder's token
 *    shows (`token`), the holder records a failure (`failed`), the lease is gone without a token or has
 *    expired (`free`: claim again at once), `waitMs` passed (`timeout`), the caller's deadline is
 *    near (`deadline`) or the store is down (`unavailable`).
 */
import type { CredentialName } from '../credential-roles.ts';
import { isFresh, jitteredDelay } from './lifetime.ts';
import type { ResilientStore } from './resilient-store.ts';
import { isReplaceable, type Lease, type StoredToken } from './store.ts';

export interface LeaseSettings {
  /**
   * How long a lease holds: a holder that died blocks nobody longer than this. The holder's gettoken
   * ends `LEASE_GUARD_MS` before it.
   * @default 10_000
   */
  readonly ttlMs: number;
  /** First poll delay; doubles per poll up to `pollMaxMs`, with jitter. @default 50 */
  readonly pollBaseMs: number;
  /** @default 500 */
  readonly pollMaxMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = { ttlMs: 10_000, pollBaseMs: 50, pollMaxMs: 500 };

/**
 * The holder's gettoken ends this long before its lease expires, leaving time to store the token; and
 * the holder gives the lease back only while this much of it is left, so that it never deletes a lease
 * another container took over.
 */
export const LEASE_GUARD_MS = 1_000;
/** A follower stops waiting while this much time is left: enough for its own gettoken and the call. */
const OWN_REFRESH_RESERVE_MS = 1_000;

export type ClaimOutcome =
  | { readonly kind: 'holder'; readonly lease: Lease; readonly replaced?: Lease }
  | { readonly kind: 'held' }
  | { readonly kind: 'failed'; readonly lease: Lease }
  | { readonly kind: 'busy' }
  | { readonly kind: 'unavailable' };

export type WaitOutcome =
  | { readonly kind: 'token'; readonly record: StoredToken }
  | { readonly kind: 'failed'; readonly lease: Lease }
  | { readonly kind: 'free' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'deadline' }
  | { readonly kind: 'unavailable' };

/** What a follower wants: a fresh token of `key` that is not `rejected`. */
export interface Wanted {
  readonly key: string;
  readonly rejected?: string;
}

export interface FleetLeaseOptions {
  store: ResilientStore;
  holderId: string;
  settings: LeaseSettings;
  clock: () => number;
  sleep: (ms: number) => Promise<unknown>;
  random: () => number;
}

export class FleetLease {
  readonly #options: FleetLeaseOptions;

  constructor(options: FleetLeaseOptions) {
    this.#options = options;
  }

  get settings(): LeaseSettings {
    return this.#options.settings;
  }

  async claim(credential: CredentialName, key: string): Promise<ClaimOutcome> {
    const { store, holderId, settings, clock } = this.#options;
    const lease: Lease = { holder: holderId, expiresAt: clock() + settings.ttlMs };
    const answer = await store.acquireLease(credential, lease, key);
    if (answer.state !== 'ok') return { kind: answer.state === 'throttled' ? 'busy' : 'unavailable' };
    const { claim } = answer;
    if (claim.granted) return { kind: 'holder', lease: claim.lease, replaced: claim.replaced };
    // A failure record in the way blocks us; one we may replace means another claimant won the race.
    const { current } = claim;
    const blocked = current?.failure !== undefined && !isReplaceable(current, clock(), key);
    return blocked ? { kind: 'failed', lease: current } : { kind: 'held' };
  }

  /** Polls for the holder's outcome for up to `waitMs` (bounded by the clock and by the scheduled delays). */
  async wait(
    credential: CredentialName,
    wanted: Wanted,
    deadline: number | undefined,
    waitMs: number,
  ): Promise<WaitOutcome> {
    const { store, clock, sleep } = this.#options;
    const started = clock();
    for (let poll = 0, waited = 0; waited < waitMs && clock() - started < waitMs; poll++) {
      const delay = this.pollDelay(poll);
      if (deadline !== undefined && clock() + delay > deadline - OWN_REFRESH_RESERVE_MS) {
        return { kind: 'deadline' };
      }
      await sleep(delay);
      waited += delay;
      const read = await store.read(credential);
      if (read.state === 'unavailable') return { kind: 'unavailable' };
      const seen = read.state === 'ok' ? followerView(read.view, wanted, clock()) : undefined;
      if (seen !== undefined) return seen;
    }
    return { kind: 'timeout' };
  }

  /** Gives the lease back (its token is stored, or it has none to offer). */
  async release(credential: CredentialName, lease: Lease): Promise<void> {
    if (this.#isAlmostOver(lease)) return;
    await this.#options.store.releaseLease(credential, lease);
  }

  /** Replaces our lease with the failure record: followers stop waiting, the fleet backs off. */
  async recordFailure(credential: CredentialName, lease: Lease, failure: Lease): Promise<void> {
    if (this.#isAlmostOver(lease)) return;
    await this.#options.store.releaseLease(credential, lease, failure);
  }

  /** Exponential backoff with jitter between polls. */
  pollDelay(poll: number): number {
    const { settings, random } = this.#options;
    return jitteredDelay(poll, settings.pollBaseMs, settings.pollMaxMs, random);
  }

  /** Close to its expiry another container may take the lease over: leave it to expire instead. */
  #isAlmostOver(lease: Lease): boolean {
    return this.#options.clock() >= lease.expiresAt - LEASE_GUARD_MS;
  }
}

/**
 * What a follower makes of one read: the token it waits for, the holder's failure, a lease it may claim
 * now (gone, or expired: its holder died), or nothing new (`undefined`: keep waiting).
 */
export function followerView(
  view: { readonly token?: StoredToken; readonly lease?: Lease },
  { key, rejected }: Wanted,
  now: number,
): WaitOutcome | undefined {
  if (isFresh(view.token, key, now, rejected)) return { kind: 'token', record: view.token };
  const { lease } = view;
  if (lease?.failure !== undefined && !isReplaceable(lease, now, key)) return { kind: 'failed', lease };
  if (lease === undefined || isReplaceable(lease, now, key)) return { kind: 'free' };
  return undefined;
}
