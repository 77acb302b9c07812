/** The fleet lease over a shared store: claims, a follower's wait, release and the failure record. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialName } from '#shared/credential-roles.ts';
import { DEFAULT_LEASE, FleetLease, followerView } from '#shared/token/fleet-lease.ts';
import { ResilientStore } from '#shared/token/resilient-store.ts';
import type { Lease, StoredToken } from '#shared/token/store.ts';
import { CountingStore, FakeClock, nextMacrotask, silenceLogs, throttled } from '../helpers.ts';

const KEY = 'ww:key';
const C: CredentialName = 'contact';

let restoreLogs: () => void;
beforeAll(async () => {
  restoreLogs = await silenceLogs();
});
afterAll(() => restoreLogs());

function setUp(store = new CountingStore(), clock = new FakeClock(), holderId = 'me') {
  const sleeps: number[] = [];
  const timing = {
    clock: clock.read,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
      await nextMacrotask();
    },
    random: () => 0.5,
  };
  const lease = new FleetLease({
    ...timing,
    store: new ResilientStore(store, timing),
    holderId,
    settings: DEFAULT_LEASE,
  });
  return { store, clock, lease, sleeps };
}

const token = (clock: FakeClock, overrides: Partial<StoredToken> = {}): StoredToken => ({
  key: KEY,
  token: 'T',
  expiresAt: clock.now + 7_200_000,
  refreshAt: clock.now + 7_170_000,
  ...overrides,
});

describe('claiming the lease', () => {
  it('answers holder, then held for the next claimant, then holder again once released', async () => {
    const first = setUp();
    const second = setUp(first.store, first.clock, 'other');
    const claim = await first.lease.claim(C, KEY);
    expect(claim).toMatchObject({ kind: 'holder', lease: { holder: 'me' } });
    expect(await second.lease.claim(C, KEY)).toEqual({ kind: 'held' });
    if (claim.kind !== 'holder') throw new Error('not the holder');
    await first.lease.release(C, claim.lease);
    expect(await second.lease.claim(C, KEY)).toMatchObject({ kind: 'holder', lease: { holder: 'other' } });
  });

  it('answers failed for a failure record that blocks this key, with the record', async () => {
    const { store, clock, lease } = setUp();
    const failure: Lease = {
      holder: 'x',
      expiresAt: clock.now + 5_000,
      failure: { class: 'transient', key: KEY, attempts: 2 },
    };
    await store.inner.releaseLease(C, failure, failure);
    expect(await lease.claim(C, KEY)).toEqual({ kind: 'failed', lease: failure });
    clock.advance(5_000);
    expect(await lease.claim(C, KEY)).toMatchObject({ kind: 'holder', replaced: failure });
  });

  it('answers busy when SSM throttles the claim, unavailable when SSM is down', async () => {
    const { store, lease } = setUp();
    store.failWith = throttled();
    expect(await lease.claim(C, KEY)).toEqual({ kind: 'busy' });
    store.failWith = new Error('connect ECONNREFUSED');
    expect(await lease.claim(C, KEY)).toEqual({ kind: 'unavailable' });
  });
});

describe('a follower waiting for the holder', () => {
  it('gets the holder’s token as soon as it is stored', async () => {
    const { store, clock, lease } = setUp();
    await store.inner.acquireLease(C, { holder: 'h', expiresAt: clock.now + 10_000 }, clock.now, KEY);
    store.failWhen = (operation, count) => {
      if (operation === 'read' && count === 2) void store.inner.write(C, token(clock));
      return undefined;
    };
    expect(await lease.wait(C, { key: KEY }, undefined, 10_000)).toMatchObject({ kind: 'token' });
    expect(store.counts.read).toBe(2);
  });

  it('stops at once when the holder leaves a failure, or releases without a token', async () => {
    const { store, clock, lease, sleeps } = setUp();
    const held: Lease = { holder: 'h', expiresAt: clock.now + 10_000 };
    await store.inner.acquireLease(C, held, clock.now, KEY);
    const failure: Lease = { ...held, failure: { class: 'transient', key: KEY, attempts: 1 } };
    store.failWhen = (operation, count) => {
      if (operation === 'read' && count === 1) void store.inner.releaseLease(C, held, failure);
      return undefined;
    };
    expect(await lease.wait(C, { key: KEY }, undefined, 10_000)).toEqual({ kind: 'failed', lease: failure });
    expect(sleeps).toHaveLength(1);

    store.failWhen = undefined;
    await store.inner.releaseLease(C, held); // a failure record is not the holder's own lease: kept
    expect((await store.inner.read(C)).lease).toEqual(failure);
  });

  it('answers free when the lease is gone or expired (its holder died), timeout after waitMs', async () => {
    const { store, clock, lease } = setUp();
    expect(await lease.wait(C, { key: KEY }, undefined, 10_000)).toEqual({ kind: 'free' });
    await store.inner.acquireLease(C, { holder: 'dead', expiresAt: clock.now + 2_000 }, clock.now, KEY);
    expect(await lease.wait(C, { key: KEY }, undefined, 10_000)).toEqual({ kind: 'free' });
    await store.inner.acquireLease(C, { holder: 'slow', expiresAt: clock.now + 60_000 }, clock.now, KEY);
    expect(await lease.wait(C, { key: KEY }, undefined, 1_000)).toEqual({ kind: 'timeout' });
  });

  it('stops before the caller’s deadline, leaving time for its own refresh', async () => {
    const { store, clock, lease, sleeps } = setUp();
    await store.inner.acquireLease(C, { holder: 'h', expiresAt: clock.now + 10_000 }, clock.now, KEY);
    expect(await lease.wait(C, { key: KEY }, clock.now + 1_000, 10_000)).toEqual({ kind: 'deadline' });
    expect(sleeps).toEqual([]);
  });

  it('never takes the rejected token, nor one of another key', () => {
    const clock = new FakeClock();
    const held: Lease = { holder: 'h', expiresAt: clock.now + 10_000 };
    expect(
      followerView({ token: token(clock), lease: held }, { key: KEY, rejected: 'T' }, clock.now),
    ).toBeUndefined();
    expect(followerView({ token: token(clock), lease: held }, { key: 'other' }, clock.now)).toBeUndefined();
    expect(followerView({ token: token(clock), lease: held }, { key: KEY }, clock.now)).toMatchObject({
      kind: 'token',
    });
  });
});

describe('giving the lease back', () => {
  it('only while it has a second or more to run (another container may take an expiring lease over)', async () => {
    const { store, clock, lease } = setUp();
    const claim = await lease.claim(C, KEY);
    if (claim.kind !== 'holder') throw new Error('not the holder');
    clock.advance(DEFAULT_LEASE.ttlMs - 500);
    await lease.release(C, claim.lease);
    expect(store.counts.release).toBe(0);
    await lease.recordFailure(C, claim.lease, {
      ...claim.lease,
      failure: { class: 'transient', key: KEY, attempts: 1 },
    });
    expect(store.counts.release).toBe(0);
  });
});
