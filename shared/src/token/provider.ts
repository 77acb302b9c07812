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
 *  5. A store that fails (throttled, unreachable, denied) does not fail the call: the provider serves
 *     from gettoken and memory, logs a warning and counts `TokenStoreDegraded`.
 *
 * Lifetimes come from WeCom's `expires_in`, measured from before the request. A token is replaced from
 * `refreshAt = expiresAt − min(margin, lifetime / 2)`: the margin keeps a token from expiring in flight,
 * and halving it keeps a re-issued token whose `expires_in` reports only its remaining time (WeCom's
 * same-token rule) from being refreshed on every call.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CredentialIdentity, CredentialSource } from '../credentials.ts';
import { UpstreamHttpError, WeComError } from '../errors.ts';
import { countEvent, logger } from '../observability.ts';
import type { CredentialName } from '../operations.ts';
import { rememberSecret } from '../wecom/redact.ts';
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
  /** How long a lease holds; a holder that died blocks nobody longer than this. */
  readonly ttlMs: number;
  /** How long followers wait for the holder's token before calling gettoken themselves. */
  readonly maxWaitMs: number;
  /** First poll delay; doubles per poll up to `pollMaxMs`, with jitter. */
  readonly pollBaseMs: number;
  readonly pollMaxMs: number;
}

export const DEFAULT_LEASE: LeaseSettings = {
  ttlMs: 10_000,
  maxWaitMs: 3_000,
  pollBaseMs: 50,
  pollMaxMs: 500,
};

export interface TokenProviderOptions {
  credentials: CredentialSource;
  /** Used for gettoken only. */
  transport: WeComTransport;
  /** Default: a MemoryTokenStore (this provider alone). */
  store?: TokenStore;
  /** Replace a token this long before it expires (capped at half its lifetime). Default 5 minutes. */
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
    this.#marginMs = options.refreshMarginMs ?? 300_000;
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
      // The old token is past its refreshAt but still valid: better than failing the call.
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
    const usable = (record: StoredToken | undefined): record is StoredToken =>
      record !== undefined &&
      record.key === identity.key &&
      record.token !== rejected &&
      this.#clock() < record.refreshAt;
    const remember = (record: StoredToken) => {
      rememberSecret(record.token);
      this.#memory.set(credential, record);
      return record;
    };

    const stored = await this.#read(credential);
    if (usable(stored.record)) return remember(stored.record);
    if (!stored.ok) return remember(await this.#fetch(credential, identity, undefined, deadline));

    const lease = await this.#acquire(credential);
    if (lease === 'unavailable')
      return remember(await this.#fetch(credential, identity, undefined, deadline));
    if (lease === 'held-elsewhere') {
      const shared = await this.#waitForFleet(credential, usable, deadline);
      return remember(shared ?? (await this.#fetch(credential, identity, stored.record, deadline, true)));
    }
    try {
      // Someone may have refreshed between our read and our lease.
      const again = await this.#read(credential);
      if (usable(again.record)) return remember(again.record);
      return remember(
        await this.#fetch(credential, identity, again.record ?? stored.record, deadline, again.ok),
      );
    } finally {
      await this.#release(credential, lease);
    }
  }

  /** gettoken (retried like any idempotent call), then the store when the value changed. */
  async #fetch(
    credential: CredentialName,
    identity: CredentialIdentity,
    previous: StoredToken | undefined,
    callerDeadline: number | undefined,
    persist = false,
  ): Promise<StoredToken> {
    const requestedAt = this.#clock();
    const deadline = callerDeadline ?? requestedAt + this.#defaultTimeoutMs;
    const attempt: Attempt = (api, request) => this.#transport.send(api, request, { deadline });
    const answer = await callWithRetry(
      'gettoken',
      { corpid: identity.corpId, corpsecret: identity.secret },
      attempt,
      { deadline, environment: { now: this.#clock, sleep: this.#sleep, random: this.#random } },
    );
    if (typeof answer.access_token !== 'string' || answer.access_token === '' || !(answer.expires_in > 0)) {
      throw new UpstreamHttpError('gettoken', 200, { detail: 'the answer carries no usable access_token' });
    }
    const lifetimeMs = answer.expires_in * 1000;
    const expiresAt = requestedAt + lifetimeMs;
    const fresh: StoredToken = {
      key: identity.key,
      token: answer.access_token,
      expiresAt,
      refreshAt: expiresAt - Math.min(this.#marginMs, lifetimeMs / 2),
    };
    logger.info('Fetched an access_token from WeCom', { credential, credentialKey: identity.key, expiresAt });
    const changed =
      previous === undefined ||
      previous.key !== fresh.key ||
      previous.token !== fresh.token ||
      previous.refreshAt < fresh.refreshAt;
    if (persist && changed) await this.#write(credential, fresh);
    return fresh;
  }

  /** Polls the store for the lease holder's token; `undefined` once the bounded wait is over. */
  async #waitForFleet(
    credential: CredentialName,
    usable: (record: StoredToken | undefined) => record is StoredToken,
    deadline: number | undefined,
  ): Promise<StoredToken | undefined> {
    // Bounded by the sum of the scheduled delays, not by the clock, so a frozen clock cannot stall it.
    let waited = 0;
    for (let poll = 0; ; poll++) {
      const cap = Math.min(this.#lease.pollMaxMs, this.#lease.pollBaseMs * 2 ** poll);
      const delay = cap / 2 + (this.#random() * cap) / 2;
      const leavesTime = deadline === undefined || this.#clock() + delay <= deadline - OWN_REFRESH_RESERVE_MS;
      if (waited + delay > this.#lease.maxWaitMs || !leavesTime) return undefined;
      await this.#sleep(delay);
      waited += delay;
      const { ok, record } = await this.#read(credential);
      if (!ok) return undefined;
      if (usable(record)) return record;
    }
  }

  async #read(credential: CredentialName): Promise<{ ok: boolean; record?: StoredToken }> {
    try {
      return { ok: true, record: await this.#store.read(credential) };
    } catch (error) {
      this.#degraded('read', credential, error);
      return { ok: false };
    }
  }

  async #write(credential: CredentialName, record: StoredToken): Promise<void> {
    try {
      await this.#store.write(credential, record);
    } catch (error) {
      this.#degraded('write', credential, error);
    }
  }

  async #acquire(credential: CredentialName): Promise<Lease | 'held-elsewhere' | 'unavailable'> {
    const now = this.#clock();
    const lease: Lease = { holder: this.#holderId, expiresAt: now + this.#lease.ttlMs };
    try {
      return (await this.#store.acquireLease(credential, lease, now)) ? lease : 'held-elsewhere';
    } catch (error) {
      this.#degraded('lease', credential, error);
      return 'unavailable';
    }
  }

  async #release(credential: CredentialName, lease: Lease): Promise<void> {
    // Past its expiry another container may have taken it over: leave it to expire.
    if (this.#clock() >= lease.expiresAt) return;
    try {
      await this.#store.releaseLease(credential, lease.holder);
    } catch (error) {
      this.#degraded('lease', credential, error);
    }
  }

  #degraded(operation: 'read' | 'write' | 'lease', credential: CredentialName, error: unknown): void {
    logger.warn('Token store unavailable; serving access_tokens without it', {
      credential,
      operation,
      error,
    });
    countEvent('TokenStoreDegraded');
  }
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  return new TokenProvider(options);
}
