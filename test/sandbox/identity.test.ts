/** docs/wecom.md §10 convert_to_openid, §11 convert_to_userid, §12 authsucc. */
import { describe, expect, it } from 'vitest';
import { newMember, sandboxFor } from './client.ts';

describe('§10 user/convert_to_openid and §11 user/convert_to_userid', () => {
  it('§10 an activated member has a stable openid, the same across sandboxes of one corp', async () => {
    const first = await sandboxFor({ seed: 'demo' });
    const second = await sandboxFor({ seed: 'demo' });

    const a = await first.client.post('user/convert_to_openid', { userid: 'lisi' });
    const b = await first.client.post('user/convert_to_openid', { userid: 'LISI' });
    const c = await second.client.post('user/convert_to_openid', { userid: 'lisi' });
    expect(a.openid).toEqual(expect.stringMatching(/^o[\w-]{27}$/));
    expect(b.openid).toBe(a.openid);
    expect(c.openid).toBe(a.openid);
    const other = await first.client.post('user/convert_to_openid', { userid: 'wangwu' });
    expect(other.openid).not.toBe(a.openid);
  });

  it('§10 a member not activated / not bound to WeChat → 43004; unknown → 60111', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect((await client.post('user/convert_to_openid', { userid: 'zhouba' })).errcode).toBe(43004);
    expect((await client.post('user/convert_to_openid', { userid: 'nobody' })).errcode).toBe(60111);
  });

  it('§11 converts an openid back to the userid in its original case', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });
    sandbox.directory.setStatus('ZhaoLiu', 1);
    const { openid } = await client.post('user/convert_to_openid', { userid: 'zhaoliu' });

    expect(await client.post('user/convert_to_userid', { openid })).toMatchObject({
      errcode: 0,
      userid: 'ZhaoLiu',
    });
  });

  it('§11 an unknown openid → 40073', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect(
      (await client.post('user/convert_to_userid', { openid: 'oDjGHs-1yCnGrRovBj2yHij5JAAA' })).errcode,
    ).toBe(40073);
  });
});

describe('§12 user/authsucc', () => {
  it('§12 accepts a member who passed second verification: ok, and the member is activated', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post('user/create', newMember());

    expect(await client.get('user/authsucc', { userid: 'zhangwei' })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(sandbox.directory.member('zhangwei')?.status).toBe(1);
    expect((await client.post('user/convert_to_openid', { userid: 'zhangwei' })).errcode).toBe(0);
  });

  it('§12 an unknown member → 60111', async () => {
    const { client } = await sandboxFor();

    expect((await client.get('user/authsucc', { userid: 'nobody' })).errcode).toBe(60111);
  });
});
