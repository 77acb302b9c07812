/**
 * Answers WeCom can give that the service reads itself (design: docs/validation.md, "Answers"): a
 * success without its list is an empty list; a list or a field of another shape is a clear 502, never
 * a TypeError's 500.
 */
import { describe, expect, it } from 'vitest';
import { describeError } from '#shared/error-mapping.ts';
import { UnexpectedAnswerError } from '#shared/errors.ts';
import { createOperationHandler } from '#shared/handler.ts';
import type { OperationId } from '#shared/operations.ts';
import { isSameMember } from '#shared/wecom/reconcilers.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { routeEvent } from './support/events.ts';
import { type Answer, fakeRuntime } from './support/fake-runtime.ts';
import { httpAnswer } from './support/harness.ts';

async function listWith(id: OperationId, answer: Answer) {
  const { runtime } = fakeRuntime(answer);
  const handler = createOperationHandler(id, { runtime: () => runtime });
  const event = routeEvent(id, { pathParameters: { department_id: '1' }, query: { fetch_child: '1' } });
  return httpAnswer(await handler(event, fakeLambdaContext({ functionName: id, timeoutMs: 30_000 })));
}

const ok = { errcode: 0, errmsg: 'ok' };

describe('fetch_child=1 over odd answers', () => {
  it.each(['user-simple-list', 'user-list'] as const)(
    '%s: a success without department_id or userlist lists nobody (200), not a 500',
    async (id) => {
      const answer = await listWith(id, () => ok);

      expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, userlist: [] } });
    },
  );

  it.each([
    ['department_id is not a list', { department_id: 'x' }, ok],
    ['a department has no id', { department_id: [{ name: 'x' }] }, ok],
    ['userlist is an object', ok, { userlist: { userid: 'a' } }],
    ['a member has no userid', ok, { userlist: [{ name: 'x' }] }],
    ['the member list holds null', ok, { userlist: [null] }],
  ])('answers 502 "unexpected shape" when %s', async (_case, tree, members) => {
    const answer = await listWith('user-simple-list', (api) =>
      api === 'department/simplelist' ? { ...ok, ...tree } : { ...ok, ...members },
    );

    expect(answer).toMatchObject({
      statusCode: 502,
      body: { message: expect.stringMatching(/^WeCom answered an unexpected shape/) },
    });
  });
});

describe('the create reconciler over odd answers', () => {
  it('compares a gender sent as a number with the string WeCom holds', () => {
    expect(isSameMember({ userid: 'a', gender: 0 as unknown as string }, { userid: 'a', gender: '0' })).toBe(
      true,
    );
    expect(isSameMember({ userid: 'a', gender: 1 as unknown as string }, { userid: 'a', gender: '2' })).toBe(
      false,
    );
  });

  it('meets a held member whose email is not a string with a 502 error, not a TypeError', () => {
    const compare = () => isSameMember({ userid: 'a', email: 'a@b.cn' }, { userid: 'a', email: 5 as never });

    expect(compare).toThrow(UnexpectedAnswerError);
    expect(describeError(new UnexpectedAnswerError('user/get', 'email'))).toMatchObject({
      status: 502,
      retryable: true,
    });
  });
});
