/** docs/wecom.md §13 batch/invite, §14 corp/get_join_qrcode, §15 user/get_active_stat. */
import { describe, expect, it } from 'vitest';
import { fakeClock, sandboxFor } from './client.ts';

describe('§13 batch/invite', () => {
  it('§13 invites valid entries and reports the invalid ones in invaliduser / invalidparty / invalidtag', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });

    const answer = await client.post('batch/invite', {
      user: ['zhouba', 'ghost'],
      party: [6, 404],
      tag: [101],
    });
    expect(answer).toEqual({
      errcode: 0,
      errmsg: 'ok',
      invaliduser: ['ghost'],
      invalidparty: [404],
      invalidtag: [101],
    });
    const clean = await client.post('batch/invite', { user: ['zhouba'] });
    expect(clean).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it('§13 limits: 1000 users, 100 parties, 100 tags (40035 beyond)', async () => {
    const { client } = await sandboxFor({ seed: 'demo' });
    const ids = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

    expect((await client.post('batch/invite', { user: ids(1001).map((id) => `u${id}`) })).errcode).toBe(
      40035,
    );
    expect((await client.post('batch/invite', { party: ids(101) })).errcode).toBe(40035);
    expect((await client.post('batch/invite', { tag: ids(101) })).errcode).toBe(40035);
    expect((await client.post('batch/invite', { user: ids(1000).map((id) => `u${id}`) })).errcode).toBe(0);
  });

  it('§13 at least one list must be non-empty (40035, the sandbox choice); lists must be arrays', async () => {
    const { client } = await sandboxFor();

    expect((await client.post('batch/invite', {})).errcode).toBe(40035);
    expect((await client.post('batch/invite', { user: [], party: [] })).errcode).toBe(40035);
    expect((await client.post('batch/invite', { user: 'zhouba' })).errcode).toBe(40035);
  });
});

describe('§14 corp/get_join_qrcode', () => {
  it('§14 returns a join link for size_type 1–4, 3 by default', async () => {
    const { client } = await sandboxFor();

    const byDefault = await client.get('corp/get_join_qrcode');
    expect(byDefault.join_qrcode).toMatch(
      /^https:\/\/work\.weixin\.qq\.com\/wework_admin\/genqrcode\?action=join&vcode=\w+&.*qr_size=3$/,
    );
    for (const size of [1, 2, 3, 4]) {
      expect((await client.get('corp/get_join_qrcode', { size_type: size })).join_qrcode).toMatch(
        new RegExp(`qr_size=${size}$`),
      );
    }
  });

  it('§14 size_type outside 1–4 → 40058', async () => {
    const { client } = await sandboxFor();

    for (const size_type of [0, 5, 'big']) {
      expect((await client.get('corp/get_join_qrcode', { size_type })).errcode).toBe(40058);
    }
  });
});

describe('§15 user/get_active_stat', () => {
  // 2026-03-10T04:00Z is 12:00 on 2026-03-10 in Beijing.
  const now = Date.parse('2026-03-10T04:00:00Z');

  it('§15 answers a deterministic count for a day within the last 30, never above the activated members', async () => {
    const first = await sandboxFor({ seed: 'demo', clock: fakeClock(now) });
    const second = await sandboxFor({ seed: 'demo', clock: fakeClock(now) });
    const activated = first.sandbox.directory.members().filter((member) => member.status === 1).length;

    const counts = [];
    for (const date of ['2026-03-09', '2026-02-08', '2026-03-10']) {
      const answer = await first.client.post('user/get_active_stat', { date });
      expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok' });
      expect(await second.client.post('user/get_active_stat', { date })).toEqual(answer);
      counts.push(answer.active_cnt as number);
    }
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(Math.ceil((activated * 2) / 3));
    for (const count of counts) expect(count).toBeLessThanOrEqual(activated);
  });

  it('§15 the count follows the directory: nobody activated → 0', async () => {
    const { client } = await sandboxFor({ clock: fakeClock(now) });

    expect((await client.post('user/get_active_stat', { date: '2026-03-09' })).active_cnt).toBe(0);
  });

  it('§15 more than 30 days back, a future day or a malformed date → 40058 (the sandbox choice)', async () => {
    const { client } = await sandboxFor({ seed: 'demo', clock: fakeClock(now) });

    for (const date of ['2026-02-07', '2026-03-11', '2026/03/09', '2026-02-30', 20260309]) {
      expect((await client.post('user/get_active_stat', { date })).errcode).toBe(40058);
    }
  });

  it('§15 the window moves with the clock (Beijing days)', async () => {
    const clock = fakeClock(now);
    const { client } = await sandboxFor({ seed: 'demo', clock });

    expect((await client.post('user/get_active_stat', { date: '2026-02-08' })).errcode).toBe(0);
    clock.advance(86_400_000);
    expect((await client.post('user/get_active_stat', { date: '2026-02-08' })).errcode).toBe(40058);
  });
});
