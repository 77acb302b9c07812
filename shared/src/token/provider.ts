/**
 * The access_token provider: memory → the fleet's record in the token store → one gettoken under the
 * fleet lease, with a failure memory that keeps a bad secret or a WeCom outage from turning into a
 * gettoken storm. The algorithm, its costs and its guarantees are written out once, in docs/tokens.md;
 * this class only composes its parts:
 *  - lifetime.ts: when a token is fresh, valid, or news (pure);
 *  - resilient-store.ts: the store, whose failures become states (ok / throttled / unavailable);
 *  - fleet-lease.ts: claiming the lease and waiting for its holder (discriminated outcomes);
 *  - failure-memory.ts: what failed, for how long nobody asks again, and what callers answer meanwhile.
 * gettoken is sent once per refresh: the retry layer of gettoken is the failure memory's backoff,
 * shared by the fleet, not a loop in a request (docs/tokens.md, "One retry layer").
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialIdentity, CredentialSource } from '../credentials.ts';
import { TokenUnavailableError } from '../errors.ts';
import { logger } from '../observability.ts';
import type { CredentialName } from '../operations.ts';
import { rememberToken } from '../wecom/redact.ts';
import type { WeComTransport } from '../wecom/transport.ts';
import { type BackoffSettings, FailureMemory } from './failure-memory.ts';
import {
  type ClaimOutcome,
  DEFAULT_LEASE,
  FleetLease,
  LEASE_GUARD_MS,
  type LeaseSettings,
  type WaitOutcome,
  type Wanted,
} from './fleet-lease.ts';
import {
  DEFAULT_REFRESH_MARGIN_MS,
  isFresh,
  isNews,
  isValid,
  readIssuedToken,
  recordIssued,
} from './lifetime.ts';
import { MemoryTokenStore } from './memory-store.ts';
import { ResilientStore } from './resilient-store.ts';
import type { Lease, StoredToken, TokenStore } from './store.ts';

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
  /** @default a MemoryTokenStore (this provider alone) */
  store?: TokenStore;
  /** Replace a new token this long before it expires (capped at half its lifetime). @default 30_000 */
  refreshMarginMs?: number;
  lease?: Partial<LeaseSettings>;
  /** The fleet's backoff after a transient gettoken failure. @default DEFAULT_BACKOFF (1 s doubling to 30 s) */
  backoff?: Partial<BackoffSettings>;
  /** A refused secret is re-read from SSM at most this often. @default 60_000 */
  credentialRecheckMs?: number;
  /** Deadline of a gettoken made without a caller's deadline. @default 10_000 */
  defaultTimeoutMs?: number;
  /** This container's name on the lease. @default a random UUID */
  holderId?: string;
  clock?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

/** Claims per refresh that end waiting on a live holder; then the container refreshes by itself. */
const LEASE_CLAIMS = 3;
/** Rejected tokens a container remembers per credential (never served again). */
const REJECTED_KEPT = 4;

type Flight = { readonly rejected?: string; readonly promise: Promise<StoredToken> };

export class TokenProvider implements AccessTokenSource {
  readonly #credentials: CredentialSource;
  readonly #transport: WeComTransport;
  readonly #store: ResilientStore;
  readonly #lease: FleetLease;
  readonly #failures: FailureMemory;
  readonly #marginMs: number;
  readonly #defaultTimeoutMs: number;
  readonly #clock: () => number;
  readonly #memory = new Map<CredentialName, StoredToken>();
  readonly #rejected = new Map<CredentialName, Set<string>>();
  readonly #flights = new Map<CredentialName, Flight>();

  constructor(options: TokenProviderOptions) {
    const clock = options.clock ?? Date.now;
    const timing = { clock, sleep: options.sleep ?? sleep, random: options.random ?? Math.random };
    this.#credentials = options.credentials;
    this.#transport = options.transport;
    this.#store = new ResilientStore(options.store ?? new MemoryTokenStore(), timing);
    const settings = { ...DEFAULT_LEASE, ...options.lease };
    this.#lease = new FleetLease({
      ...timing,
      store: this.#store,
      settings,
      holderId: options.holderId ?? randomUUID(),
    });
    this.#failures = new FailureMemory({
      ...timing,
      backoff: options.backoff,
      recheckMs: options.credentialRecheckMs,
    });
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
    this.#clock = clock;
  }

  async getToken(credential: CredentialName, options: TokenRequestOptions = {}): Promise<string> {
    const identity = await this.#identity(credential);
    const cached = this.#memory.get(credential);
    if (isFresh(cached, identity.key, this.#clock())) return cached.token;
    try {
      return (await this.#singleFlight(credential, identity, undefined, options.deadline)).token;
    } catch (error) {
      // The last token known is past its refreshAt but valid (and not rejected): better than failing.
      const stale = this.#memory.get(credential);
      if (!isValid(stale, identity.key, this.#clock(), this.#rejectedOf(credential))) throw error;
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
    const rejectedSet = this.#rejectedOf(credential);
    rejectedSet.add(rejected);
    if (rejectedSet.size > REJECTED_KEPT) rejectedSet.delete(rejectedSet.values().next().value as string);
    if (this.#memory.get(credential)?.token === rejected) this.#memory.delete(credential);
    // Another call in this container may already have replaced it.
    const cached = this.#memory.get(credential);
    if (isFresh(cached, identity.key, this.#clock(), rejected)) return cached.token;
    return (await this.#singleFlight(credential, identity, rejected, options.deadline)).token;
  }

  /** Forgets everything this container knows (tests; the store is left alone). */
  reset(): void {
    this.#memory.clear();
    this.#rejected.clear();
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
      return await this.#obtainFor(credential, identity, { key: identity.key, rejected }, deadline);
    } catch (error) {
      const reloaded = await this.#recheck(credential, identity);
      if (reloaded === undefined) throw error;
      return this.#obtainFor(credential, reloaded, { key: reloaded.key, rejected }, deadline);
    }
  }

  async #obtainFor(
    credential: CredentialName,
    identity: CredentialIdentity,
    wanted: Wanted,
    deadline?: number,
  ) {
    this.#throwIfBlocked(credential, identity);
    const read = await this.#store.read(credential);
    if (read.state === 'unavailable')
      return this.#refreshAlone(credential, identity, undefined, deadline, false);
    const stored = read.state === 'ok' ? read.view.token : undefined;
    if (
      isFresh(stored, wanted.key, this.#clock(), wanted.rejected) &&
      !this.#isRejected(credential, stored)
    ) {
      return this.#remember(credential, stored);
    }
    if (read.state === 'ok') {
      this.#keepAsFallback(credential, identity, stored);
      this.#failures.adopt(credential, read.view.lease);
      this.#throwIfBlocked(credential, identity);
    }
    return this.#throughLease(credential, identity, wanted, stored, deadline);
  }

  /** Claims the lease, or waits for its holder; past a bounded wait, refreshes by itself. */
  async #throughLease(
    credential: CredentialName,
    identity: CredentialIdentity,
    wanted: Wanted,
    previous: StoredToken | undefined,
    deadline: number | undefined,
  ): Promise<StoredToken> {
    const { ttlMs, pollMaxMs } = this.#lease.settings;
    // Lease time waited: a held lease counts whole, a busy SSM (which says nothing about a holder) its
    // poll window, and a busy SSM is waited on no longer than a lease by the clock either (its polls
    // are slow); a frozen clock cannot stall this.
    const busyUntil = this.#clock() + ttlMs;
    let outcome: WaitOutcome = { kind: 'timeout' };
    for (let spentMs = 0; spentMs < LEASE_CLAIMS * ttlMs; ) {
      const claim = await this.#lease.claim(credential, identity.key);
      if (claim.kind !== 'held' && claim.kind !== 'busy') {
        return this.#afterClaim(credential, identity, claim, previous, wanted, deadline);
      }
      // Held elsewhere, or SSM too busy to say: wait for the fleet's token.
      const held = claim.kind === 'held';
      outcome = await this.#lease.wait(credential, wanted, deadline, held ? ttlMs : pollMaxMs);
      if (outcome.kind === 'token') return this.#remember(credential, outcome.record);
      if (outcome.kind === 'failed') throw this.#adoptFailure(credential, identity, outcome.lease);
      if (!isWorthWaiting(outcome, held, busyUntil, this.#clock())) break;
      spentMs += held ? ttlMs : pollMaxMs;
    }
    // The lease only saves calls: past a bounded wait, refresh by ourselves.
    return this.#refreshAlone(credential, identity, previous, deadline, outcome.kind !== 'unavailable');
  }

  /** A claim that ends the wait: ours (lead), no fleet (alone), or the fleet's failure (thrown). */
  #afterClaim(
    credential: CredentialName,
    identity: CredentialIdentity,
    claim: Exclude<ClaimOutcome, { kind: 'held' | 'busy' }>,
    previous: StoredToken | undefined,
    wanted: Wanted,
    deadline: number | undefined,
  ): Promise<StoredToken> {
    if (claim.kind === 'holder') return this.#lead(credential, identity, claim, previous, wanted, deadline);
    if (claim.kind === 'failed') throw this.#adoptFailure(credential, identity, claim.lease);
    return this.#refreshAlone(credential, identity, previous, deadline, false);
  }

  /** Under the lease: re-read, gettoken, store, and give the lease back — or leave the failure in its place. */
  async #lead(
    credential: CredentialName,
    identity: CredentialIdentity,
    { lease, replaced }: Extract<ClaimOutcome, { kind: 'holder' }>,
    previous: StoredToken | undefined,
    wanted: Wanted,
    callerDeadline: number | undefined,
  ): Promise<StoredToken> {
    const again = await this.#store.read(credential);
    const current = again.state === 'ok' ? again.view.token : previous;
    if (
      isFresh(current, wanted.key, this.#clock(), wanted.rejected) &&
      !this.#isRejected(credential, current)
    ) {
      await this.#lease.release(credential, lease);
      return this.#remember(credential, current);
    }
    // Done before the lease ends, leaving time to store the token or the failure.
    const leaseDeadline = lease.expiresAt - 2 * LEASE_GUARD_MS;
    const deadline = Math.min(callerDeadline ?? leaseDeadline, leaseDeadline);
    let fresh: StoredToken;
    try {
      fresh = await this.#fetch(credential, identity, current, deadline);
    } catch (error) {
      const failed = this.#failures.record(credential, identity.key, error, replaced?.failure);
      if (failed === undefined) {
        await this.#lease.release(credential, lease);
        throw error;
      }
      await this.#lease.recordFailure(credential, lease, {
        holder: lease.holder,
        expiresAt: failed.until,
        failure: failed.failure,
      });
      throw error;
    }
    if (isNews(current, fresh)) await this.#store.write(credential, fresh, lease.expiresAt - LEASE_GUARD_MS);
    await this.#lease.release(credential, lease);
    return this.#remember(credential, fresh);
  }

  /** gettoken without the fleet (store down, or a bounded wait ran out); `persist` stores the token. */
  async #refreshAlone(
    credential: CredentialName,
    identity: CredentialIdentity,
    previous: StoredToken | undefined,
    deadline: number | undefined,
    persist: boolean,
  ): Promise<StoredToken> {
    this.#throwIfBlocked(credential, identity);
    let fresh: StoredToken;
    try {
      fresh = await this.#fetch(credential, identity, previous, deadline);
    } catch (error) {
      this.#failures.record(credential, identity.key, error, undefined);
      throw error;
    }
    const until = deadline ?? this.#clock() + this.#defaultTimeoutMs;
    if (persist && isNews(previous, fresh)) await this.#store.write(credential, fresh, until);
    return this.#remember(credential, fresh);
  }

  /** One gettoken, within `callerDeadline` (or the default timeout); no retry here (see the header). */
  async #fetch(
    credential: CredentialName,
    identity: CredentialIdentity,
    previous: StoredToken | undefined,
    callerDeadline: number | undefined,
  ): Promise<StoredToken> {
    const requestedAt = this.#clock();
    const deadline = callerDeadline ?? requestedAt + this.#defaultTimeoutMs;
    const request = { corpid: identity.corpId, corpsecret: identity.secret };
    const issued = readIssuedToken(await this.#transport.send('gettoken', request, { deadline }));
    const known = [previous, this.#memory.get(credential)].filter((record) => record !== undefined);
    const { record, reissued } = recordIssued(issued, identity.key, requestedAt, known, this.#marginMs);
    this.#failures.clear(credential);
    logger.info('Fetched an access_token from WeCom', {
      credential,
      credentialKey: identity.key,
      expiresAt: record.expiresAt,
      reissued,
    });
    return record;
  }

  #throwIfBlocked(credential: CredentialName, identity: CredentialIdentity): void {
    const blocked = this.#failures.blocking(credential, identity.key);
    if (blocked !== undefined) throw blocked;
  }

  /** The fleet's failure record, taken over: the error this request answers with. */
  #adoptFailure(credential: CredentialName, identity: CredentialIdentity, lease: Lease): Error {
    this.#failures.adopt(credential, lease);
    const blocked = this.#failures.blocking(credential, identity.key);
    return blocked ?? new TokenUnavailableError(1, 'the fleet recorded a failed refresh');
  }

  #rejectedOf(credential: CredentialName): Set<string> {
    const rejected = this.#rejected.get(credential) ?? new Set<string>();
    this.#rejected.set(credential, rejected);
    return rejected;
  }

  #isRejected(credential: CredentialName, record: StoredToken): boolean {
    return this.#rejected.get(credential)?.has(record.token) ?? false;
  }

  #remember(credential: CredentialName, record: StoredToken): StoredToken {
    rememberToken(record.token);
    this.#memory.set(credential, record);
    return record;
  }

  /** A stored token past its refreshAt but valid is what a failed refresh falls back to (getToken). */
  #keepAsFallback(
    credential: CredentialName,
    identity: CredentialIdentity,
    record: StoredToken | undefined,
  ): void {
    const now = this.#clock();
    if (!isValid(record, identity.key, now, this.#rejectedOf(credential))) return;
    const current = this.#memory.get(credential);
    if (
      isValid(current, identity.key, now, this.#rejectedOf(credential)) &&
      current.expiresAt >= record.expiresAt
    )
      return;
    this.#remember(credential, record);
  }
}

/**
 * After a wait without the token: claim again (`free`, `timeout`; after a busy SSM, only until
 * `busyUntil`), or give up on the fleet.
 */
function isWorthWaiting(outcome: WaitOutcome, held: boolean, busyUntil: number, now: number): boolean {
  if (outcome.kind !== 'free' && outcome.kind !== 'timeout') return false;
  return held || now < busyUntil;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return new TokenProvider(options);
}
