/** docs/wecom.md §0: transport conventions every endpoint shares. */
import { describe, expect, it } from 'vitest';
import { ERRMSG_FORMAT, newMember, sandboxFor } from './client.ts';

describe('§0 transport conventions', () => {
  it('§0 answers HTTP 200 with errcode/errmsg and the observed headers, even for a business error', async () => {
    const { client } = await sandboxFor();
    const response = await client.raw('user/get', {
      query: { access_token: await client.token(), userid: 'nobody' },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(response.headers.get('error-code')).toBe('60111');
    const body = JSON.parse(response.text);
    expect(response.headers.get('error-msg')).toBe(body.errmsg);
    expect(body.errcode).toBe(60111);
  });

  it('§0 error errmsg reads "<text>, hint: [<digits>], from ip: <ip>, more info at …?e=<code>"', async () => {
    const { client } = await sandboxFor();
    const answer = await client.get('user/get', { userid: 'nobody' });

    const parts = ERRMSG_FORMAT.exec(answer.errmsg)?.groups;
    expect(parts).toMatchObject({ text: 'userid not found', ip: '127.0.0.1', code: '60111' });
    expect(parts?.hint?.length).toBeGreaterThanOrEqual(20);
  });

  it('§0 error bodies keep user/get list fields empty', async () => {
    const { client } = await sandboxFor();
    const answer = await client.get('user/get', { userid: 'nobody' });

    expect(answer).toMatchObject({ department: [], order: [], is_leader_in_dept: [], direct_leader: [] });
  });

  it('§0 success errmsg is created / updated / deleted for writes and ok otherwise', async () => {
    const { client } = await sandboxFor();
    const token = await client.token();

    expect((await client.post('user/create', newMember(), token)).errmsg).toBe('created');
    expect((await client.post('user/update', { userid: 'zhangwei', position: '工程师' }, token)).errmsg).toBe(
      'updated',
    );
    expect((await client.get('user/get', { userid: 'zhangwei' }, token)).errmsg).toBe('ok');
    expect((await client.get('user/delete', { userid: 'zhangwei' }, token)).errmsg).toBe('deleted');
    expect((await client.gettoken()).errmsg).toBe('ok');
  });

  it('§0 the access_token counts only in the query: body or Authorization header → 41001', async () => {
    const { client } = await sandboxFor();
    const token = await client.token();

    const inBody = await client.call('user/convert_to_openid', {
      body: { userid: 'x', access_token: token },
    });
    const inHeader = await client.call('user/get', {
      query: { userid: 'x' },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(inBody.errcode).toBe(41001);
    expect(inHeader.errcode).toBe(41001);
  });

  it('§0 a body with \\uXXXX escapes → 40033; the same text in raw UTF-8 is accepted', async () => {
    const { client, sandbox } = await sandboxFor();
    const query = { access_token: await client.token() };

    const escaped = await client.call('user/create', {
      query,
      body: '{"userid":"wei","name":"\\u5f20\\u4f1f","email":"wei@example.com"}',
    });
    const raw = await client.call('user/create', {
      query,
      body: '{"userid":"wei","name":"张伟","email":"wei@example.com"}',
    });

    expect(escaped.errcode).toBe(40033);
    expect(raw.errcode).toBe(0);
    expect(sandbox.directory.member('wei')?.name).toBe('张伟');
  });

  it('§0 / §17 malformed JSON, a non-object body and an empty body → 40058', async () => {
    const { client } = await sandboxFor();
    const query = { access_token: await client.token() };

    for (const body of ['{"userid":', '[1,2]', '"text"', '   ']) {
      expect((await client.call('user/convert_to_openid', { query, body, method: 'POST' })).errcode).toBe(
        40058,
      );
    }
  });

  it('§0 a wrong HTTP method is a business error (40058), not a 405', async () => {
    const { client } = await sandboxFor();
    const query = { access_token: await client.token() };

    const getOnPost = await client.raw('user/create', { method: 'GET', query });
    const postOnGet = await client.call('user/get', {
      method: 'POST',
      query: { ...query, userid: 'x' },
      body: {},
    });
    const deleteOnGet = await client.call('user/get', { method: 'DELETE', query: { ...query, userid: 'x' } });

    expect(getOnPost.status).toBe(200);
    expect(JSON.parse(getOnPost.text).errcode).toBe(40058);
    expect(postOnGet.errcode).toBe(40058);
    expect(deleteOnGet.errcode).toBe(40058);
  });

  it('§0 an unknown path answers a WeCom envelope (40058), not an HTML 404', async () => {
    const { client } = await sandboxFor();
    const answer = await client.call('user/no_such_api', { query: { access_token: await client.token() } });

    expect(answer.errcode).toBe(40058);
    expect(answer.errmsg).toMatch(ERRMSG_FORMAT);
  });

  it('§0 Chinese in answers is raw UTF-8, not \\u-escaped', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    const response = await client.raw('user/get', {
      query: { access_token: await client.token(), userid: 'zhangsan' },
    });

    expect(response.text).toContain('"name":"张三"');
  });

  it('§19 checks run in the suggested order: token, trusted IP, permission, then parameters', async () => {
    const apps = [{ agentId: 2, secret: 'app' }];
    const { client, sandbox } = await sandboxFor({ apps, trustedIps: ['203.0.113.10'] });
    const appToken = await client.token('app');
    const broken = { userid: '-bad' };

    expect((await client.post('user/create', broken, 'unknown')).errcode).toBe(40014);
    expect((await client.post('user/create', broken, appToken)).errcode).toBe(60020);
    sandbox.configure({ trustedIps: ['127.0.0.1'] });
    expect((await client.post('user/create', broken, appToken)).errcode).toBe(48002);
    expect((await client.post('user/create', broken)).errcode).toBe(40003);
  });
});
