/** docs/wecom.md §1 (who may call what) and §2 (gettoken). */
import { describe, expect, it } from 'vitest';
import type { SandboxApp } from '#sandbox/types.ts';
import { ERRMSG_FORMAT, fakeClock, newMember, sandboxFor } from './client.ts';

const FULL_APP: SandboxApp = { agentId: 1000002, secret: 'app-before-2022' };
const RESTRICTED_APP: SandboxApp = { agentId: 1000003, secret: 'app-after-2022', restricted: true };
const SCOPED_APP: SandboxApp = { agentId: 1000004, secret: 'app-rd-only', visibleDepartments: [2] };
const APPS = [FULL_APP, RESTRICTED_APP, SCOPED_APP];

describe('§2 gettoken', () => {
  it('§2 issues a token with expires_in 7200 by default', async () => {
    const { client } = await sandboxFor();
    const answer = await client.gettoken();

    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(answer.access_token).toEqual(expect.stringMatching(/^[\w-]{16,512}$/));
  });

  it('§2 corpid missing → 41002, corpsecret missing → 41004', async () => {
    const { client, sandbox } = await sandboxFor();

    expect((await client.call('gettoken', { query: { corpsecret: sandbox.contactSecret } })).errcode).toBe(
      41002,
    );
    const noSecret = await client.call('gettoken', { query: { corpid: sandbox.corpId } });
    expect(noSecret.errcode).toBe(41004);
    expect(noSecret.errmsg).toMatch(/^corpsecret missing, hint: /);
  });

  it('§2 a wrong corpid → 40013, a wrong secret → 40001', async () => {
    const { client, sandbox } = await sandboxFor();

    const wrongCorp = await client.call('gettoken', {
      query: { corpid: 'wwother', corpsecret: sandbox.contactSecret },
    });
    expect(wrongCorp.errcode).toBe(40013);
    expect((await client.gettoken('not-a-secret')).errcode).toBe(40001);
  });

  it('§2 same-token mode (default): a second call within validity returns the same token', async () => {
    const clock = fakeClock();
    const { client } = await sandboxFor({ clock });
    const first = await client.gettoken();
    clock.advance(1_000_000);
    const second = await client.gettoken();

    expect(second.access_token).toBe(first.access_token);
    expect(second.expires_in).toBe(7200 - 1000);
  });

  it('§19 same-token mode can report the full lifetime on a re-issued token (UNVERIFIED switch)', async () => {
    const clock = fakeClock();
    const { client } = await sandboxFor({ clock, reissuedExpiresIn: 'lifetime' });
    await client.gettoken();
    clock.advance(1_000_000);

    expect((await client.gettoken()).expires_in).toBe(7200);
  });

  it('§2 after expiry the old token answers 42001 and gettoken issues a new one', async () => {
    const clock = fakeClock();
    const { client } = await sandboxFor({ clock, tokenLifetimeSeconds: 5 });
    const old = await client.token();
    clock.advance(5_000);

    expect((await client.get('department/simplelist', {}, old)).errcode).toBe(42001);
    const fresh = await client.token();
    expect(fresh).not.toBe(old);
    expect((await client.get('department/simplelist', {}, fresh)).errcode).toBe(0);
  });

  it('§2 rotate mode: each call issues a new token and older ones stay valid to their own expiry', async () => {
    const clock = fakeClock();
    const { client } = await sandboxFor({ clock, tokenMode: 'rotate', tokenLifetimeSeconds: 10 });
    const first = await client.token();
    clock.advance(4_000);
    const second = await client.token();

    expect(second).not.toBe(first);
    expect((await client.get('department/simplelist', {}, first)).errcode).toBe(0);
    clock.advance(6_000);
    expect((await client.get('department/simplelist', {}, first)).errcode).toBe(42001);
    expect((await client.get('department/simplelist', {}, second)).errcode).toBe(0);
  });

  it('forgets a token expired for over a lifetime (then unknown: 40014), so rotate mode stays bounded', async () => {
    const clock = fakeClock();
    const { client } = await sandboxFor({ clock, tokenMode: 'rotate', tokenLifetimeSeconds: 5 });
    const old = await client.token();
    clock.advance(5_000);
    await client.token();
    expect((await client.get('department/simplelist', {}, old)).errcode).toBe(42001);

    clock.advance(5_000);
    await client.token();
    expect((await client.get('department/simplelist', {}, old)).errcode).toBe(40014);
  });

  it('§2 / §17 early revocation: revoked tokens answer 40014, gettoken then issues a new one', async () => {
    const { client, sandbox } = await sandboxFor();
    const old = await client.token();
    sandbox.revokeTokens();

    expect((await client.get('department/simplelist', {}, old)).errcode).toBe(40014);
    expect(await client.token()).not.toBe(old);
  });

  it('§17 an unknown token → 40014 and no token at all → 41001', async () => {
    const { client } = await sandboxFor();

    expect((await client.get('department/simplelist', {}, 'made-up-token')).errcode).toBe(40014);
    expect((await client.call('department/simplelist')).errcode).toBe(41001);
  });

  it('§1.1 each secret has its own token', async () => {
    const { client } = await sandboxFor({ apps: APPS });

    const tokens = await Promise.all([
      client.token(),
      client.token(FULL_APP.secret),
      client.token(RESTRICTED_APP.secret),
    ]);
    expect(new Set(tokens).size).toBe(3);
  });

  it('§2 configure() switches the token mode at run time', async () => {
    const { client, sandbox } = await sandboxFor();
    const first = await client.token();
    sandbox.configure({ tokenMode: 'rotate' });

    expect(await client.token()).not.toBe(first);
  });
});

describe('§1.2 permissions of app tokens', () => {
  it('§1.2 an app token gets 48002 on create, update, delete, batchdelete, join QR code and active stats', async () => {
    const { client } = await sandboxFor({ seed: 'demo', apps: APPS });
    const token = await client.token(FULL_APP.secret);

    const answers = await Promise.all([
      client.post('user/create', newMember(), token),
      client.post('user/update', { userid: 'lisi', position: 'x' }, token),
      client.get('user/delete', { userid: 'lisi' }, token),
      client.post('user/batchdelete', { useridlist: ['lisi'] }, token),
      client.get('corp/get_join_qrcode', {}, token),
      client.post('user/get_active_stat', { date: '2026-03-09' }, token),
    ]);
    expect(answers.map((answer) => answer.errcode)).toEqual([48002, 48002, 48002, 48002, 48002, 48002]);
  });

  it('§1.2 an app token may read, convert and list', async () => {
    const { client } = await sandboxFor({ seed: 'demo', apps: APPS });
    const token = await client.token(FULL_APP.secret);

    expect((await client.get('user/get', { userid: 'lisi' }, token)).errcode).toBe(0);
    expect((await client.get('user/list', { department_id: 1 }, token)).errcode).toBe(0);
    expect((await client.post('user/convert_to_openid', { userid: 'lisi' }, token)).errcode).toBe(0);
    expect((await client.post('batch/invite', { user: ['zhouba'] }, token)).errcode).toBe(0);
  });

  it('§1.3 a restricted app (after 2022-06-20) does not get avatar, gender, mobile, email, biz_mail, qr_code, address', async () => {
    const { client } = await sandboxFor({ seed: 'demo', apps: APPS });
    const sensitive = ['avatar', 'gender', 'mobile', 'email', 'biz_mail', 'qr_code', 'address'];

    const restricted = await client.get(
      'user/get',
      { userid: 'sunqi' },
      await client.token(RESTRICTED_APP.secret),
    );
    const listed = await client.get(
      'user/list',
      { department_id: 5 },
      await client.token(RESTRICTED_APP.secret),
    );
    const full = await client.get('user/get', { userid: 'sunqi' }, await client.token(FULL_APP.secret));

    for (const field of sensitive) {
      expect(restricted).not.toHaveProperty(field);
      expect((listed.userlist as object[])[0]).not.toHaveProperty(field);
    }
    expect(restricted).toMatchObject({ userid: 'sunqi', name: '孙七', position: '市场经理' });
    expect(full).toMatchObject({ mobile: '13800000005', address: '北京市海淀区示例路 1 号' });
  });

  it('§1.2 an app sees only its visibility scope: members and departments outside → 60011', async () => {
    const { client } = await sandboxFor({ seed: 'demo', apps: APPS });
    const token = await client.token(SCOPED_APP.secret);

    expect((await client.get('user/get', { userid: 'wangwu' }, token)).errcode).toBe(0);
    expect((await client.get('user/get', { userid: 'sunqi' }, token)).errcode).toBe(60011);
    expect((await client.get('user/simplelist', { department_id: 5 }, token)).errcode).toBe(60011);
    expect((await client.post('user/convert_to_openid', { userid: 'zhangsan' }, token)).errcode).toBe(60011);
    const departments = await client.get('department/simplelist', {}, token);
    expect((departments.department_id as Array<{ id: number }>).map(({ id }) => id)).toEqual([2, 3, 4]);
  });

  it('§4 an app sees only the departments (and leaders) inside its scope in a member', async () => {
    const { client } = await sandboxFor({
      seed: 'demo',
      apps: [{ agentId: 5, secret: 'backend', visibleDepartments: [4] }],
    });
    const member = await client.get('user/get', { userid: 'ZhaoLiu' }, await client.token('backend'));

    expect(member).toMatchObject({ department: [4], order: [10], is_leader_in_dept: [0], direct_leader: [] });
  });
});

describe('§1.3 trusted IPs', () => {
  it('§1.3 a business call from an untrusted IP → 60020 naming the caller ip; gettoken still works', async () => {
    const { client } = await sandboxFor({ trustedIps: ['203.0.113.10'] });

    const token = await client.token();
    const answer = await client.get('department/simplelist', {}, token);
    expect(answer.errcode).toBe(60020);
    expect(ERRMSG_FORMAT.exec(answer.errmsg)?.groups).toMatchObject({
      text: 'not allow to access from your ip',
      ip: '127.0.0.1',
    });
  });

  it('§1.3 the allow-list can be changed at run time', async () => {
    const { client, sandbox } = await sandboxFor({ trustedIps: ['203.0.113.10'] });
    const token = await client.token();
    sandbox.configure({ trustedIps: ['127.0.0.1'] });

    expect((await client.get('department/simplelist', {}, token)).errcode).toBe(0);
    sandbox.configure({ trustedIps: undefined });
    expect((await client.get('department/simplelist', {}, token)).errcode).toBe(0);
  });
});
