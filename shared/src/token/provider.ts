/**
 * The access_token provider (design.md §4): memory → token store → gettoken.
 *
 *  1. Memory: a warm container reuses its token until its `refreshAt`; no network call at all.
 *  2. Store: on a miss, the fleet's record (a record for another corp id/secret key is a miss).
 *  3. gettoken, single-flight per container and leased across the fleet: the lease holder re-reads the
 *     store, calls gettoken, writes the store and releases; the others poll the store with backoff and
 *     jitter and, after a bounded wait, refresh themselves (the lease only saves calls).
 *  4. On 40014/42001 the client calls `refreshAfterRejection`: the rejected token leaves memory, the
 *     store is re-read, a different token there is used, and only if the store still holds the rejected
 *     one is gettoken called (the store written only when the value changed).
 *  5. A store that fails does not fail the call: the provider serves from gettoken and memory, logs a
 *     warning and counts `TokenStoreDegraded` (a throttled store, after a bounded wait: see below).
 *
 * Lifetimes come from WeCom's `expires_in`, measured from before the request. A new token is replaced
 * from `refreshAt = expiresAt − min(margin, lifetime / 2)`, the margin a small allowance for clock skew
 * and calls in flight (30 s by default). Within a token's validity WeCom normally hands the same token
 * back (its same-token rule), `expires_in` then counting only the time left: asking early only gets it
 * back. So a token WeCom re-issued is kept until its expiry, and so is any later token once the fleet
 * has seen a re-issue (the stored record says so: `refreshAt = expiresAt`). A call that meets 42001 at
 * the boundary is served by compare-and-refresh (4). Warm containers thus read the store once per
 * lifetime (twice in the fleet's first one, whose token had no history and was refreshed early).
 *
 * Throttling is not an outage: SSM throttles exactly when a herd refreshes. A throttled store read
 * still goes for the lease, and a throttled lease claim is retried, while the container waits for the
 * fleet's token, for up to one lease TTL (it does not count as a claim: it found no holder). A follower
 * waits as long as a lease can hold, then claims the lease again (an expired one goes to exactly one
 * claimant), and the holder's gettoken must end before its lease does. So neither a slow nor a dead holder lets the fleet call gettoken at once.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyAwsFailure } from '../aws-errors.ts';
import type { CredentialIdentity, CredentialSource } from '../credentials.ts';
import { UpstreamHttpError, WeComError } from '../errors.ts';
import { countEvent, logger } from '../observability.ts';
import { type CredentialName, METRICS } from '../operations.ts';
import { rememberToken } from '../wecom/redact.ts';
import { type Attempt, callWithRetry } from '../wecom/retry.ts';
import type { WeComTransport } from '../wecom/transport.ts';
import { MemoryTokenStore } from './memory-store.ts';
import type { Lease, StoredToken, TokenStore } from './store.ts';

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

export interface LeaseSettings {
  /**
   * How long a lease holds: a holder that died blocks nobody longer than this, and followers wait this
   * long for the holder's token before claiming the lease again. The holder's gettoken ends
   * `LEASE_GUARD_MS` before it.
   */
  readonly ttlMs: number;
  /** First poll delay; doubles per poll up to `pollMaxMs`, with jitter. */
  readonly pollBaseMs: number;
  readonly pollMaxMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = {
  ttlMs: 10_000,
  pollBaseMs: 50,
  pollMaxMs: 500,
};

/** Default refresh margin: an allowance for clock skew between containers and for calls in flight. */
export const DEFAULT_REFRESH_MARGIN_MS = 30_000;

export interface TokenProviderOptions {
  credentials: CredentialSource;
  /** Used for gettoken only. */
  transport: WeComTransport;
  /** Default: a MemoryTokenStore (this provider alone). */
  store?: TokenStore;
  /**
   * Replace a new token this long before it expires (capped at half its lifetime); re-issued tokens
   * are kept to their expiry. Default DEFAULT_REFRESH_MARGIN_MS.
   */
  refreshMarginMs?: number;
  lease?: Partial<LeaseSettings>;
  /** Deadline of a gettoken made without a caller's deadline. Default 10 s. */
  defaultTimeoutMs?: number;
  /** This container's name on the lease. Default: a random UUID. */
  holderId?: string;
  clock?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
}

const BAD_SECRET = 40001;
/** A follower stops waiting while this much time is left: enough for its own gettoken and the call. */
const OWN_REFRESH_RESERVE_MS = 1_000;
/**
 * The holder's gettoken ends this long before its lease expires, leaving time to store the token; and
 * the holder gives the lease back only while this much of it is left, so that it never deletes a lease
 * another container took over.
 */
const LEASE_GUARD_MS = 1_000;
/**
 * Claims of the lease per refresh: the second one, after waiting out a lease, elects one container to
 * replace a holder that died. After the last wait the container refreshes by itself.
 */
const LEASE_CLAIMS = 2;
/** Tries of the holder's store write when SSM throttles it (the SDK has retried each already). */
const WRITE_TRIES = 2;

/** What a store call found: `throttled` (busy, try later) is not `unavailable` (down or refused). */
type StoreState = 'ok' | 'throttled' | 'unavailable';

interface StoreRead {
  readonly state: StoreState;
  readonly record?: StoredToken;
}

type LeaseClaim = Lease | 'held' | Exclude<StoreState, 'ok'>;

type Usable = (record: StoredToken | undefined) => record is StoredToken;

export class TokenProvider implements AccessTokenSource {
  readonly #credentials: CredentialSource;
  readonly #transport: WeComTransport;
  readonly #store: TokenStore;
  readonly #marginMs: number;
  readonly #lease: LeaseSettings;
  readonly #defaultTimeoutMs: number;
  readonly #holderId: string;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<unknown>;
  readonly #random: () => number;
  readonly #memory = new Map<CredentialName, StoredToken>();
  readonly #flights = new Map<CredentialName, { rejected?: string; promise: Promise<StoredToken> }>();

  constructor(options: TokenProviderOptions) {
    this.#credentials = options.credentials;
    this.#transport = options.transport;
    this.#store = options.store ?? new MemoryTokenStore();
    this.#marginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.#lease = { ...DEFAULT_LEASE, ...options.lease };
    this.#defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
    this.#holderId = options.holderId ?? randomUUID();
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
  }

  async getToken(credential: CredentialName, options: TokenRequestOptions = {}): Promise<string> {
    const identity = await this.#credentials.identity(credential);
    const cached = this.#fresh(credential, identity);
    if (cached !== undefined) return cached.token;
    try {
      return (await this.#singleFlight(credential, identity, undefined, options.deadline)).token;
    } catch (error) {
      // The last token known (from memory or the store) is past its refreshAt but still valid: better
      // than failing the call.
      const stale = this.#memory.get(credential);
      if (stale?.key !== identity.key || this.#clock() >= stale.expiresAt) throw error;
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
    const identity = await this.#credentials.identity(credential);
    if (this.#memory.get(credential)?.token === rejected) this.#memory.delete(credential);
    // Another call in this container may already have replaced it.
    const cached = this.#fresh(credential, identity);
    if (cached !== undefined) return cached.token;
    return (await this.#singleFlight(credential, identity, rejected, options.deadline)).token;
  }

  /** Forgets everything this container knows (tests; the store is left alone). */
  reset(): void {
    this.#memory.clear();
    this.#flights.clear();
  }

  #fresh(credential: CredentialName, identity: CredentialIdentity): StoredToken | undefined {
    const cached = this.#memory.get(credential);
    return cached?.key === identity.key && this.#clock() < cached.refreshAt ? cached : undefined;
  }

  /** One refresh per credential at a time; a rejection joins it unless it ended on the rejected token. */
  async #singleFlight(
    credential: CredentialName,
    identity: CredentialIdentity,
    rejected: string | undefined,
    deadline: number | undefined,
  ): Promise<StoredToken> {
    for (let round = 0; ; round++) {
      let flight = this.#flights.get(credential);
      if (flight === undefined) {
        const started: { rejected?: string; promise: Promise<StoredToken> } = {
          rejected,
          promise: this.#obtain(credential, identity, rejected, deadline).finally(() => {
            if (this.#flights.get(credential) === started) this.#flights.delete(credential);
          }),
        };
        this.#flights.set(credential, started);
        flight = started;
      }
      const token = await flight.promise;
      if (rejected === undefined || token.token !== rejected || flight.rejected === rejected || round > 0) {
        return token;
      }
    }
  }

  async #obtain(
    credential: CredentialName,
    identity: CredentialIdentity,
    rejected: string | undefined,
    deadline: number | undefined,
  ): Promise<StoredToken> {
    try {
      return await this.#obtainFor(credential, identity, rejected, deadline);
    } catch (error) {
      if (!(error instanceof WeComError && error.errcode === BAD_SECRET)) throw error;
      // The operator may have rotated the secret: try once more only if SSM now holds a different one
      // (never the same bad secret twice: repeated 40001s get the egress IP banned).
      const reloaded = await this.#credentials.reload(credential);
      if (reloaded.key === identity.key) throw error;
      logger.warn('WeCom refused the cached secret; using the newer one from the parameter store', {
        credential,
      });
      this.#memory.delete(credential);
      return this.#obtainFor(credential, reloaded, rejected, deadline);
    }
  }

  async #obtainFor(
    credential: CredentialName,
    identity: CredentialIdentity,
    rejected: string | undefined,
    deadline: number | undefined,
  ): Promise<StoredToken> {
    const usable: Usable = (record): record is StoredToken =>
      record !== undefined &&
      record.key === identity.key &&
      record.token !== rejected &&
      this.#clock() < record.refreshAt;

    const stored = await this.#read(credential);
    if (usable(stored.record)) return this.#remember(credential, stored.record);
    this.#keepAsFallback(credential, identity, stored.record, rejected);
    if (stored.state === 'unavailable') {
      return this.#remember(credential, await this.#fetch(credential, identity, stored.record, deadline));
    }

    let persist = true;
    // Only claims that found the lease held count towards LEASE_CLAIMS. Throttled claims say nothing
    // about a holder: they are retried for as long as a lease can hold (by the clock, and by the
    // scheduled waits should the clock not move); the caller's deadline ends any wait (#waitForFleet).
    let heldClaims = 0;
    let throttledWaitMs = 0;
    const throttledUntil = this.#clock() + this.#lease.ttlMs;
    for (;;) {
      const lease = await this.#acquire(credential);
      if (typeof lease === 'object') {
        return this.#remember(
          credential,
          await this.#lead(credential, identity, lease, stored.record, usable, deadline),
        );
      }
      if (lease === 'unavailable') {
        persist = false;
        break;
      }
      // Held elsewhere, or SSM too busy to say: wait for the fleet's token. A known holder may take
      // the whole lease; an unknown one is looked for again after a few polls.
      const held = lease === 'held';
      const waitMs = held ? this.#lease.ttlMs : this.#lease.pollMaxMs;
      const shared = await this.#waitForFleet(credential, usable, deadline, waitMs);
      if (shared.record !== undefined) return this.#remember(credential, shared.record);
      if (shared.stop) break;
      if (held) {
        heldClaims++;
        if (heldClaims >= LEASE_CLAIMS) break;
      } else {
        throttledWaitMs += waitMs;
        if (this.#clock() >= throttledUntil || throttledWaitMs >= this.#lease.ttlMs) break;
      }
    }
    // The lease only saves calls: past a bounded wait, refresh by ourselves.
    const fresh = await this.#fetch(credential, identity, stored.record, deadline);
    if (persist) await this.#publish(credential, stored.record, fresh, deadline);
    return this.#remember(credential, fresh);
  }

  /** Under the lease: re-read (someone may have just refreshed), gettoken, store, give the lease back. */
  async #lead(
    credential: CredentialName,
    identity: CredentialIdentity,
    lease: Lease,
    previous: StoredToken | undefined,
    usable: Usable,
    callerDeadline: number | undefined,
  ): Promise<StoredToken> {
    try {
      const again = await this.#read(credential);
      if (usable(again.record)) return again.record;
      // Done before the lease ends, so that no follower takes it over while we are still fetching.
      const leaseDeadline = lease.expiresAt - LEASE_GUARD_MS;
      const deadline = Math.min(callerDeadline ?? leaseDeadline, leaseDeadline);
      const current = again.record ?? previous;
      const fresh = await this.#fetch(credential, identity, current, deadline);
      await this.#publish(credential, current, fresh, leaseDeadline);
      return fresh;
    } finally {
      await this.#release(credential, lease);
    }
  }

  /** gettoken, retried like any idempotent call, within `callerDeadline` (or the default timeout). */
  async #fetch(
    credential: CredentialName,
    identity: CredentialIdentity,
    previous: StoredToken | undefined,
    callerDeadline: number | undefined,
  ): Promise<StoredToken> {
    const requestedAt = this.#clock();
    const deadline = callerDeadline ?? requestedAt + this.#defaultTimeoutMs;
    const attempt: Attempt = (api, request) => this.#transport.send(api, request, { deadline });
    const answer = await callWithRetry(
      'gettoken',
      { corpid: identity.corpId, corpsecret: identity.secret },
      attempt,
      {
        deadline,
        idempotent: true,
        environment: { now: this.#clock, sleep: this.#sleep, random: this.#random },
      },
    );
    if (typeof answer.access_token !== 'string' || answer.access_token === '' || !(answer.expires_in > 0)) {
      throw new UpstreamHttpError('gettoken', 200, { detail: 'the answer carries no usable access_token' });
    }
    const lifetimeMs = answer.expires_in * 1000;
    const expiresAt = requestedAt + lifetimeMs;
    // What this container knew of the credential's token before asking.
    const known = [previous, this.#memory.get(credential)].filter(
      (record): record is StoredToken => record?.key === identity.key,
    );
    const reissued = known.some((record) => record.token === answer.access_token);
    const keptToExpiry = reissued || known.some(isKeptToExpiry);
    const fresh: StoredToken = {
      key: identity.key,
      token: answer.access_token,
      expiresAt,
      refreshAt: keptToExpiry ? expiresAt : expiresAt - Math.min(this.#marginMs, lifetimeMs / 2),
    };
    logger.info('Fetched an access_token from WeCom', {
      credential,
      credentialKey: identity.key,
      expiresAt,
      reissued,
    });
    return fresh;
  }

  /** Stores a fetched token for the fleet when it tells the fleet something new. */
  async #publish(
    credential: CredentialName,
    previous: StoredToken | undefined,
    fresh: StoredToken,
    until: number | undefined,
  ): Promise<void> {
    const changed =
      previous === undefined ||
      previous.key !== fresh.key ||
      previous.token !== fresh.token ||
      previous.refreshAt < fresh.refreshAt;
    if (changed) await this.#write(credential, fresh, until);
  }

  /**
   * Polls the store for the lease holder's token for `waitMs` (a lease seen held has expired by the
   * end). `stop` when waiting longer is pointless: the deadline is near, or the store is down.
   */
  async #waitForFleet(
    credential: CredentialName,
    usable: Usable,
    deadline: number | undefined,
    waitMs: number,
  ): Promise<{ record?: StoredToken; stop: boolean }> {
    // Bounded by the clock (polls to a throttled SSM are slow), and by the sum of the scheduled delays,
    // so that a frozen clock cannot stall it either.
    const started = this.#clock();
    for (let poll = 0, waited = 0; waited < waitMs && this.#clock() - started < waitMs; poll++) {
      const delay = this.#pollDelay(poll);
      if (deadline !== undefined && this.#clock() + delay > deadline - OWN_REFRESH_RESERVE_MS) {
        return { stop: true };
      }
      await this.#sleep(delay);
      waited += delay;
      const { state, record } = await this.#read(credential);
      if (state === 'unavailable') return { stop: true };
      if (usable(record)) return { record, stop: false };
    }
    return { stop: false };
  }

  /** Exponential backoff with jitter: uniform in [cap / 2, cap), cap = min(max, base · 2^poll). */
  #pollDelay(poll: number): number {
    const cap = Math.min(this.#lease.pollMaxMs, this.#lease.pollBaseMs * 2 ** poll);
    return cap / 2 + (this.#random() * cap) / 2;
  }

  #remember(credential: CredentialName, record: StoredToken): StoredToken {
    rememberToken(record.token);
    this.#memory.set(credential, record);
    return record;
  }

  /**
   * A stored token past its refreshAt but still valid is what a failed refresh falls back to (see
   * getToken): keep it in memory unless memory holds a longer-lived one.
   */
  #keepAsFallback(
    credential: CredentialName,
    identity: CredentialIdentity,
    record: StoredToken | undefined,
    rejected: string | undefined,
  ): void {
    if (record === undefined || record.key !== identity.key || record.token === rejected) return;
    if (this.#clock() >= record.expiresAt) return;
    const current = this.#memory.get(credential);
    if (current?.key === identity.key && current.expiresAt >= record.expiresAt) return;
    this.#remember(credential, record);
  }

  async #read(credential: CredentialName): Promise<StoreRead> {
    try {
      return { state: 'ok', record: await this.#store.read(credential) };
    } catch (error) {
      return { state: this.#degraded('read', credential, error) };
    }
  }

  /** Stores the token, retrying a throttled write (with backoff) while `until` allows. */
  async #write(credential: CredentialName, record: StoredToken, until: number | undefined): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await this.#store.write(credential, record);
        return;
      } catch (error) {
        const delay = this.#pollDelay(tries);
        const retry =
          tries < WRITE_TRIES &&
          classifyAwsFailure(error) === 'throttled' &&
          (until === undefined || this.#clock() + delay < until);
        if (!retry) {
          this.#degraded('write', credential, error);
          return;
        }
        await this.#sleep(delay);
      }
    }
  }

  async #acquire(credential: CredentialName): Promise<LeaseClaim> {
    const now = this.#clock();
    const lease: Lease = { holder: this.#holderId, expiresAt: now + this.#lease.ttlMs };
    try {
      return (await this.#store.acquireLease(credential, lease, now)) ? lease : 'held';
    } catch (error) {
      return this.#degraded('lease', credential, error);
    }
  }

  async #release(credential: CredentialName, lease: Lease): Promise<void> {
    // Close to its expiry another container may take it over: leave it to expire instead.
    if (this.#clock() >= lease.expiresAt - LEASE_GUARD_MS) return;
    try {
      await this.#store.releaseLease(credential, lease.holder);
    } catch (error) {
      this.#degraded('lease', credential, error);
    }
  }

  /** Logs and counts a store failure; says whether the store is throttled or unavailable. */
  #degraded(
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
}

/** A record WeCom re-issued (or that followed one) is used to its expiry: see the header. */
function isKeptToExpiry(record: StoredToken): boolean {
  return record.refreshAt >= record.expiresAt;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return new TokenProvider(options);
}
