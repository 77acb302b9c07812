/**
 * The userid lookups end to end (route → layer → sandbox): answers, not-found as 404, the miss metric,
 * the day's block as 429 until Beijing midnight, and personal data kept out of URLs and logs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secondsToBeijingMidnight } from '#shared/beijing-dates.ts';
import { METRICS } from '#shared/metric-names.ts';
import { captureOutput, metricCount } from '#test/shared/helpers.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';

/** Seat cap 10: two misses a day are within WeCom's 20 %, the third blocks the API. */
const SEATS = 10;
const UNKNOWN_MOBILE = '13800000999';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seats: SEATS });
});
afterAll(() => harness.stop());
beforeEach(() => harness.sandbox.resetCounters());

const byMobile = async (mobile: string) =>
  httpAnswer(await harness.invoke('user-get-userid', routeEvent('user-get-userid', { body: { mobile } })));

const byEmail = async (body: Record<string, unknown>) =>
  httpAnswer(
    await harness.invoke('user-get-userid-by-email', routeEvent('user-get-userid-by-email', { body })),
  );

describe('POST /userids/by-mobile and /userids/by-email', () => {
  it('answer the userid, the value travelling in the body only', async () => {
    const event = routeEvent('user-get-userid', { body: { mobile: '+86 13800000001' } });

    expect(httpAnswer(await harness.invoke('user-get-userid', event))).toMatchObject({
      statusCode: 200,
      body: { errcode: 0, userid: 'zhangsan' },
    });
    expect(`${event.rawPath}?${event.rawQueryString}`).not.toContain('138');
    expect(await byEmail({ email: 'lisi@example.com', email_type: 2 })).toMatchObject({
      statusCode: 200,
      body: { userid: 'lisi' },
    });
  });

  it('refuse a malformed value with a 400, before WeCom (where it would cost a miss)', async () => {
    const answers = [await byMobile('138-0000-000x'), await byEmail({ email: 'lisi' })];

    expect(answers.map(({ statusCode }) => statusCode)).toEqual([400, 400]);
    expect(harness.sandbox.counters()).toEqual({});
  });

  it('answer 404 for a value no member has, count one LookupMisses, and log neither value', async () => {
    const output = captureOutput();
    let answers: Awaited<ReturnType<typeof byMobile>>[];
    try {
      answers = [await byMobile(UNKNOWN_MOBILE), await byEmail({ email: 'nobody@example.com' })];
    } finally {
      output.restore();
    }

    expect(answers.map(({ statusCode, body }) => [statusCode, body.errcode])).toEqual([
      [404, 46004],
      [404, 46004],
    ]);
    expect(metricCount(output.lines(), METRICS.lookupMisses)).toBe(2);
    expect(output.text() + harness.logger.text()).not.toMatch(/13800000999|nobody@example\.com/);
  });

  it('count no miss for a lookup that found its member', async () => {
    const output = captureOutput();
    try {
      await byMobile('13800000002');
    } finally {
      output.restore();
    }

    expect(metricCount(output.lines(), METRICS.lookupMisses)).toBe(0);
  });

  it('answer 429 with Retry-After until the next Beijing midnight once WeCom blocks the day', async () => {
    // The misses above and these take the day's count past 20 % of the seats (the block is per API).
    for (let miss = 0; miss < 3; miss++) await byMobile(UNKNOWN_MOBILE);

    const before = secondsToBeijingMidnight(Date.now());
    const blocked = await byMobile('13800000002');
    const after = secondsToBeijingMidnight(Date.now());

    expect(blocked).toMatchObject({ statusCode: 429, body: { errcode: 45009 } });
    expect(String(blocked.body.message)).toMatch(/midnight Beijing time.*LookupMisses/);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(after);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(before);
  });
});

describe('secondsToBeijingMidnight', () => {
  it.each([
    ['2026-03-10T15:59:59Z', 1], // 23:59:59 in Beijing
    ['2026-03-10T16:00:00Z', 86_400], // midnight in Beijing: a whole day to go
    ['2026-03-10T00:00:00Z', 16 * 3_600], // 08:00 in Beijing
  ])('at %s is %i', (time, seconds) => {
    expect(secondsToBeijingMidnight(Date.parse(time))).toBe(seconds);
  });
});

describe('GET /userids', () => {
  it("answers WeCom's page unchanged, with the contact-sync credential even when an app one exists", async () => {
    const answer = httpAnswer(
      await harness.invoke('user-list-id', routeEvent('user-list-id', { query: { limit: '3' } })),
    );

    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      next_cursor: expect.stringMatching(/.+/),
      // The directory's first three pairs: members in creation order, each member's departments ascending.
      dept_user: harness.sandbox.directory
        .members()
        .flatMap(({ userid, department = [] }) =>
          department.toSorted((x, y) => x - y).map((id) => ({ userid, department: id })),
        )
        .slice(0, 3),
    });
  });

  it('refuses a limit outside 1–10,000 with a 400, before WeCom', async () => {
    for (const limit of ['0', '10001', 'ten']) {
      const answer = httpAnswer(
        await harness.invoke('user-list-id', routeEvent('user-list-id', { query: { limit } })),
      );
      expect(answer.statusCode, limit).toBe(400);
    }
    expect(harness.sandbox.counters()).toEqual({});
  });
});
