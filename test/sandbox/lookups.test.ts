/**
 * docs/userid-lookups.md: user/getuserid, user/get_userid_by_email, user/list_id, and the daily block
 * after lookups err on more than 20 % of the seat cap.
 */
import { describe, expect, it } from 'vitest';
import type { SandboxApi } from '#sandbox/types.ts';
import { fakeClock, newMember, sandboxFor } from './client.ts';

describe('user/getuserid', () => {
  it('finds the member of a mobile as stored, with or without +86 and its separators', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    for (const mobile of ['+86 13800000001', '+8613800000001', '13800000001']) {
      expect(await client.post('user/getuserid', { mobile })).toEqual({
        errcode: 0,
        errmsg: 'ok',
        userid: 'zhangsan',
      });
    }
  });

  it('answers 46004 for a number no member has, and 60103 for a malformed one', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    expect((await client.post('user/getuserid', { mobile: '13800000999' })).errcode).toBe(46004);
    for (const mobile of ['1380000000a', '1234', '1'.repeat(33), 13800000001, '']) {
      expect((await client.post('user/getuserid', { mobile })).errcode, String(mobile)).toBe(60103);
    }
  });

  it('answers 46004 to an app that cannot see the member', async () => {
    const apps = [{ agentId: 1000002, secret: 'scoped', visibleDepartments: [3] }];
    const { client, sandbox } = await sandboxFor({ seed: 'demo', apps });
    const app = await client.token('scoped');
    const [outside] = sandbox.directory.members().filter(({ department }) => !department?.includes(3));

    expect((await client.post('user/getuserid', { mobile: outside?.mobile }, app)).errcode).toBe(46004);
  });
});

describe('user/get_userid_by_email', () => {
  it('looks in the company mail by default (email_type 1) and in the personal mail with email_type 2', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.directory.addMember(
      newMember({ email: 'wei@home.example', biz_mail: 'wei@corp.example' }) as never,
    );

    const company = await client.post('user/get_userid_by_email', { email: 'wei@corp.example' });
    const personal = await client.post('user/get_userid_by_email', {
      email: 'WEI@home.example',
      email_type: 2,
    });
    const crossed = await client.post('user/get_userid_by_email', {
      email: 'wei@home.example',
      email_type: 1,
    });

    expect([company.userid, personal.userid]).toEqual(['zhangwei', 'zhangwei']);
    expect(crossed.errcode).toBe(46004);
  });

  it('answers 60105 for a malformed address and 40058 for an unknown email_type', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    for (const email of ['no-at-sign', 'a@b', `${'x'.repeat(60)}@example.com`, 'a b@example.com']) {
      expect((await client.post('user/get_userid_by_email', { email })).errcode, email).toBe(60105);
    }
    const typed = await client.post('user/get_userid_by_email', { email: 'lisi@example.com', email_type: 3 });
    expect(typed.errcode).toBe(40058);
  });
});

describe('user/list_id', () => {
  it('is for the contact-sync secret only: an app token gets 48002', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });
    const app = await client.token(sandbox.apps[0]?.secret);

    expect((await client.post('user/list_id', {}, app)).errcode).toBe(48002);
    expect((await client.post('user/list_id', {})).errcode).toBe(0);
  });

  it('lists each member once per department, in pages joined by next_cursor, ending with an empty one', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });
    const expected = sandbox.directory
      .members()
      .flatMap(({ userid, department = [] }) => department.map((id) => `${userid}/${id}`));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.post('user/list_id', { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.errcode).toBe(0);
      const entries = page.dept_user as Array<{ userid: string; department: number }>;
      expect(entries.length).toBeLessThanOrEqual(2);
      seen.push(...entries.map(({ userid, department }) => `${userid}/${department}`));
      cursor = page.next_cursor as string;
      pages++;
    } while (cursor !== '');

    expect(seen.toSorted()).toEqual(expected.toSorted());
    expect(pages).toBe(Math.ceil(expected.length / 2));
  });

  it('answers 40058 for a limit outside 1–10,000 or a cursor it did not issue', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    for (const body of [{ limit: 0 }, { limit: 10_001 }, { limit: '5' }, { cursor: 'not-a-cursor' }]) {
      expect((await client.post('user/list_id', body)).errcode, JSON.stringify(body)).toBe(40058);
    }
  });
});

describe('the daily block of the lookups', () => {
  /** Seat cap 10: the day's errors may reach 2 (20 %); the third blocks the API until Beijing midnight. */
  async function blockedSandbox() {
    // 15:00 UTC is 23:00 in Beijing: an hour before WeCom's day ends.
    const clock = fakeClock(Date.parse('2026-03-10T15:00:00Z'));
    const { client } = await sandboxFor({ seed: 'demo', seats: 10, clock });
    const miss = (api: SandboxApi) =>
      client.post(api, api === 'user/getuserid' ? { mobile: '13800000999' } : { email: 'none@example.com' });
    return { client, clock, miss };
  }

  it('blocks an API whose errors today exceed 20 % of the seats, with 45009, even for a good lookup', async () => {
    const { client, miss } = await blockedSandbox();

    const errcodes = [];
    for (let call = 0; call < 4; call++) errcodes.push((await miss('user/getuserid')).errcode);
    const good = await client.post('user/getuserid', { mobile: '13800000002' });

    expect(errcodes).toEqual([46004, 46004, 46004, 45009]);
    expect(good.errcode).toBe(45009);
    // Each API keeps its own count.
    expect(
      (await client.post('user/get_userid_by_email', { email: 'lisi@example.com', email_type: 2 })).userid,
    ).toBe('lisi');
  });

  it('lifts the block at the next midnight in Beijing, not before', async () => {
    const { client, clock, miss } = await blockedSandbox();
    for (let call = 0; call < 3; call++) await miss('user/get_userid_by_email');

    clock.advance(59 * 60_000); // 23:59 Beijing
    const before = await client.post('user/get_userid_by_email', {
      email: 'lisi@example.com',
      email_type: 2,
    });
    clock.advance(60_000); // 00:00 Beijing, the next day
    const after = await client.post('user/get_userid_by_email', { email: 'lisi@example.com', email_type: 2 });

    expect(before.errcode).toBe(45009);
    expect(after).toMatchObject({ errcode: 0, userid: 'lisi' });
  });
});
