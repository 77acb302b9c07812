/**
 * Every row of the errcode → HTTP table (errcode-rules.ts), end to end: the sandbox answers the row's
 * errcode to the WeCom call, and the route answers the row's status, message and Retry-After.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERRCODE_RULES, retryAfterOf } from '#shared/errcode-rules.ts';
import { getOperation, type OperationId } from '#shared/operations.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';
import { VALID_REQUESTS } from './support/requests.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.stop());
afterEach(() => harness.sandbox.clearFaults());

/**
 * Answers the route's WeCom call with `errcode` on every attempt (retries and the token refresh
 * included). The sandbox writes the errmsg as WeCom does: text, hint, `from ip`, link.
 */
async function answerWith(id: OperationId, errcode: number, errmsg = 'refused') {
  harness.sandbox.injectFault(getOperation(id).wecomApi, { kind: 'errcode', errcode, errmsg }, 5);
  return httpAnswer(await harness.invoke(id, routeEvent(id, VALID_REQUESTS[id])));
}

const errmsgOf = (errcode: number) =>
  expect.stringMatching(
    new RegExp(`^refused, hint: .*, from ip: 127\\.0\\.0\\.1, more info at .*e=${errcode}$`),
  );

describe('the errcode table', () => {
  it.each(ERRCODE_RULES.map((rule) => [rule.errcode, rule.status, rule]))(
    'errcode %i → %i',
    async (_errcode, _status, rule) => {
      const before = retryAfterOf(rule, { errmsg: 'refused', now: Date.now() });
      const answer = await answerWith(rule.operations?.[0] ?? 'user-get', rule.errcode);
      const after = retryAfterOf(rule, { errmsg: 'refused', now: Date.now() });

      expect(answer.statusCode).toBe(rule.status);
      expect(answer.body).toMatchObject({ errcode: rule.errcode, errmsg: errmsgOf(rule.errcode) });
      // A wait that counts down (to a daily block's end) lies between its values before and after.
      const retryAfter = answer.headers['retry-after'];
      if (before === undefined || after === undefined) expect(retryAfter).toBeUndefined();
      else {
        expect(Number(retryAfter)).toBeGreaterThanOrEqual(after);
        expect(Number(retryAfter)).toBeLessThanOrEqual(before);
      }
      const message = String(answer.body.message);
      expect(message).not.toMatch(/\{ip\}|\{api\}/);
      if (rule.message.includes('{ip}')) expect(message).toContain('(127.0.0.1)');
      // A 502 says who must fix what: the operator, or (an answer too large) the caller.
      if (rule.status === 502)
        expect(message).toMatch(/an operator must|list its sub-departments one at a time/);
    },
  );

  it('applies a row limited to some operations only to those (40003 is a 404 on get and delete only)', async () => {
    const onGet = await answerWith('user-get', 40003);
    const onAuth = await answerWith('user-auth-succ', 40003);

    expect([onGet.statusCode, onAuth.statusCode]).toEqual([404, 400]);
  });

  it('asks for a retry within seconds on 45033 (calls in flight), but after the window on 45009', async () => {
    const concurrency = await answerWith('user-get', 45033);
    harness.sandbox.clearFaults();
    const rate = await answerWith('user-get', 45009);

    expect(Number(concurrency.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(rate.headers['retry-after']).toBe('60');
  });

  it.each([
    ['api freq out of limit', '60'],
    ['api minute freq out of limit', '60'],
    ['api hour freq out of limit', '3600'],
    ['reach max api daily quota limit', '86400'],
    ['api day freq out of limit', '86400'],
    ['api monthly freq out of limit', '2592000'],
  ])('on 45009 "%s" asks for a retry after the window it names (%s s)', async (errmsg, seconds) => {
    const answer = await answerWith('user-get', 45009, errmsg);

    expect(answer).toMatchObject({ statusCode: 429, headers: { 'retry-after': seconds } });
  });

  it.each([40031, 60111, 46004, 40003])(
    'answers 404 to a batch delete naming a member that does not exist, whichever code WeCom uses (%i)',
    async (errcode) => {
      const answer = await answerWith('user-batch-delete', errcode);

      expect(answer).toMatchObject({ statusCode: 404, body: { errcode } });
    },
  );

  it('answers 404 to an openid WeCom does not know (40073)', async () => {
    expect((await answerWith('user-convert-to-userid', 40073)).statusCode).toBe(404);
  });

  it.each([
    [41001, 'user-get', 500, /defect of this service/],
    [45024, 'user-create', 409, /seat cap/],
    [45029, 'user-list', 502, /fetch_child=0.*simple listing/],
  ] as const)(
    'answers %i (not the caller’s input) on %s with %i and what to do',
    async (errcode, id, status, hint) => {
      const answer = await answerWith(id, errcode);

      expect(answer).toMatchObject({
        statusCode: status,
        body: { errcode, message: expect.stringMatching(hint) },
      });
    },
  );

  it("answers other errcodes with 400 and WeCom's own errcode and errmsg", async () => {
    const answer = await answerWith('user-get', 60112);

    expect(answer).toMatchObject({
      statusCode: 400,
      body: { errcode: 60112, errmsg: errmsgOf(60112), message: 'WeCom refused the request' },
    });
  });
});
