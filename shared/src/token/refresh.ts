/**
 * One refresh of a credential's token (docs/tokens.md, "One refresh across the fleet"): the fleet's
 * record if it is fresh; else, unless the failure memory blocks it, the lease — its holder's token,
 * its holder's failure, or our own gettoken under it — and past a bounded wait, our own gettoken.
 * gettoken is sent once per refresh: its retry layer is the failure memory's fleet-wide backoff.
 */

import type { CredentialName } from '../credential-roles.ts';
import type { CredentialIdentity } from '../credentials.ts';
import { TokenUnavailableError } from '../errors.ts';
import { logger } from '../observability.ts';
import type { WeComTransport } from '../wecom/transport.ts';
import type { ContainerTokens } from './container-tokens.ts';
import type { FailureMemory } from './failure-memory.ts';
import {
  type ClaimOutcome,
  type FleetLease,
  LEASE_GUARD_MS,
  type WaitOutcome,
  type Wanted,
} from './fleet-lease.ts';
import { isNews, readIssuedToken, recordIssued } from './lifetime.ts';
import type { ResilientStore } from './resilient-store.ts';
import type { Lease, StoredToken } from './store.ts';

/** Lease time a refresh waits on live holders (in TTLs) before it refreshes by itself. */
const LEASE_CLAIMS = 3;

export interface FleetRefreshParts {
  store: ResilientStore;
  lease: FleetLease;
  failures: FailureMemory;
  tokens: ContainerTokens;
  /** Used for gettoken only. */
  transport: WeComTransport;
  marginMs: number;
  /** Deadline of a gettoken made without a caller's deadline. */
  defaultTimeoutMs: number;
  clock: () => number;
}

export class FleetRefresh {
  readonly #store: ResilientStore;
  readonly #lease: FleetLease;
  readonly #failures: FailureMemory;
  readonly #tokens: ContainerTokens;
  readonly #transport: WeComTransport;
  readonly #marginMs: number;
  readonly #defaultTimeoutMs: number;
  readonly #clock: () => number;

  constructor(parts: FleetRefreshParts) {
    this.#store = parts.store;
    this.#lease = parts.lease;
    this.#failures = parts.failures;
    this.#tokens = parts.tokens;
    this.#transport = parts.transport;
    this.#marginMs = parts.marginMs;
    this.#defaultTimeoutMs = parts.defaultTimeoutMs;
    this.#clock = parts.clock;
  }

  /**
   * A token of `identity` that is not `wanted.rejected`: the store's, the lease holder's, or one
   * this container fetched. Throws what the failure memory blocks with, or the failed gettoken.
   */
  async refresh(
    credential: CredentialName,
    identity: CredentialIdentity,
    wanted: Wanted,
    deadline?: number,
  ): Promise<StoredToken> {
    this.#throwIfBlocked(credential, identity);
    const read = await this.#store.read(credential);
    if (read.state === 'unavailable')
      return this.#refreshAlone(credential, identity, undefined, deadline, false);
    const stored = read.state === 'ok' ? read.view.token : undefined;
    if (this.#tokens.usable(credential, stored, wanted.key, wanted.rejected)) {
      return this.#tokens.remember(credential, stored);
    }
    if (read.state === 'ok') {
      this.#tokens.keepAsFallback(credential, identity.key, stored);
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
      if (outcome.kind === 'token') return this.#tokens.remember(credential, outcome.record);
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
    if (this.#tokens.usable(credential, current, wanted.key, wanted.rejected)) {
      await this.#lease.release(credential, lease);
      return this.#tokens.remember(credential, current);
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
    return this.#tokens.remember(credential, fresh);
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
    return this.#tokens.remember(credential, fresh);
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
    const known = [previous, this.#tokens.current(credential)].filter((record) => record !== undefined);
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
}

/**
 * After a wait without the token: claim again (`free`, `timeout`; after a busy SSM, only until
 * `busyUntil`), or give up on the fleet.
 */
function isWorthWaiting(outcome: WaitOutcome, held: boolean, busyUntil: number, now: number): boolean {
  if (outcome.kind !== 'free' && outcome.kind !== 'timeout') return false;
  return held || now < busyUntil;
}
