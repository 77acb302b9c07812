/**
 * department/update and department/delete as docs/directory-admin.md describes them ([ERR]
 * WeCom's errcode list, [DEPT] the 更新部门/删除部门 pages, [FIX] wechatpy's recorded answers).
 */
import { describe, expect, it } from 'vitest';
import { sandboxFor, type WeComAnswer } from './client.ts';

const parentOf = (answer: WeComAnswer, id: number) =>
  (answer.department_id as Array<{ id: number; parentid: number }>).find((department) => department.id === id)
    ?.parentid;

describe('department/update', () => {
  it('renames, moves and reorders; answers "updated" [FIX]', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });

    expect(
      await client.post('department/update', { id: 4, name: '服务端组', parentid: 1, order: 7 }),
    ).toEqual({
      errcode: 0,
      errmsg: 'updated',
    });
    expect(sandbox.directory.departments().find((department) => department.id === 4)).toEqual({
      id: 4,
      name: '服务端组',
      parentid: 1,
      order: 7,
    });
    expect(parentOf(await client.get('department/simplelist', { id: 1 }), 4)).toBe(1);
  });

  it('refuses a parent that is the department itself or below it (60010) [ERR]', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect((await client.post('department/update', { id: 2, parentid: 2 })).errcode).toBe(60010);
    expect((await client.post('department/update', { id: 2, parentid: 3 })).errcode).toBe(60010);
    expect((await client.post('department/update', { id: 1, parentid: 2 })).errcode).toBe(60010);
  });

  it('refuses an unknown department (60123), parent (60124), a bad name (60125) or a sibling name (60008)', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect((await client.post('department/update', { name: 'x' })).errcode).toBe(60123);
    expect((await client.post('department/update', { id: 404, name: 'x' })).errcode).toBe(60123);
    expect((await client.post('department/update', { id: 3, parentid: 404 })).errcode).toBe(60124);
    expect((await client.post('department/update', { id: 3, name: 'a:b' })).errcode).toBe(60125);
    expect((await client.post('department/update', { id: 3, name: '后端组' })).errcode).toBe(60008);
    // Moving 前端组 under the root is fine; moving 市场部 next to a 市场部 is not.
    await client.post('department/create', { id: 30, name: '市场部', parentid: 2 });
    expect((await client.post('department/update', { id: 30, parentid: 1 })).errcode).toBe(60008);
    expect((await client.post('department/update', { id: 3, name: '前端组' })).errcode).toBe(0);
  });

  it('needs the contact-sync secret (48002 for an app)', async () => {
    const app = { agentId: 1000002, secret: 'app-secret' };
    const { client } = await sandboxFor({ seed: 'demo', apps: [app] });

    const token = await client.token(app.secret);
    expect((await client.post('department/update', { id: 3, name: 'x' }, token)).errcode).toBe(48002);
    expect((await client.get('department/delete', { id: 6 }, token)).errcode).toBe(48002);
  });
});

describe('department/delete', () => {
  it('deletes an empty department: "deleted" [FIX], gone from simplelist', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    await client.post('department/create', { id: 40, name: '临时', parentid: 5 });

    expect(await client.get('department/delete', { id: 40 })).toEqual({ errcode: 0, errmsg: 'deleted' });
    expect(parentOf(await client.get('department/simplelist'), 40)).toBeUndefined();
    expect((await client.get('department/delete', { id: 40 })).errcode).toBe(60123);
  });

  it('refuses the root (60007), sub-departments (60006), members (60005) [ERR; DEPT]', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });

    expect((await client.get('department/delete', { id: 1 })).errcode).toBe(60007);
    expect((await client.get('department/delete', { id: 2 })).errcode).toBe(60006);
    expect((await client.get('department/delete', { id: 5 })).errcode).toBe(60005);
    expect(sandbox.directory.departments().map((department) => department.id)).toEqual(
      expect.arrayContaining([1, 2, 5]),
    );
  });

  it('deletes a department once its members moved out', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    await client.post('user/update', { userid: 'sunqi', department: [6] });
    expect((await client.get('department/delete', { id: 5 })).errcode).toBe(0);
  });
});
