import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { credentialKey, staticCredentialSource } from '#shared/credentials.ts';
import {
  TokenUnavailableError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  WeComError,
} from '#shared/errors.ts';
import { DEFAULT_BACKOFF, DEFAULT_CREDENTIAL_RECHECK_MS } from '#shared/token/failure-memory.ts';
import {
  DEFAULT_LEASE,
  DEFAULT_REFRESH_MARGIN_MS,
  TokenProvider,
  type TokenProviderOptions,
} from '#shared/token/provider.ts';
import type { StoredToken } from '#shared/token/store.ts';
import type { WeComResponse } from '#shared/wecom/apis.ts';
import {
  CONTACT_SECRET,
  CORP_ID,
  CountingStore,
  captureOutput,
  FakeClock,
  metricCount,
  nextMacrotask,
  ScriptedTransport,
  silenceLogs,
  testCredentials,
  throttled,
} from './helpers.ts';

const HOUR = 3_600_000;
const MARGIN = DEFAULT_REFRESH_MARGIN_MS;
const KEY = credentialKey(CORP_ID, CONTACT_SECRET);

function setUp(overrides: Partial<TokenProviderOptions> = {}) {
  const clock = new FakeClock();
  const transport = new ScriptedTransport();
  const store = new CountingStore();
  const sleeps: number[] = [];
  const provider = new TokenProvider({
    credentials: testCredentials(),
    transport,
    store,
    clock: clock.read,
    sleep: async (ms) => {
      sleeps.push(ms);
      await nextMacrotask();
    },
    random: () => 0.5,
    ...overrides,
  });
  return { clock, transport, store, provider, sleeps };
}

const record = (token: string, clock: FakeClock, lifetimeMs = 2 * HOUR): StoredToken => ({
  key: KEY,
  token,
  expiresAt: clock.now + lifetimeMs,
  refreshAt: clock.now + lifetimeMs - MARGIN,
});

let restoreLogs: () => void;
beforeAll(async () => {
  restoreLogs = await silenceLogs();
});
afterAll(() => restoreLogs());

describe('token lifetimes', () => {
  it('fetches once, stores it, and serves it from memory until shortly before it expires', async () => {
    const { clock, transport, store, provider } = setUp();

    expect(await provider.getToken('contact')).toBe('token-1');
    clock.advance(2 * HOUR - MARGIN - 1);
    expect(await provider.getToken('contact')).toBe('token-1');

    expect(transport.count('gettoken')).toBe(1);
    expect(store.counts.write).toBe(1);
    expect((await store.inner.read('contact')).token).toMatchObject({ key: KEY, token: 'token-1' });
    // Cold start: one read before the lease, one under it. Warm: none.
    expect(store.counts.read).toBe(2);
  });

  it('replaces the token from `margin` before its expiry', async () => {
    const { clock, transport, provider } = setUp();
    await provider.getToken('contact');
    clock.advance(2 * HOUR - MARGIN);
    expect(await provider.getToken('contact')).toBe('token-2');
    expect(transport.count('gettoken')).toBe(2);
  });

  it('derives the expiry from expires_in, measured from before the request', async () => {
    const { clock, transport, store, provider } = setUp();
    transport.on('gettoken', () => {
      clock.advance(1_000); // the request itself takes a second
      return { errcode: 0, errmsg: 'ok', access_token: 'short', expires_in: 600 };
    });
    const before = clock.now;
    await provider.getToken('contact');
    expect((await store.inner.read('contact')).token).toEqual({
      key: KEY,
      token: 'short',
      expiresAt: before + 600_000,
      refreshAt: before + 600_000 - MARGIN,
    });
  });

  it('keeps a token WeCom re-issued (expires_in = its remaining time) until it expires', async () => {
    const { clock, transport, store, provider } = setUp();
    // Same-token rule: WeCom hands the live token back, `expires_in` counting down to a fixed expiry.
    const expiry = clock.now + 200_000;
    transport.on('gettoken', () => ({
      errcode: 0,
      errmsg: 'ok',
      access_token: 'same',
      expires_in: Math.ceil((expiry - clock.now) / 1000),
    }));
    for (let second = 0; second < 200; second++) {
      expect(await provider.getToken('contact')).toBe('same');
      clock.advance(1_000);
    }
    // Once when new, once at `margin` before the expiry (which gives it back): never again.
    expect(transport.count('gettoken')).toBe(2);
    expect((await store.inner.read('contact')).token).toMatchObject({ expiresAt: expiry, refreshAt: expiry });
  });

  it('once WeCom has re-issued a token, keeps the next one to its expiry too (asking early is pointless)', async () => {
    const { clock, transport, store, provider } = setUp();
    const kept = { ...record('reissued', clock, HOUR), refreshAt: clock.now + HOUR };
    await store.inner.write('contact', kept);
    clock.advance(HOUR);

    expect(await provider.getToken('contact')).toBe('token-1');
    const next = (await store.inner.read('contact')).token;
    expect(next).toMatchObject({ token: 'token-1', expiresAt: clock.now + 2 * HOUR });
    expect(next?.refreshAt).toBe(next?.expiresAt);
    expect(transport.count('gettoken')).toBe(1);
  });

  it('serves the current token while it is valid when a refresh fails, then the failure, then TokenUnavailableError', async () => {
    const { clock, transport, provider } = setUp();
    await provider.getToken('contact');
    const refused = new UpstreamNetworkError('gettoken', 'ECONNREFUSED', false);
    transport.on('gettoken', () => {
      throw refused;
    });
    clock.advance(2 * HOUR - 20_000); // due for a refresh, still valid
    expect(await provider.getToken('contact')).toBe('token-1');
    clock.advance(20_000); // expired: nothing left to fall back to
    await expect(provider.getToken('contact')).rejects.toBe(refused);
    // Within the backoff: no gettoken, an answer at once.
    const error = await provider.getToken('contact').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TokenUnavailableError);
    // The second failure in a row: the second backoff step, 1–2 s (1.5 s with this jitter).
    expect(error).toMatchObject({ cause: refused, retryAfterSeconds: 2 });
    expect(transport.count('gettoken')).toBe(3);
  });

  it('falls back to a stored token past its refreshAt but still valid when a refresh fails', async () => {
    const { clock, transport, store, provider } = setUp();
    await store.inner.write('contact', record('fleet-token', clock));
    clock.advance(2 * HOUR - MARGIN);
    transport.on('gettoken', () => {
      throw new UpstreamNetworkError('gettoken', 'ECONNREFUSED', false);
    });
    expect(await provider.getToken('contact')).toBe('fleet-token');
  });

  it('forgets everything on reset', async () => {
    const { store, provider } = setUp();
    await provider.getToken('contact');
    const reads = store.counts.read;
    provider.reset();
    await provider.getToken('contact');
    expect(store.counts.read).toBe(reads + 1);
  });
});

describe('the store', () => {
  it('gives a cold container the fleet token without calling WeCom', async () => {
    const { clock, transport, store, provider } = setUp();
    await store.inner.write('contact', record('fleet-token', clock));
    expect(await provider.getToken('contact')).toBe('fleet-token');
    expect(transport.count('gettoken')).toBe(0);
    expect(store.counts.read).toBe(1);
  });

  it('treats a record for another secret as a miss (e.g. after rotation)', async () => {
    const { clock, transport, store, provider } = setUp();
    await store.inner.write('contact', {
      ...record('old-secret-token', clock),
      key: credentialKey(CORP_ID, 'old'),
    });
    expect(await provider.getToken('contact')).toBe('token-1');
    expect(transport.count('gettoken')).toBe(1);
  });

  it('keys tokens by corp id and a short hash of the secret, never the secret', () => {
    expect(KEY).toMatch(/^ww-test-corp:[0-9a-f]{16}$/);
    expect(KEY).not.toContain(CONTACT_SECRET);
    expect(credentialKey(CORP_ID, 'other')).not.toBe(KEY);
    expect(credentialKey('ww-other', CONTACT_SECRET)).not.toBe(KEY);
  });

  it('keeps one token per credential', async () => {
    const { transport, provider } = setUp();
    transport.on('gettoken', (call) => ({
      errcode: 0,
      errmsg: 'ok',
      access_token: `for-${(call.request as { corpsecret: string }).corpsecret.slice(0, 3)}`,
      expires_in: 7200,
    }));
    expect(await provider.getToken('contact')).toBe('for-con');
    expect(await provider.getToken('app')).toBe('for-app');
    expect(transport.count('gettoken')).toBe(2);
  });
});

describe('single-flight', () => {
  it('makes one gettoken and one store read for many concurrent callers', async () => {
    const { transport, store, provider } = setUp();
    const tokens = await Promise.all(Array.from({ length: 25 }, () => provider.getToken('contact')));
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(transport.count('gettoken')).toBe(1);
    expect(store.counts.read).toBe(2);
  });
});

describe('the fleet lease', () => {
  it('lets followers wait for the holder’s token instead of calling WeCom', async () => {
    const leader = setUp();
    let finishLeader: (() => void) | undefined;
    leader.transport.on('gettoken', async () => {
      await new Promise<void>((resolve) => {
        finishLeader = resolve;
      });
      return { errcode: 0, errmsg: 'ok', access_token: 'leader-token', expires_in: 7200 };
    });
    const follower = setUp({ store: leader.store, clock: leader.clock.read });

    const leading = leader.provider.getToken('contact');
    while (finishLeader === undefined) await nextMacrotask();
    const following = follower.provider.getToken('contact');
    await nextMacrotask();
    finishLeader();

    expect(await leading).toBe('leader-token');
    expect(await following).toBe('leader-token');
    expect(follower.transport.count('gettoken')).toBe(0);
    expect(follower.sleeps.length).toBeGreaterThan(0);
  });

  it('takes over an expired lease at once', async () => {
    const { clock, transport, store, provider, sleeps } = setUp();
    await store.inner.acquireLease(
      'contact',
      { holder: 'dead-container', expiresAt: clock.now - 1 },
      clock.now - 10_000,
      KEY,
    );
    await provider.getToken('contact');
    expect(sleeps).toEqual([]);
    expect(transport.count('gettoken')).toBe(1);
    expect(store.counts.release).toBe(1);
  });

  it('waits no longer than the caller’s deadline allows', async () => {
    const { clock, store, provider, sleeps } = setUp();
    await store.inner.acquireLease(
      'contact',
      { holder: 'busy', expiresAt: clock.now + 10_000 },
      clock.now,
      KEY,
    );
    await provider.getToken('contact', { deadline: clock.now + 100 });
    expect(sleeps).toEqual([]);
  });

  it('still claims the lease, and stores the token, when the store read is throttled', async () => {
    const { transport, store, provider } = setUp();
    store.failWhen = (operation, count) => (operation === 'read' && count === 1 ? throttled() : undefined);

    expect(await provider.getToken('contact')).toBe('token-1');
    expect(store.counts.acquire).toBe(1);
    expect((await store.inner.read('contact')).token).toMatchObject({ token: 'token-1' });
    expect(transport.count('gettoken')).toBe(1);
  });

  it('treats a throttled lease claim as held elsewhere: waits for the fleet token', async () => {
    const { clock, transport, store, provider } = setUp();
    // Another container, holding the lease, stores its token while this one polls.
    store.failWhen = (operation, count) => {
      if (operation === 'read' && count === 3)
        void store.inner.write('contact', record('fleet-token', clock));
      return operation === 'acquire' ? throttled() : undefined;
    };

    expect(await provider.getToken('contact')).toBe('fleet-token');
    expect(transport.count('gettoken')).toBe(0);
  });

  it('retries the holder’s throttled store write: followers are waiting for it', async () => {
    const { store, provider } = setUp();
    store.failWhen = (operation, count) => (operation === 'write' && count === 1 ? throttled() : undefined);
    await provider.getToken('contact');
    expect(store.counts.write).toBe(2);
    expect((await store.inner.read('contact')).token).toMatchObject({ token: 'token-1' });
  });

  it('gives the lease back only while it holds it', async () => {
    const { clock, store, provider } = setUp();
    await provider.getToken('contact');
    expect(store.counts.release).toBe(1);
    // The holder ran out of lease time: another container may have taken it over, leave it alone.
    const slow = setUp({ store, clock: clock.read });
    clock.advance(2 * HOUR);
    slow.transport.on('gettoken', () => {
      clock.advance(DEFAULT_LEASE.ttlMs);
      return { errcode: 0, errmsg: 'ok', access_token: 'late', expires_in: 7200 };
    });
    await slow.provider.getToken('contact');
    expect(store.counts.release).toBe(1);
  });
});

/**
 * Fleets of providers sharing one store and one WeCom, in virtual time (fake timers): each waits on
 * real timers, which the test runs to completion, so leases expire as they would.
 */
describe('a fleet meeting an expired token (virtual time)', () => {
  const FOLLOWERS = 20;
  const GETTOKEN_MS = 200;
  afterEach(() => {
    vi.useRealTimers();
  });

  function virtualFleet(size: number, store = new CountingStore()) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const transport = new ScriptedTransport();
    const providers = Array.from(
      { length: size },
      (_, index) =>
        new TokenProvider({
          credentials: testCredentials(),
          transport,
          store,
          holderId: `container-${index}`,
          sleep: (ms) => delay(ms),
          // The same jitter for all: they poll in lockstep, the worst case for a herd.
          random: () => 0.5,
        }),
    );
    // WeCom takes a moment to answer, as it does: a herd has the time to form.
    transport.on('gettoken', async (_call, index) => {
      await delay(GETTOKEN_MS);
      return answer(`token-${index}`);
    });
    /** Everyone asks for the token at once; resolves with what each got (or its error), all timers run. */
    const everyoneAsks = async (members = providers) => {
      const asked = Promise.allSettled(members.map((provider) => provider.getToken('contact')));
      await vi.runAllTimersAsync();
      return asked;
    };
    return { store, transport, providers, everyoneAsks };
  }

  const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const answer = (token: string): WeComResponse<'gettoken'> => ({
    errcode: 0,
    errmsg: 'ok',
    access_token: token,
    expires_in: 7200,
  });
  const tokens = (results: PromiseSettledResult<string>[]) =>
    results.map((result) => (result.status === 'fulfilled' ? result.value : `failed: ${result.reason}`));

  it(`a dead holder's lease: ${FOLLOWERS} followers wait it out, one takes over, one gettoken`, async () => {
    const { store, transport, everyoneAsks } = virtualFleet(FOLLOWERS);
    await store.inner.acquireLease(
      'contact',
      { holder: 'dead', expiresAt: Date.now() + 10_000 },
      Date.now(),
      KEY,
    );

    const results = await everyoneAsks();

    expect(new Set(tokens(results))).toEqual(new Set(['token-1']));
    expect(transport.count('gettoken')).toBe(1);
  });

  it(`a slow holder (gettoken takes 5 s): ${FOLLOWERS} followers wait for its token`, async () => {
    const { transport, providers, everyoneAsks } = virtualFleet(FOLLOWERS + 1);
    transport.on('gettoken', async () => {
      await delay(5_000);
      return answer('slow-token');
    });
    const [leader, ...followers] = providers as [TokenProvider, ...TokenProvider[]];
    const leading = leader.getToken('contact');
    await vi.advanceTimersByTimeAsync(0);

    const results = await everyoneAsks(followers);

    expect(await leading).toBe('slow-token');
    expect(new Set(tokens(results))).toEqual(new Set(['slow-token']));
    expect(transport.count('gettoken')).toBe(1);
  });

  it(`a holder whose gettoken hangs gives up before its lease ends; its followers stop waiting with it`, async () => {
    const { transport, providers, everyoneAsks } = virtualFleet(FOLLOWERS + 1);
    const started = Date.now();
    transport.on('gettoken', async ({ options }, index) => {
      if (index > 1) return answer('second-token');
      await delay(options.deadline - Date.now());
      throw new UpstreamTimeoutError('gettoken');
    });
    const [leader, ...followers] = providers as [TokenProvider, ...TokenProvider[]];
    const leading = leader.getToken('contact').catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);

    const results = await everyoneAsks(followers);

    expect(await leading).toBeInstanceOf(UpstreamTimeoutError);
    expect(transport.calls[0]?.options.deadline).toBeLessThan(started + DEFAULT_LEASE.ttlMs);
    // The holder left its failure in the lease: nobody else called WeCom, nobody waited past the lease.
    expect(
      results.every(
        (result) => result.status === 'rejected' && result.reason instanceof TokenUnavailableError,
      ),
    ).toBe(true);
    expect(transport.count('gettoken')).toBe(1);
    expect(Date.now() - started).toBeLessThan(DEFAULT_LEASE.ttlMs);
    // After the backoff, one container asks again and the fleet has its token.
    await vi.advanceTimersByTimeAsync(DEFAULT_BACKOFF.baseMs);
    expect(new Set(tokens(await everyoneAsks(followers)))).toEqual(new Set(['second-token']));
    expect(transport.count('gettoken')).toBe(2);
  });

  it(`a store throttling half its calls: ${FOLLOWERS} containers, at most two gettoken, no failure`, async () => {
    const store = new CountingStore();
    store.failWhen = (_operation, count) => (count % 2 === 0 ? throttled() : undefined);
    const { transport, everyoneAsks } = virtualFleet(FOLLOWERS, store);

    const results = await everyoneAsks();

    expect(tokens(results).filter((token) => token.startsWith('failed'))).toEqual([]);
    expect(transport.count('gettoken')).toBeLessThanOrEqual(2);
  });

  it(`lease claims throttled 9 times in 10, gettoken taking 2 s: 50 containers, at most two gettoken`, async () => {
    const store = new CountingStore();
    // PutParameter has SSM's lowest rate limit: the lease claim is the call a herd gets throttled on.
    store.failWhen = (operation, count) =>
      operation === 'acquire' && count % 10 !== 0 ? throttled() : undefined;
    const { transport, everyoneAsks } = virtualFleet(50, store);
    transport.on('gettoken', async (_call, index) => {
      await delay(2_000);
      return answer(`token-${index}`);
    });

    const results = await everyoneAsks();

    expect(tokens(results).filter((token) => token.startsWith('failed'))).toEqual([]);
    expect(transport.count('gettoken')).toBeLessThanOrEqual(2);
  });
});

describe('compare-and-refresh after WeCom rejects a token (40014/42001)', () => {
  it('uses a different token another container stored, without calling WeCom', async () => {
    const { clock, transport, store, provider } = setUp();
    await provider.getToken('contact');
    await store.inner.write('contact', record('newer-token', clock));
    const writes = store.counts.write;

    expect(await provider.refreshAfterRejection('contact', 'token-1')).toBe('newer-token');
    expect(transport.count('gettoken')).toBe(1);
    expect(store.counts.write).toBe(writes);
  });

  it('calls gettoken only when the store still holds the rejected token, and stores the new one', async () => {
    const { transport, store, provider } = setUp();
    await provider.getToken('contact');
    expect(await provider.refreshAfterRejection('contact', 'token-1')).toBe('token-2');
    expect(transport.count('gettoken')).toBe(2);
    expect((await store.inner.read('contact')).token).toMatchObject({ token: 'token-2' });
  });

  it('shares one refresh among concurrent rejections of the same token', async () => {
    const { transport, provider } = setUp();
    await provider.getToken('contact');
    const replacements = await Promise.all(
      Array.from({ length: 10 }, () => provider.refreshAfterRejection('contact', 'token-1')),
    );
    expect(new Set(replacements)).toEqual(new Set(['token-2']));
    expect(transport.count('gettoken')).toBe(2);
  });

  it('returns the replacement a concurrent call already obtained', async () => {
    const { transport, provider } = setUp();
    await provider.getToken('contact');
    await provider.refreshAfterRejection('contact', 'token-1');
    expect(await provider.refreshAfterRejection('contact', 'token-1')).toBe('token-2');
    expect(transport.count('gettoken')).toBe(2);
  });
});

describe('degraded mode', () => {
  it('serves tokens from gettoken and memory when the store fails, with a warning and a metric', async () => {
    const { transport, store, provider } = setUp();
    store.failWith = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const output = captureOutput();
    const { logger } = await import('#shared/observability.ts');
    logger.setLogLevel('WARN');
    try {
      expect(await provider.getToken('contact')).toBe('token-1');
      expect(await provider.getToken('contact')).toBe('token-1');
    } finally {
      logger.setLogLevel('SILENT');
      output.restore();
    }
    expect(transport.count('gettoken')).toBe(1);
    const lines = output.lines();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', operation: 'read' }));
    expect(metricCount(lines, 'TokenStoreDegraded')).toBeGreaterThan(0);
  });

  it('still answers when only the write fails', async () => {
    const { store, provider } = setUp();
    const failingWrite = store.write.bind(store);
    store.write = async (...args) => {
      store.failWith = new Error('write throttled');
      try {
        return await failingWrite(...args);
      } finally {
        store.failWith = undefined;
      }
    };
    expect(await provider.getToken('contact')).toBe('token-1');
  });
});

describe('a refused secret (40001)', () => {
  it('is never retried with the same secret', async () => {
    const { transport, provider } = setUp();
    transport.on('gettoken', () => {
      throw new WeComError('gettoken', 40001, 'invalid credential');
    });
    await expect(provider.getToken('contact')).rejects.toMatchObject({ errcode: 40001 });
    expect(transport.count('gettoken')).toBe(1);
  });

  it('is never sent again by this container, whatever the requests, until the secret changes', async () => {
    const { clock, transport, provider } = setUp();
    transport.on('gettoken', () => {
      throw new WeComError('gettoken', 40001, 'invalid credential');
    });
    for (let request = 0; request < 10; request++) {
      await expect(provider.getToken('contact')).rejects.toMatchObject({ errcode: 40001 });
      clock.advance(DEFAULT_CREDENTIAL_RECHECK_MS);
    }
    expect(transport.count('gettoken')).toBe(1);
  });

  it('is retried once, in the same call, when the parameter store now holds a rotated secret', async () => {
    let secret = 'old-secret';
    const credentials = staticCredentialSource({ corpId: CORP_ID, secrets: { contact: 'old-secret' } });
    let reloads = 0;
    credentials.identity = async () => ({ corpId: CORP_ID, secret, key: credentialKey(CORP_ID, secret) });
    credentials.reload = async () => {
      reloads++;
      secret = 'rotated-secret';
      return credentials.identity('contact');
    };
    const { clock, transport, store, provider } = setUp({ credentials });
    let rotated = false;
    transport.on('gettoken', (call) => {
      if (rotated && (call.request as { corpsecret: string }).corpsecret === 'old-secret') {
        throw new WeComError('gettoken', 40001, 'invalid credential');
      }
      return { errcode: 0, errmsg: 'ok', access_token: `with-${secret}`, expires_in: 7200 };
    });
    expect(await provider.getToken('contact')).toBe('with-old-secret');
    // Hours later the operator rotates the secret: the container's cached one is refused.
    rotated = true;
    clock.advance(2 * HOUR);
    expect(await provider.getToken('contact')).toBe('with-rotated-secret');
    expect(transport.count('gettoken')).toBe(3);
    expect(reloads).toBe(1);
    expect((await store.inner.read('contact')).token).toMatchObject({
      key: credentialKey(CORP_ID, 'rotated-secret'),
    });
  });
});
