/**
 * Tags as docs/directory-admin.md describes them ([TAG] the 标签管理 pages, [ERR] WeCom's errcode
 * list, [FIX] wechatpy's recorded answers in tests/fixtures/work/tag_*.json).
 */
import { describe, expect, it } from 'vitest';
import { sandboxFor } from './client.ts';

const DEMO_APP = { agentId: 1000002, secret: 'app-secret-for-tags' };

describe('tag/create, tag/update, tag/delete, tag/list', () => {
  it('creates with the next id or the given one, answers "created" with the id [TAG; FIX]', async () => {
    const { client } = await sandboxFor();

    expect(await client.post('tag/create', { tagname: '乒乓球协会' })).toMatchObject({
      errcode: 0,
      errmsg: 'created',
      tagid: 1,
    });
    expect((await client.post('tag/create', { tagname: '值班', tagid: 12 })).tagid).toBe(12);
    expect((await client.post('tag/create', { tagname: '党员' })).tagid).toBe(13);
    expect((await client.get('tag/list')).taglist).toEqual([
      { tagid: 1, tagname: '乒乓球协会' },
      { tagid: 12, tagname: '值班' },
      { tagid: 13, tagname: '党员' },
    ]);
  });

  it('refuses a missing (41018), empty or over-32-character (40072) or taken (40071) name [ERR]', async () => {
    const { client } = await sandboxFor();
    await client.post('tag/create', { tagname: 'a' });

    expect((await client.post('tag/create', {})).errcode).toBe(41018);
    expect((await client.post('tag/create', { tagname: '' })).errcode).toBe(40072);
    expect((await client.post('tag/create', { tagname: '字'.repeat(33) })).errcode).toBe(40072);
    expect((await client.post('tag/create', { tagname: '字'.repeat(32) })).errcode).toBe(0);
    expect((await client.post('tag/create', { tagname: 'a' })).errcode).toBe(40071);
    expect((await client.post('tag/create', { tagname: 'b', tagid: 1 })).errcode).toBe(40068);
  });

  it('renames ("updated") and deletes ("deleted"); 41017 without an id, 40068 for an unknown one [ERR; FIX]', async () => {
    const { client } = await sandboxFor();
    await client.post('tag/create', { tagname: 'a', tagid: 5 });
    await client.post('tag/create', { tagname: 'b', tagid: 6 });

    expect((await client.post('tag/update', { tagid: 5, tagname: 'b' })).errcode).toBe(40071);
    expect(await client.post('tag/update', { tagid: 5, tagname: 'c' })).toMatchObject({ errmsg: 'updated' });
    expect((await client.get('tag/get', { tagid: 5 })).tagname).toBe('c');
    expect((await client.get('tag/delete')).errcode).toBe(41017);
    expect((await client.get('tag/delete', { tagid: 404 })).errcode).toBe(40068);
    expect(await client.get('tag/delete', { tagid: 5 })).toMatchObject({ errcode: 0, errmsg: 'deleted' });
    expect((await client.get('tag/list')).taglist).toEqual([{ tagid: 6, tagname: 'b' }]);
  });

  it("lets only the tag's creator change it: another app gets 60011, the contact-sync assistant may [ERR]", async () => {
    const other = { agentId: 1000003, secret: 'other-app-secret' };
    const { client } = await sandboxFor({ seed: 'demo', apps: [DEMO_APP, other] });
    const appToken = await client.token(DEMO_APP.secret);
    const otherToken = await client.token(other.secret);
    const { tagid } = await client.post('tag/create', { tagname: 'app tag' }, appToken);

    expect((await client.post('tag/update', { tagid, tagname: 'x' }, otherToken)).errcode).toBe(60011);
    const add = { tagid, userlist: ['zhangsan'] };
    expect((await client.post('tag/addtagusers', add, otherToken)).errcode).toBe(60011);
    expect((await client.post('tag/addtagusers', add, appToken)).errcode).toBe(0);
    expect((await client.post('tag/addtagusers', { tagid, userlist: ['lisi'] })).errcode).toBe(0);
    expect((await client.get('tag/list', {}, otherToken)).taglist).toEqual([{ tagid, tagname: 'app tag' }]);
  });
});

describe('tag/addtagusers, tag/deltagusers, tag/get', () => {
  it('adds members and departments; tag/get lists them as [TAG; FIX] shows', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    await client.post('tag/create', { tagname: '乒乓球协会', tagid: 1 });

    expect(
      await client.post('tag/addtagusers', { tagid: 1, userlist: ['zhangsan'], partylist: [2] }),
    ).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect(await client.get('tag/get', { tagid: 1 })).toEqual({
      errcode: 0,
      errmsg: 'ok',
      tagname: '乒乓球协会',
      userlist: [{ userid: 'zhangsan', name: expect.any(String) }],
      partylist: [2],
    });
  });

  it('reports invalid entries without failing; all invalid → 40070 to add, 40031 to delete [TAG]', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    await client.post('tag/create', { tagname: 't', tagid: 1 });

    expect(
      await client.post('tag/addtagusers', {
        tagid: 1,
        userlist: ['lisi', 'ghost1', 'ghost2'],
        partylist: [3, 404],
      }),
    ).toEqual({ errcode: 0, errmsg: 'ok', invalidlist: 'ghost1|ghost2', invalidparty: [404] });
    expect((await client.post('tag/addtagusers', { tagid: 1, userlist: ['ghost'] })).errcode).toBe(40070);
    expect(await client.post('tag/deltagusers', { tagid: 1, userlist: ['lisi'], partylist: [404] })).toEqual({
      errcode: 0,
      errmsg: 'deleted',
      invalidparty: [404],
    });
    expect((await client.post('tag/deltagusers', { tagid: 1, userlist: ['ghost'] })).errcode).toBe(40031);
    expect(await client.get('tag/get', { tagid: 1 })).toMatchObject({ userlist: [], partylist: [3] });
  });

  it('refuses empty lists, lists too long and lists that are not arrays (40035) [ERR]', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    await client.post('tag/create', { tagname: 't', tagid: 1 });

    for (const body of [
      { tagid: 1 },
      { tagid: 1, userlist: [], partylist: [] },
      { tagid: 1, userlist: 'zhangsan|lisi' },
      { tagid: 1, userlist: Array.from({ length: 1001 }, (_, index) => `u${index}`) },
      { tagid: 1, partylist: Array.from({ length: 101 }, (_, index) => index + 1) },
    ]) {
      expect((await client.post('tag/addtagusers', body)).errcode).toBe(40035);
    }
  });

  it('shows an app only the members and departments in its visibility [TAG]', async () => {
    const scoped = { agentId: 1000004, secret: 'scoped-secret', visibleDepartments: [5] };
    const { client } = await sandboxFor({ seed: 'demo', apps: [scoped] });
    await client.post('tag/create', { tagname: 't', tagid: 1 });
    await client.post('tag/addtagusers', { tagid: 1, userlist: ['sunqi', 'zhangsan'], partylist: [2, 5] });

    const answer = await client.get('tag/get', { tagid: 1 }, await client.token(scoped.secret));
    expect(answer).toMatchObject({ userlist: [{ userid: 'sunqi', name: '孙七' }], partylist: [5] });
  });

  it('drops a deleted member and a deleted department from their tags; invite names only unknown tags', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    await client.post('tag/create', { tagname: 't', tagid: 1 });
    await client.post('department/create', { name: '临时', parentid: 1, id: 40 });
    await client.post('tag/addtagusers', { tagid: 1, userlist: ['lisi', 'wangwu'], partylist: [40, 5] });

    await client.get('user/delete', { userid: 'wangwu' });
    await client.get('department/delete', { id: 40 });
    expect(await client.get('tag/get', { tagid: 1 })).toMatchObject({
      userlist: [{ userid: 'lisi' }],
      partylist: [5],
    });
    expect((await client.post('batch/invite', { tag: [1, 404] })).invalidtag).toEqual([404]);
  });
});
