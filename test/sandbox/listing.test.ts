/** docs/wecom.md §4 user/get, §8 user/simplelist, §9 user/list, and department/simplelist (docs/architecture.md §3). */
import { describe, expect, it } from 'vitest';
import { newMember, sandboxFor, type WeComAnswer } from './client.ts';

const userids = (answer: WeComAnswer) => (answer.userlist as Array<{ userid: string }>).map((m) => m.userid);

describe('§4 user/get', () => {
  it('§4 finds a member case-insensitively; missing userid → 41009, malformed → 40003, unknown → 60111', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect((await client.get('user/get', { userid: 'zhaoliu' })).userid).toBe('ZhaoLiu');
    expect((await client.get('user/get')).errcode).toBe(41009);
    expect((await client.get('user/get', { userid: '-bad' })).errcode).toBe(40003);
    expect((await client.get('user/get', { userid: 'nobody' })).errcode).toBe(60111);
  });
});

describe('§8 user/simplelist and §9 user/list', () => {
  it('§8 lists one department: larger order first, then creation order', async () => {
    const { client } = await sandboxFor();
    for (const [userid, order] of [
      ['a', 0],
      ['b', 5],
      ['c', 0],
    ] as const) {
      await client.post('user/create', {
        userid,
        name: userid,
        email: `${userid}@example.com`,
        department: [1],
        order: [order],
      });
    }

    const answer = await client.get('user/simplelist', { department_id: 1 });
    expect(answer.userlist).toEqual([
      { userid: 'b', name: 'b', department: [1] },
      { userid: 'a', name: 'a', department: [1] },
      { userid: 'c', name: 'c', department: [1] },
    ]);
  });

  it('§8 without fetch_child only the department itself; legacy fetch_child=1 adds sub-departments once each', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect(userids(await client.get('user/simplelist', { department_id: 2 }))).toEqual(['lisi']);
    const recursive = userids(await client.get('user/simplelist', { department_id: 2, fetch_child: 1 }));
    expect(recursive.sort()).toEqual(['ZhaoLiu', 'lisi', 'wangwu']);
  });

  it('§9 user/list returns full member objects', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    const answer = await client.get('user/list', { department_id: 5 });

    expect(answer.userlist).toEqual([
      expect.objectContaining({
        userid: 'sunqi',
        name: '孙七',
        mobile: '13800000005',
        status: 2,
        department: [5],
      }),
    ]);
  });

  it('§8 an unknown department → 60123; a missing or non-numeric department_id → 40058', async () => {
    const { client } = await sandboxFor();

    expect((await client.get('user/list', { department_id: 999 })).errcode).toBe(60123);
    expect((await client.get('user/simplelist')).errcode).toBe(40058);
    expect((await client.get('user/simplelist', { department_id: 'abc' })).errcode).toBe(40058);
  });

  it('§8 a member created in two departments is listed in both', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.directory.addDepartment({ id: 2, name: '研发', parentid: 1 });
    await client.post('user/create', newMember({ department: [1, 2] }));

    expect(userids(await client.get('user/simplelist', { department_id: 1 }))).toEqual(['zhangwei']);
    expect(userids(await client.get('user/simplelist', { department_id: 2 }))).toEqual(['zhangwei']);
  });
});

describe('department/simplelist (the tree the recursive listing walks)', () => {
  it('returns the department and every department below it, with parentid and order', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    const all = await client.get('department/simplelist');
    expect((all.department_id as Array<{ id: number }>).map(({ id }) => id).sort()).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    const rd = await client.get('department/simplelist', { id: 2 });
    expect(rd.department_id).toEqual([
      { id: 2, parentid: 1, order: 300 },
      { id: 3, parentid: 2, order: 200 },
      { id: 4, parentid: 2, order: 100 },
    ]);
    expect((await client.get('department/simplelist', { id: 99 })).errcode).toBe(60123);
  });

  it('department/create builds the tree over HTTP (60124 for an unknown parent)', async () => {
    const { client, sandbox } = await sandboxFor();

    const created = await client.post('department/create', { name: '研发中心', parentid: 1, id: 20 });
    expect(created).toMatchObject({ errcode: 0, errmsg: 'created', id: 20 });
    expect((await client.post('department/create', { name: '前端', parentid: 20 })).errcode).toBe(0);
    expect((await client.post('department/create', { name: '孤儿', parentid: 404 })).errcode).toBe(60124);
    expect((await client.post('department/create', { name: '研发中心', parentid: 1 })).errcode).toBe(60008);
    expect((await client.post('department/create', { name: 'a:b', parentid: 1 })).errcode).toBe(60125);
    expect(sandbox.directory.departments().map(({ id, parentid }) => [id, parentid])).toEqual([
      [1, 0],
      [20, 1],
      [21, 20],
    ]);
  });
});
