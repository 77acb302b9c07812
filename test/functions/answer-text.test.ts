/**
 * An HTTP caller gets WeCom's answer as WeCom sent it: the response body is WeCom's own text when the
 * route passes the answer on untouched (shared/src/wecom/answer-text.ts), so nothing is lost to a
 * parse/stringify round trip; an answer the service builds itself (a recursive listing) is serialised.
 */
import { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOperationHandler } from '#shared/handler.ts';
import type { OperationId } from '#shared/operations.ts';
import { createRuntime } from '#shared/runtime.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { routeEvent } from './support/events.ts';
import { CapturingLogger } from './support/harness.ts';

const ORIGIN = 'https://wecom.test';
/** Spacing, an escaped character and an integer beyond 2^53, as a WeCom answer may carry them. */
const MEMBER_TEXT =
  '{"errcode":0,"errmsg":"ok", "userid":"zhangsan","name":"\\u5f20\\u4e09","open_userid":"woAJ2GCAAA","external_profile":{"id":12345678901234567890}}';

describe('the answer text of a successful call', () => {
  let agent: MockAgent;
  const pool = () => agent.get(ORIGIN);

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/gettoken'), method: 'GET' })
      .reply(200, { errcode: 0, errmsg: 'ok', access_token: 'tok', expires_in: 7200 });
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  const invoke = (id: OperationId, event: unknown) => {
    const runtime = createRuntime({
      baseUrl: ORIGIN,
      corpId: 'corp',
      secrets: { contact: 'secret' },
      dispatcher: agent,
    });
    const handler = createOperationHandler(id, { runtime: () => runtime, logger: new CapturingLogger() });
    return handler(event, fakeLambdaContext({ functionName: id, timeoutMs: 30_000 }));
  };

  it('is the HTTP body as WeCom sent it, byte for byte', async () => {
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/user/get'), method: 'GET' })
      .reply(200, MEMBER_TEXT, { headers: { 'content-type': 'application/json' } });

    const answer = (await invoke(
      'user-get',
      routeEvent('user-get', { pathParameters: { userid: 'zhangsan' } }),
    )) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };

    expect(answer).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: MEMBER_TEXT,
    });
  });

  it('goes to a direct invoker parsed, as its answer object', async () => {
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/user/get'), method: 'GET' })
      .reply(200, MEMBER_TEXT);

    expect(await invoke('user-get', { userid: 'zhangsan' })).toEqual(JSON.parse(MEMBER_TEXT));
  });

  it('is not used for an answer the service merged from several calls', async () => {
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/department/simplelist'), method: 'GET' })
      .reply(200, '{"errcode":0,"errmsg":"ok","department_id":[{"id":2,"parentid":1,"order":1}]}');
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/user/simplelist'), method: 'GET' })
      .reply(
        200,
        '{"errcode":0, "errmsg":"ok", "userlist":[{"userid":"lisi","name":"Li","department":[2]}]}',
      );

    const answer = (await invoke(
      'user-simple-list',
      routeEvent('user-simple-list', { pathParameters: { department_id: '2' }, query: { fetch_child: '1' } }),
    )) as { statusCode: number; body: string };

    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ errcode: 0, userlist: [{ userid: 'lisi' }] });
    expect(answer.body).not.toContain('"errcode":0, ');
  });
});
