/** docs/wecom.md §3 user/create, §4 user/get, §5 user/update, §6 user/delete, §7 user/batchdelete. */
import { describe, expect, it } from 'vitest';
import { newMember, type SandboxClient, sandboxFor } from './client.ts';

/** Creates `overrides` over a valid member and returns the errcode. */
const createCode = async (client: SandboxClient, overrides: Record<string, unknown>) =>
  (await client.post('user/create', newMember(overrides))).errcode;

describe('§3 user/create', () => {
  it('§3 creates a member who then reads back with its fields, status 4 (not activated)', async () => {
    const { client } = await sandboxFor();
    await client.post(
      'user/create',
      newMember({ position: '工程师', gender: '1', email: 'wei@example.com' }),
    );

    const member = await client.get('user/get', { userid: 'zhangwei' });
    expect(member).toMatchObject({
      userid: 'zhangwei',
      name: '张伟',
      department: [1],
      order: [0],
      is_leader_in_dept: [0],
      position: '工程师',
      gender: '1',
      mobile: '+86 13900000001',
      email: 'wei@example.com',
      main_department: 1,
      status: 4,
      enable: 1,
    });
  });

  it('§3 userid uniqueness ignores case (60102) and the original case is stored', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post('user/create', newMember({ userid: 'ZhangWei' }));

    expect(await createCode(client, { userid: 'zhangwei', mobile: '+86 13900000002' })).toBe(60102);
    expect((await client.get('user/get', { userid: 'ZHANGWEI' })).userid).toBe('ZhangWei');
    expect(sandbox.directory.members().map((member) => member.userid)).toEqual(['ZhangWei']);
  });

  it('§3 userid: missing → 41009; wrong first character, bad characters or over 64 bytes → 40003', async () => {
    const { client } = await sandboxFor();

    expect(await createCode(client, { userid: undefined })).toBe(41009);
    for (const userid of ['_lead', 'has space', 'zhang#wei', 'a'.repeat(65), 42]) {
      expect(await createCode(client, { userid })).toBe(40003);
    }
    expect(await createCode(client, { userid: `A9_-@.${'b'.repeat(58)}` })).toBe(0);
  });

  it('§3 name: 1–64 characters, counted as characters not bytes (60112)', async () => {
    const { client } = await sandboxFor();

    for (const name of [undefined, '', '名'.repeat(65), 7])
      expect(await createCode(client, { name })).toBe(60112);
    expect(await createCode(client, { name: '名'.repeat(64) })).toBe(0);
  });

  it('§3 mobile: format (60103) and uniqueness with or without +86 (60104)', async () => {
    const { client } = await sandboxFor();
    await client.post('user/create', newMember({ mobile: '13900000001' }));

    // §17's 60103 alphabet: digits, + and - (and the space of §3's example), at most 32 characters.
    for (const mobile of ['1390000000a', '+', `+86 ${'1'.repeat(40)}`, 13900000009, '139.0000.0000']) {
      expect(await createCode(client, { userid: 'other', mobile })).toBe(60103);
    }
    const taken = await client.post(
      'user/create',
      newMember({ userid: 'other', mobile: '+86 139-0000-0001' }),
    );
    expect(taken.errcode).toBe(60104);
    expect(taken.errmsg).toMatch(/^mobile existed:zhangwei, hint:/);
  });

  it('§3 email: 6–64 bytes and valid (60105), unique ignoring case (60106)', async () => {
    const { client } = await sandboxFor();
    await client.post('user/create', newMember({ email: 'wei@example.com' }));

    for (const email of ['a@b.c', 'no-at-sign.example.com', `${'x'.repeat(60)}@example.com`]) {
      expect(await createCode(client, { userid: 'other', mobile: undefined, email })).toBe(60105);
    }
    expect(await createCode(client, { userid: 'other', mobile: undefined, email: 'WEI@example.com' })).toBe(
      60106,
    );
  });

  it('§3 biz_mail: 6–64 bytes and valid (60143), unique (60145)', async () => {
    const { client } = await sandboxFor();
    await client.post('user/create', newMember({ biz_mail: 'wei@corp.example.com' }));

    expect(
      await createCode(client, { userid: 'other', mobile: '+86 13900000002', biz_mail: 'not-mail' }),
    ).toBe(60143);
    const duplicate = { userid: 'other', mobile: '+86 13900000002', biz_mail: 'wei@corp.example.com' };
    expect(await createCode(client, duplicate)).toBe(60145);
  });

  it('§3 mobile and email must not both be empty (60129)', async () => {
    const { client } = await sandboxFor();

    expect(await createCode(client, { mobile: undefined })).toBe(60129);
    expect(await createCode(client, { mobile: '', email: '' })).toBe(60129);
    expect(await createCode(client, { mobile: undefined, email: 'wei@example.com' })).toBe(0);
  });

  it('§3 position: at most 128 characters (301012)', async () => {
    const { client } = await sandboxFor();

    expect(await createCode(client, { position: '职'.repeat(129) })).toBe(301012);
    expect(await createCode(client, { position: '职'.repeat(128) })).toBe(0);
  });

  it('§3 telephone: at most 32 bytes of digits, - + and , (301013)', async () => {
    const { client } = await sandboxFor();

    for (const telephone of ['010 1234', '010-ABCD', '1'.repeat(33)]) {
      expect(await createCode(client, { telephone })).toBe(301013);
    }
    expect(await createCode(client, { telephone: '+86-10-12345678,801' })).toBe(0);
  });

  it('§3 alias at most 64 characters and address at most 128 (40058)', async () => {
    const { client } = await sandboxFor();

    expect(await createCode(client, { alias: 'a'.repeat(65) })).toBe(40058);
    expect(await createCode(client, { address: '路'.repeat(129) })).toBe(40058);
    expect(await createCode(client, { alias: 'a'.repeat(64), address: '路'.repeat(128) })).toBe(0);
  });

  it('§3 order and is_leader_in_dept must have as many entries as department (60132)', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.directory.addDepartment({ id: 2, name: '研发', parentid: 1 });

    expect(await createCode(client, { department: [1, 2], order: [1] })).toBe(60132);
    expect(await createCode(client, { department: [1, 2], is_leader_in_dept: [1, 0, 0] })).toBe(60132);
    expect(await createCode(client, { department: [1, 2], order: [5, 6], is_leader_in_dept: [0, 1] })).toBe(
      0,
    );
    expect(sandbox.directory.member('zhangwei')).toMatchObject({ order: [5, 6], is_leader_in_dept: [0, 1] });
  });

  it('§3 department must be a number array (41019) of at most 100 ids (60110)', async () => {
    const { client } = await sandboxFor();

    expect(await createCode(client, { department: '1' })).toBe(41019);
    expect(await createCode(client, { department: ['1'] })).toBe(41019);
    const many = Array.from({ length: 101 }, (_, index) => index + 1);
    expect(await createCode(client, { department: many })).toBe(60110);
  });

  it('§3 unknown departments are auto-created and reported in created_department_list', async () => {
    const { client, sandbox } = await sandboxFor();
    const answer = await client.post('user/create', newMember({ department: [1, 77] }));

    expect(answer).toMatchObject({ errcode: 0, created_department_list: { department_info: [{ id: 77 }] } });
    expect(sandbox.directory.departments().map(({ id }) => id)).toContain(77);
    expect(sandbox.directory.member('zhangwei')?.department).toEqual([1, 77]);
  });

  it('§3 without a department the member goes to 待设置部门, with no created_department_list', async () => {
    const { client, sandbox } = await sandboxFor();
    const answer = await client.post('user/create', newMember({ department: undefined }));

    const pending = sandbox.directory.departments().find(({ name }) => name === '待设置部门');
    expect(answer).not.toHaveProperty('created_department_list');
    expect(sandbox.directory.member('zhangwei')?.department).toEqual([pending?.id]);
  });

  it('§3 a failed create changes nothing (no member, no auto-created department)', async () => {
    const { client, sandbox } = await sandboxFor();

    expect(await createCode(client, { department: [88], position: '职'.repeat(129) })).toBe(301012);
    expect(sandbox.directory.members()).toEqual([]);
    expect(sandbox.directory.departments().map(({ id }) => id)).toEqual([1]);
  });
});

describe('§5 user/update', () => {
  it('§5 changes only the fields sent', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post(
      'user/create',
      newMember({ position: '工程师', email: 'wei@example.com', alias: 'Wei' }),
    );
    const before = sandbox.directory.member('zhangwei');

    await client.post('user/update', { userid: 'ZHANGWEI', position: '架构师' });
    expect(sandbox.directory.member('zhangwei')).toEqual({ ...before, position: '架构师' });
  });

  it('§5 a mobile update is silently ignored for an activated member (status 1)', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post('user/create', newMember());
    sandbox.directory.setStatus('zhangwei', 1);

    const answer = await client.post('user/update', {
      userid: 'zhangwei',
      mobile: '+86 13900000099',
      name: '张伟伟',
    });
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'updated' });
    expect(sandbox.directory.member('zhangwei')).toMatchObject({ mobile: '+86 13900000001', name: '张伟伟' });
  });

  it('§5 a mobile update applies to a member not yet activated (status 4)', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post('user/create', newMember());

    await client.post('user/update', { userid: 'zhangwei', mobile: '+86 13900000099' });
    expect(sandbox.directory.member('zhangwei')?.mobile).toBe('+86 13900000099');
  });

  it('§5 the same rules as create: unknown userid 60111, formats, uniqueness and counts', async () => {
    const { client } = await sandboxFor();
    await client.post('user/create', newMember());
    await client.post('user/create', newMember({ userid: 'other', mobile: '+86 13900000002' }));
    const update = async (fields: Record<string, unknown>) =>
      (await client.post('user/update', { userid: 'other', ...fields })).errcode;

    expect((await client.post('user/update', { userid: 'nobody', name: 'x' })).errcode).toBe(60111);
    expect(await update({ name: '' })).toBe(60112);
    expect(await update({ mobile: '+86 13900000001' })).toBe(60104);
    expect(await update({ department: [1], is_leader_in_dept: [1, 1] })).toBe(60132);
    expect(await update({ mobile: '' })).toBe(60129);
  });

  it('§5 order and is_leader_in_dept take effect only together with department (ignored alone)', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.directory.addDepartment({ id: 2, name: '研发', parentid: 1 });
    await client.post('user/create', newMember({ order: [3] }));

    await client.post('user/update', { userid: 'zhangwei', order: [9], is_leader_in_dept: [1, 0] });
    expect(sandbox.directory.member('zhangwei')).toMatchObject({ order: [3], is_leader_in_dept: [0] });
    await client.post('user/update', { userid: 'zhangwei', department: [2, 1], order: [7, 8] });
    expect(sandbox.directory.member('zhangwei')).toMatchObject({ department: [2, 1], order: [7, 8] });
  });

  it('§3 / §4 enable 0 disables a member (status 2); enable 1 restores the status it had', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post('user/create', newMember());
    sandbox.directory.setStatus('zhangwei', 1);

    await client.post('user/update', { userid: 'zhangwei', enable: 0 });
    expect(sandbox.directory.member('zhangwei')).toMatchObject({ enable: 0, status: 2 });
    await client.post('user/update', { userid: 'zhangwei', enable: 1 });
    expect(sandbox.directory.member('zhangwei')).toMatchObject({ enable: 1, status: 1 });
    expect(await createCode(client, { userid: 'off', mobile: '+86 13900000002', enable: 0 })).toBe(0);
    expect(sandbox.directory.member('off')?.status).toBe(2);
  });

  it('§5 new_userid is refused for a userid that was not system-generated (301036)', async () => {
    const { client } = await sandboxFor();
    await client.post('user/create', newMember());

    expect((await client.post('user/update', { userid: 'zhangwei', new_userid: 'wei' })).errcode).toBe(
      301036,
    );
  });
});

describe('§6 user/delete and §7 user/batchdelete', () => {
  it('§6 deletes a member; an unknown userid → 60111', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.post('user/create', newMember());

    expect((await client.get('user/delete', { userid: 'ZhangWei' })).errcode).toBe(0);
    expect(sandbox.directory.member('zhangwei')).toBeUndefined();
    expect((await client.get('user/delete', { userid: 'zhangwei' })).errcode).toBe(60111);
  });

  it('§6 the corp creator cannot be deleted (301005)', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });

    expect((await client.get('user/delete', { userid: sandbox.directory.creator ?? '' })).errcode).toBe(
      301005,
    );
    expect(sandbox.directory.member('zhangsan')).toBeDefined();
  });

  it('§7 deletes every listed member', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });

    const answer = await client.post('user/batchdelete', { useridlist: ['lisi', 'zhaoliu'] });
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'deleted' });
    expect(sandbox.directory.member('lisi')).toBeUndefined();
    expect(sandbox.directory.member('ZhaoLiu')).toBeUndefined();
  });

  it('§7 more than 200 userids → 40032', async () => {
    const { client } = await sandboxFor();
    const useridlist = Array.from({ length: 201 }, (_, index) => `u${index}`);

    expect((await client.post('user/batchdelete', { useridlist })).errcode).toBe(40032);
  });

  it("§7 / §17 one unknown userid fails the whole call (40031, WeCom's errcode list) and deletes nobody", async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });

    expect((await client.post('user/batchdelete', { useridlist: ['lisi', 'nobody'] })).errcode).toBe(40031);
    expect(sandbox.directory.member('lisi')).toBeDefined();
  });

  it('§7 the creator in the list fails the whole call (301005)', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });

    expect((await client.post('user/batchdelete', { useridlist: ['lisi', 'zhangsan'] })).errcode).toBe(
      301005,
    );
    expect(sandbox.directory.member('lisi')).toBeDefined();
  });

  it('§7 / §17 an empty or non-array useridlist → 40031', async () => {
    const { client } = await sandboxFor();

    expect((await client.post('user/batchdelete', { useridlist: [] })).errcode).toBe(40031);
    expect((await client.post('user/batchdelete', { useridlist: 'lisi' })).errcode).toBe(40031);
  });
});
