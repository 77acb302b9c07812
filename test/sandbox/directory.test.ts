/** The sandbox's own surface: seeds, and arranging the directory directly (no API calls, no counters). */
import { describe, expect, it } from 'vitest';
import { newMember, sandboxFor } from './client.ts';

describe('seeds and direct arrangement', () => {
  it('starts empty by default: the root department only', async () => {
    const { sandbox } = await sandboxFor();

    expect(sandbox.directory.departments()).toEqual([
      { id: 1, name: expect.any(String), parentid: 0, order: expect.any(Number) },
    ]);
    expect(sandbox.directory.members()).toEqual([]);
    expect(sandbox.directory.creator).toBeUndefined();
  });

  it('the demo seed is a small company: a three-level tree, members with Chinese names in every status, a creator', async () => {
    const { sandbox } = await sandboxFor({ seed: 'demo' });
    const members = sandbox.directory.members();
    const departments = sandbox.directory.departments();
    const depth = (id: number): number => {
      const parent = departments.find((department) => department.id === id)?.parentid ?? 0;
      return parent === 0 ? 1 : 1 + depth(parent);
    };

    expect(Math.max(...departments.map(({ id }) => depth(id)))).toBe(3);
    expect(members.length).toBeGreaterThanOrEqual(5);
    expect(members.every(({ name }) => /^[\u4e00-\u9fff]+$/.test(name ?? ''))).toBe(true);
    expect(new Set(members.map(({ status }) => status))).toEqual(new Set([1, 2, 4]));
    expect(sandbox.directory.member(sandbox.directory.creator ?? '')?.status).toBe(1);
    expect(sandbox.counters()).toEqual({});
  });

  it('addMember applies the user/create rules and sets the status; setCreator protects a member', async () => {
    const { sandbox, client } = await sandboxFor();
    sandbox.directory.addMember(newMember(), 1);
    sandbox.directory.setCreator('ZHANGWEI');

    expect(sandbox.directory.member('zhangwei')).toMatchObject({ name: '张伟', status: 1 });
    expect(() => sandbox.directory.addMember(newMember({ userid: 'ZhangWei' }))).toThrow('userid existed');
    expect(sandbox.directory.creator).toBe('zhangwei');
    expect((await client.get('user/delete', { userid: 'zhangwei' })).errcode).toBe(301005);
  });

  it('directory reads are copies: changing them does not change the sandbox', async () => {
    const { sandbox } = await sandboxFor({ seed: 'demo' });
    const member = sandbox.directory.member('lisi');
    member?.department?.push(99);

    expect(sandbox.directory.member('lisi')?.department).toEqual([2]);
  });

  it('addDepartment refuses an unknown parent and a taken id', async () => {
    const { sandbox } = await sandboxFor();
    sandbox.directory.addDepartment({ id: 2, name: '研发', parentid: 1 });

    expect(() => sandbox.directory.addDepartment({ id: 3, name: '孤儿', parentid: 404 })).toThrow();
    expect(() => sandbox.directory.addDepartment({ id: 2, name: '重复', parentid: 1 })).toThrow();
  });
});
