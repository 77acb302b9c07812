/**
 * The layer's client against the WeCom sandbox over real HTTP on loopback: every call the product
 * makes, and the sandbox's fault modes (busy, slow, reset, rate limit, proxy 5xx, revoked tokens,
 * rotating tokens).
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import type { CredentialName } from '#shared/credential-roles.ts';
import { staticCredentialSource } from '#shared/credentials.ts';
import { UpstreamTimeoutError, WeComError } from '#shared/errors.ts';
import { createRuntime } from '#shared/runtime.ts';
import { MemoryTokenStore } from '#shared/token/memory-store.ts';
import { TokenProvider } from '#shared/token/provider.ts';
import type { TokenStore } from '#shared/token/store.ts';
import { createWeComClient } from '#shared/wecom/client.ts';
import { DEFAULT_RETRY_POLICY, REAL_RETRY_ENVIRONMENT, type RetryPolicy } from '#shared/wecom/retry.ts';
import { createTransport, type TransportTimeouts } from '#shared/wecom/transport.ts';
import { silenceLogs } from './helpers.ts';

let sandbox: Sandbox;
let agent: Agent;
let restoreLogs: () => void;

beforeAll(async () => {
  restoreLogs = await silenceLogs();
  sandbox = await startSandbox({ seed: 'demo' });
  agent = new Agent();
});
afterAll(async () => {
  await agent.close();
  await sandbox.stop();
  restoreLogs();
});
beforeEach(() => {
  sandbox.clearFaults();
  sandbox.resetCounters();
  sandbox.configure({ tokenMode: 'same-token' });
});

const secrets = () => ({ contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret });
const runtime = () =>
  createRuntime({ baseUrl: sandbox.url, corpId: sandbox.corpId, secrets: secrets(), dispatcher: agent });
const calls = (api: string) => sandbox.counters()[api] ?? 0;

/** A client assembled from its parts, for tests that tune timeouts or the retry policy. */
function tunedClient(
  options: {
    timeouts?: Partial<TransportTimeouts>;
    retryPolicy?: RetryPolicy;
    store?: TokenStore;
    random?: () => number;
  } = {},
) {
  const transport = createTransport({ baseUrl: sandbox.url, dispatcher: agent, timeouts: options.timeouts });
  const tokens = new TokenProvider({
    credentials: staticCredentialSource({ corpId: sandbox.corpId, secrets: secrets() }),
    transport,
    store: options.store ?? new MemoryTokenStore(),
  });
  const retryEnvironment = { ...REAL_RETRY_ENVIRONMENT, random: options.random ?? Math.random };
  return {
    client: createWeComClient({ transport, tokens, retryPolicy: options.retryPolicy, retryEnvironment }),
    tokens,
  };
}

/** Beijing's yesterday, the date the report asks about. */
const yesterday = () => new Date(Date.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);

describe('every WeCom call the product makes', () => {
  const read: CredentialName = 'app';

  it('gettoken: through the transport, with the corp id and secret in the query', async () => {
    const answer = await createTransport({ baseUrl: sandbox.url, dispatcher: agent }).send(
      'gettoken',
      { corpid: sandbox.corpId, corpsecret: sandbox.contactSecret },
      { deadline: Date.now() + 5_000 },
    );
    expect(answer).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(answer.access_token).toMatch(/.{16,}/);
  });

  it('user/create, user/get, user/update, user/delete: a member’s life', async () => {
    const { client } = runtime();
    const member = {
      userid: 'chenyi',
      name: '陈一',
      mobile: '13800000101',
      department: [2],
      position: '工程师',
    };

    await expect(client.call('user/create', member, { credential: 'contact' })).resolves.toMatchObject({
      errcode: 0,
      errmsg: 'created',
    });
    await expect(client.call('user/get', { userid: 'chenyi' }, { credential: read })).resolves.toMatchObject({
      userid: 'chenyi',
      name: '陈一',
      department: [2],
    });
    await client.call('user/update', { userid: 'chenyi', position: '高级工程师' }, { credential: 'contact' });
    expect(sandbox.directory.member('chenyi')?.position).toBe('高级工程师');
    await expect(
      client.call('user/delete', { userid: 'chenyi' }, { credential: 'contact' }),
    ).resolves.toMatchObject({
      errmsg: 'deleted',
    });
    expect(sandbox.directory.member('chenyi')).toBeUndefined();
  });

  it('user/batchdelete', async () => {
    for (const userid of ['tmp1', 'tmp2'])
      sandbox.directory.addMember({
        userid,
        name: userid,
        mobile: `1390000${userid.slice(-1)}000`,
        department: [1],
      });
    const { client } = runtime();
    await client.call('user/batchdelete', { useridlist: ['tmp1', 'tmp2'] }, { credential: 'contact' });
    expect(sandbox.directory.member('tmp1')).toBeUndefined();
    expect(sandbox.directory.member('tmp2')).toBeUndefined();
  });

  it('user/simplelist, user/list and department/simplelist', async () => {
    const { client } = runtime();
    const simple = await client.call('user/simplelist', { department_id: 1 }, { credential: read });
    expect(simple.userlist.map((member) => member.userid)).toContain('zhangsan');
    const detailed = await client.call('user/list', { department_id: 2 }, { credential: read });
    expect(detailed.userlist.map((member) => member.userid)).toContain('lisi');
    const departments = await client.call('department/simplelist', {}, { credential: read });
    expect(departments.department_id.map((department) => department.id)).toEqual(
      expect.arrayContaining([1, 2, 3]),
    );
  });

  it('user/convert_to_openid and user/convert_to_userid', async () => {
    const { client } = runtime();
    const { openid } = await client.call(
      'user/convert_to_openid',
      { userid: 'zhangsan' },
      { credential: read },
    );
    expect(openid).toMatch(/^o/);
    const { userid } = await client.call('user/convert_to_userid', { openid }, { credential: read });
    expect(userid).toBe('zhangsan');
  });

  it('user/authsucc lets a not-yet-activated member in', async () => {
    sandbox.directory.addMember(
      { userid: 'newcomer', name: '新人', mobile: '13900000777', department: [1] },
      4,
    );
    await runtime().client.call('user/authsucc', { userid: 'newcomer' }, { credential: 'contact' });
    expect(sandbox.directory.member('newcomer')?.status).toBe(1);
  });

  it('batch/invite reports what it could not invite', async () => {
    const answer = await runtime().client.call(
      'batch/invite',
      { user: ['zhangsan', 'nobody'] },
      { credential: 'contact' },
    );
    expect(answer).toMatchObject({ errcode: 0, invaliduser: ['nobody'] });
  });

  it('corp/get_join_qrcode and user/get_active_stat', async () => {
    const { client } = runtime();
    const { join_qrcode } = await client.call(
      'corp/get_join_qrcode',
      { size_type: 2 },
      { credential: 'contact' },
    );
    expect(join_qrcode).toContain('qr_size=2');
    const { active_cnt } = await client.call(
      'user/get_active_stat',
      { date: yesterday() },
      { credential: 'contact' },
    );
    expect(active_cnt).toBeGreaterThan(0);
  });

  it('makes one gettoken per credential for all of them', async () => {
    const { client } = runtime();
    for (const userid of ['zhangsan', 'lisi', 'wangwu'])
      await client.call('user/get', { userid }, { credential: read });
    await client.call('corp/get_join_qrcode', {}, { credential: 'contact' });
    expect(calls('gettoken')).toBe(2);
  });

  it('turns a WeCom error into a WeComError with errcode, errmsg and the call', async () => {
    const error = await runtime()
      .client.call('user/get', { userid: 'ghost' }, { credential: read })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WeComError);
    expect(error).toMatchObject({
      api: 'user/get',
      errcode: 60111,
      errmsg: expect.stringContaining('userid not found'),
    });
  });
});

describe('the sandbox’s fault modes', () => {
  it('busy (-1): retried, then answered', async () => {
    sandbox.injectFault('user/get', { kind: 'errcode', errcode: -1 }, 2);
    await expect(
      runtime().client.call('user/get', { userid: 'lisi' }, { credential: 'app', idempotent: true }),
    ).resolves.toMatchObject({
      userid: 'lisi',
    });
    expect(calls('user/get')).toBe(3);
  });

  it('busy beyond two retries: the -1 is surfaced', async () => {
    sandbox.injectFault('user/get', { kind: 'errcode', errcode: -1 }, 3);
    await expect(
      runtime().client.call('user/get', { userid: 'lisi' }, { credential: 'app', idempotent: true }),
    ).rejects.toMatchObject({
      errcode: -1,
    });
    expect(calls('user/get')).toBe(3);
  });

  it('rate limited (45009): answered at once, never retried', async () => {
    sandbox.injectFault('user/get', { kind: 'errcode', errcode: 45009 }, 5);
    await expect(
      runtime().client.call('user/get', { userid: 'lisi' }, { credential: 'app', idempotent: true }),
    ).rejects.toMatchObject({
      errcode: 45009,
    });
    expect(calls('user/get')).toBe(1);
  });

  it('a proxy’s HTTP 502: retried', async () => {
    sandbox.injectFault('user/get', { kind: 'http', status: 502 });
    await expect(
      runtime().client.call('user/get', { userid: 'lisi' }, { credential: 'app', idempotent: true }),
    ).resolves.toMatchObject({
      userid: 'lisi',
    });
  });

  it('connection reset: an idempotent call is retried', async () => {
    sandbox.injectFault('user/get', { kind: 'reset' });
    await expect(
      runtime().client.call('user/get', { userid: 'lisi' }, { credential: 'app', idempotent: true }),
    ).resolves.toMatchObject({
      userid: 'lisi',
    });
    expect(calls('user/get')).toBe(2);
  });

  it('connection reset on user/create: re-sent, the member created exactly once', async () => {
    sandbox.injectFault('user/create', { kind: 'reset' });
    const member = { userid: 'reset-once', name: '重置', mobile: '13900000201', department: [1] };
    await expect(
      runtime().client.call('user/create', member, { credential: 'contact' }),
    ).resolves.toMatchObject({
      errcode: 0,
    });
    expect(sandbox.directory.members().filter((held) => held.userid === 'reset-once')).toHaveLength(1);
  });

  it('slow, and an answer lost after user/create took effect: resolved by user/get, not a false 60102', async () => {
    // The first attempt times out at 300 ms but WeCom creates the member at 800 ms; the re-send
    // (after a 1.2 s backoff) meets 60102, and user/get shows the member we sent.
    const { client } = tunedClient({
      timeouts: { attemptMs: 300 },
      retryPolicy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1_200 },
      random: () => 0.999,
    });
    // A token and a warm connection first: the create's first attempt must reach WeCom in time.
    await client.call('user/get', { userid: 'lisi' }, { credential: 'contact' });
    sandbox.resetCounters();
    sandbox.injectFault('user/create', { kind: 'delay', ms: 800 });
    const member = { userid: 'lost-answer', name: '迟到', mobile: '13900000301', department: [1] };
    await expect(client.call('user/create', member, { credential: 'contact' })).resolves.toEqual({
      errcode: 0,
      errmsg: 'created',
    });
    expect(calls('user/create')).toBe(2);
    expect(calls('user/get')).toBe(1);
  });

  it('slow beyond the call’s deadline: UpstreamTimeoutError, no retry without time left', async () => {
    sandbox.injectFault('user/get', { kind: 'delay', ms: 2_000 });
    const { client, tokens } = tunedClient();
    await tokens.getToken('app');
    // Taken once the token is in hand, so that all of it is left for user/get.
    const deadline = Date.now() + 300;
    await expect(
      client.call('user/get', { userid: 'lisi' }, { credential: 'app', deadline }),
    ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    expect(calls('user/get')).toBe(1);
  });

  it('token revoked early (40014): refreshed once, the call answered', async () => {
    const { client } = runtime();
    await client.call('user/get', { userid: 'lisi' }, { credential: 'app' });
    sandbox.revokeTokens();
    sandbox.resetCounters();
    await expect(client.call('user/get', { userid: 'lisi' }, { credential: 'app' })).resolves.toMatchObject({
      userid: 'lisi',
    });
    expect(calls('gettoken')).toBe(1);
    expect(calls('user/get')).toBe(2);
  });

  it('rotate mode: every container gets its own token and all of them work', async () => {
    sandbox.configure({ tokenMode: 'rotate' });
    const containers = [runtime(), runtime(), runtime()];
    for (const { client } of containers)
      await client.call('user/get', { userid: 'lisi' }, { credential: 'app' });
    for (const { client } of containers)
      await client.call('user/get', { userid: 'lisi' }, { credential: 'app' });
    expect(calls('gettoken')).toBe(3);
    expect(calls('user/get')).toBe(6);
  });
});
