/**
 * The middleware chain on its own (a fake WeCom client): event normalisation for every source, the
 * HTTP limits, the error mapping and the SQS batch rules.
 */
import { createHook } from 'node:async_hooks';
import { describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  DependencyUnavailableError,
  UpstreamTimeoutError,
  ValidationError,
  WeComError,
} from '#shared/errors.ts';
import { createOperationHandler } from '#shared/handler.ts';
import { HTTP_BUDGET_MS, SAFETY_MARGIN_MS } from '#shared/middleware/execute.ts';
import { MAX_BODY_BYTES } from '#shared/middleware/http-input.ts';
import type { OperationId } from '#shared/operations.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { eventBridgeEvent, httpEvent, routeEvent, sqsEvent, sqsRecord } from './support/events.ts';
import { type Answer, fakeRuntime } from './support/fake-runtime.ts';
import { CapturingLogger, httpAnswer } from './support/harness.ts';

function setup(id: OperationId, answer?: Answer) {
  const { runtime, call } = fakeRuntime(answer);
  const logger = new CapturingLogger();
  const handler = createOperationHandler(id, { runtime: () => runtime, logger });
  const context = fakeLambdaContext({ functionName: id, timeoutMs: 30_000 });
  return { call, logger, context, invoke: (event: unknown) => handler(event, context) };
}

const weComError = (api: string, errcode: number) =>
  new WeComError(
    api,
    errcode,
    `refused, hint: [1], from ip: 198.51.100.7, more info at https://x?e=${errcode}`,
  );

describe('an API Gateway HTTP API (2.0) event', () => {
  it("is answered with WeCom's JSON and 200, the path parameters being the request", async () => {
    const { invoke, call } = setup('user-get', () => ({
      errcode: 0,
      errmsg: 'ok',
      userid: 'zhangsan',
      name: '张三',
    }));

    const answer = httpAnswer(
      await invoke(routeEvent('user-get', { pathParameters: { userid: 'zhangsan' } })),
    );

    expect(answer).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { errcode: 0, errmsg: 'ok', userid: 'zhangsan', name: '张三' },
    });
    expect(call).toHaveBeenCalledWith(
      'user/get',
      { userid: 'zhangsan' },
      expect.objectContaining({ credential: 'app' }),
    );
  });

  it('merges the JSON body with the path, and refuses a body whose userid disagrees with the path', async () => {
    const { invoke, call } = setup('user-update');

    const agreeing = await invoke(
      routeEvent('user-update', {
        pathParameters: { userid: 'lisi' },
        body: { userid: 'lisi', position: 'CTO' },
      }),
    );
    const disagreeing = await invoke(
      routeEvent('user-update', {
        pathParameters: { userid: 'lisi' },
        body: { userid: 'wangwu', position: 'CTO' },
      }),
    );

    expect(httpAnswer(agreeing).statusCode).toBe(200);
    expect(call).toHaveBeenCalledWith('user/update', { userid: 'lisi', position: 'CTO' }, expect.anything());
    expect(httpAnswer(disagreeing)).toMatchObject({
      statusCode: 400,
      body: { issues: [{ path: 'userid', message: 'disagrees with the URL' }] },
    });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('reads numbers from the query string, and refuses query parameters the route does not take', async () => {
    const { invoke, call } = setup('user-join-qrcode', () => ({
      errcode: 0,
      errmsg: 'ok',
      join_qrcode: 'https://q',
    }));

    const ok = await invoke(routeEvent('user-join-qrcode', { query: { size_type: '2' } }));
    const unknown = await invoke(routeEvent('user-join-qrcode', { query: { size: '2' } }));

    expect(httpAnswer(ok).statusCode).toBe(200);
    expect(call).toHaveBeenCalledWith('corp/get_join_qrcode', { size_type: 2 }, expect.anything());
    expect(httpAnswer(unknown)).toMatchObject({ statusCode: 400, body: { issues: [{ path: 'size' }] } });
  });

  it('refuses a `__proto__` query parameter like any unknown one', async () => {
    const { invoke, call } = setup('user-active-stat');
    const event = routeEvent('user-active-stat', { query: { date: '2026-03-10' } });
    event.queryStringParameters = JSON.parse('{"date":"2026-03-10","__proto__":"x"}');

    expect(httpAnswer(await invoke(event))).toMatchObject({
      statusCode: 400,
      body: { issues: [{ path: '__proto__' }] },
    });
    expect(call).not.toHaveBeenCalled();
  });

  it('decodes a base64-encoded body', async () => {
    const { invoke, call } = setup('user-batch-delete');
    const body = Buffer.from(JSON.stringify({ useridlist: ['a', 'b'] })).toString('base64');

    const event = { ...routeEvent('user-batch-delete'), body, isBase64Encoded: true };
    event.headers = { ...event.headers, 'content-type': 'application/json' };

    expect(httpAnswer(await invoke(event)).statusCode).toBe(200);
    expect(call).toHaveBeenCalledWith('user/batchdelete', { useridlist: ['a', 'b'] }, expect.anything());
  });

  it(`accepts a body of ${MAX_BODY_BYTES / 1024} KiB and refuses one byte more with 413, base64 or not`, async () => {
    const { invoke, call } = setup('user-create');
    const bodyOf = (size: number) => {
      const head = JSON.stringify({ userid: 'big', name: 'Big', mobile: '13800000000', padding: '' });
      return `${head.slice(0, -2)}${'x'.repeat(size - head.length)}"}`;
    };
    const event = (body: string, isBase64Encoded = false) => ({
      ...routeEvent('user-create', { body: {} }),
      body: isBase64Encoded ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded,
    });

    expect(httpAnswer(await invoke(event(bodyOf(MAX_BODY_BYTES)))).statusCode).toBe(200);
    expect(httpAnswer(await invoke(event(bodyOf(MAX_BODY_BYTES + 1)))).statusCode).toBe(413);
    expect(httpAnswer(await invoke(event(bodyOf(MAX_BODY_BYTES + 1), true))).statusCode).toBe(413);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/json; charset=iso-8859-1', 415],
    ['application/json; charset=UTF-8', 200],
    ['application/merge-patch+json', 200],
  ])('answers a body sent as %s with %i', async (contentType, status) => {
    const { invoke } = setup('user-update');
    const event = routeEvent('user-update', {
      pathParameters: { userid: 'lisi' },
      body: { position: 'CTO' },
    });
    event.headers = { ...event.headers, 'content-type': contentType };

    expect(httpAnswer(await invoke(event)).statusCode).toBe(status);
  });

  it('refuses a body without a content type with 415, and a body that is not a JSON object with 400', async () => {
    const { invoke } = setup('user-create');
    const withoutType = routeEvent('user-create', { body: { userid: 'a' } });
    delete withoutType.headers['content-type'];

    expect(httpAnswer(await invoke(withoutType)).statusCode).toBe(415);
    for (const body of ['{"userid":', '[1,2]', 'null', '"text"']) {
      const event = { ...routeEvent('user-create', { body: {} }), body };
      expect(httpAnswer(await invoke(event)).body.message).toMatch(
        /^The body (is not valid JSON|must be a JSON object)$/,
      );
    }
  });

  it('refuses invalid input with 400 and every problem listed, without calling WeCom', async () => {
    const { invoke, call } = setup('user-create');

    const answer = httpAnswer(await invoke(routeEvent('user-create', { body: { userid: '-x', name: '' } })));

    expect(answer.statusCode).toBe(400);
    expect(answer.body.issues).toEqual([
      { path: 'userid', message: expect.any(String) },
      { path: 'name', message: 'must be 1–64 characters' },
      { path: '', message: 'mobile or email is required' },
    ]);
    expect(answer.body.requestId).toEqual(expect.any(String));
    expect(call).not.toHaveBeenCalled();
  });

  describe('on a catch-all route', () => {
    const catchAll = (method: string, path: string, stage = '$default') =>
      httpEvent({ method, path, routeKey: '$default', stage });

    it('serves a request for its own route, path parameters read from the path', async () => {
      const { invoke, call } = setup('user-get');

      expect(httpAnswer(await invoke(catchAll('GET', '/users/lisi'))).statusCode).toBe(200);
      expect(httpAnswer(await invoke(catchAll('GET', '/dev/users/wangwu', 'dev'))).statusCode).toBe(200);
      expect(call.mock.calls.map(([, request]) => request)).toEqual([
        { userid: 'lisi' },
        { userid: 'wangwu' },
      ]);
    });

    it('answers 404 for another path and 405 with Allow for another method', async () => {
      const { invoke, call } = setup('user-get');

      const notFound = httpAnswer(await invoke(catchAll('GET', '/members/lisi')));
      const wrongMethod = httpAnswer(await invoke(catchAll('PUT', '/users/lisi')));

      expect(notFound).toMatchObject({
        statusCode: 404,
        body: { message: 'No route for GET /members/lisi' },
      });
      expect(wrongMethod).toMatchObject({ statusCode: 405, headers: { allow: 'GET' } });
      expect(call).not.toHaveBeenCalled();
    });
  });

  it.each([
    [60111, 404, {}],
    [60102, 409, {}],
    [60011, 403, {}],
    [45009, 429, { 'retry-after': '60' }],
    [-1, 503, { 'retry-after': '5' }],
    [60020, 502, {}],
  ])('maps WeCom errcode %i to %i', async (errcode, status, headers) => {
    const { invoke } = setup('user-get', () => {
      throw weComError('user/get', errcode);
    });

    const answer = httpAnswer(await invoke(routeEvent('user-get', { pathParameters: { userid: 'lisi' } })));

    expect(answer).toMatchObject({
      statusCode: status,
      headers,
      body: { errcode, errmsg: expect.any(String) },
    });
  });

  it('answers a bug with a generic 500: no message, no stack; the logs keep them', async () => {
    const { invoke, logger } = setup('user-get', () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secretSauce')");
    });

    const answer = httpAnswer(await invoke(routeEvent('user-get', { pathParameters: { userid: 'lisi' } })));

    expect(answer).toEqual({
      statusCode: 500,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { message: 'Internal error', requestId: expect.any(String) },
    });
    expect(logger.records.find((record) => record.level === 'error')?.message).toBe('Request failed');
    expect(logger.text()).toContain('secretSauce');
  });

  it('gives WeCom the remaining time minus a margin, and never more than API Gateway waits', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 2, 10), toFake: ['Date'] });
    const { runtime, call } = fakeRuntime();
    const handler = createOperationHandler('user-get', {
      runtime: () => runtime,
      logger: new CapturingLogger(),
    });
    const event = routeEvent('user-get', { pathParameters: { userid: 'lisi' } });

    await handler(event, fakeLambdaContext({ timeoutMs: 10_000 }));
    await handler(event, fakeLambdaContext({ timeoutMs: 60_000 }));
    await handler({ userid: 'lisi' }, fakeLambdaContext({ timeoutMs: 60_000 }));

    expect(call.mock.calls.map(([, , options]) => (options.deadline ?? 0) - Date.now())).toEqual([
      10_000 - SAFETY_MARGIN_MS,
      HTTP_BUDGET_MS,
      60_000 - SAFETY_MARGIN_MS,
    ]);
  });
});

describe('a direct invocation (SDK, Step Functions)', () => {
  it("takes the WeCom request object as the event and returns WeCom's answer", async () => {
    const { invoke, call } = setup('user-convert-to-openid', () => ({
      errcode: 0,
      errmsg: 'ok',
      openid: 'oAbc',
    }));

    await expect(invoke({ userid: 'lisi' })).resolves.toEqual({ errcode: 0, errmsg: 'ok', openid: 'oAbc' });
    expect(call).toHaveBeenCalledWith('user/convert_to_openid', { userid: 'lisi' }, expect.anything());
  });

  it('throws errors a state machine can catch by name, carrying the errcode', async () => {
    const { invoke } = setup('user-create', () => {
      throw weComError('user/create', 60102);
    });

    await expect(invoke({ userid: 'lisi', name: '李四', email: 'lisi@example.com' })).rejects.toMatchObject({
      name: 'WeComError',
      errcode: 60102,
      message: expect.stringContaining('errcode 60102'),
    });
    await expect(invoke({ userid: 'lisi' })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Invalid request: name: Invalid input: expected string, received undefined',
    });
  });

  it('throws a bare InternalError for a bug, keeping the original to the logs', async () => {
    const { invoke, logger } = setup('user-get', () => {
      throw new RangeError('internal detail');
    });

    const error = await invoke({ userid: 'lisi' }).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ name: 'InternalError' });
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toMatch(
      /internal detail|RangeError|\.ts/,
    );
    expect(logger.records.find((record) => record.level === 'error')?.fields[0]).toMatchObject({
      status: 500,
      errorName: 'RangeError',
      error: expect.objectContaining({ message: 'internal detail' }),
    });
  });

  it('refuses events of other AWS services instead of sending them to WeCom', async () => {
    const { invoke, call } = setup('user-create');
    const s3Event = { Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 'b' } } }] };
    const restApiEvent = { httpMethod: 'POST', path: '/users', requestContext: {}, body: '{}' };

    await expect(invoke(s3Event)).rejects.toThrow(/^Unsupported event/);
    await expect(invoke(restApiEvent)).rejects.toBeInstanceOf(ValidationError);
    expect(call).not.toHaveBeenCalled();
  });
});

describe('an EventBridge event', () => {
  it("sends `detail` to WeCom and returns WeCom's answer", async () => {
    const { invoke, call } = setup('user-delete', () => ({ errcode: 0, errmsg: 'deleted' }));

    await expect(invoke(eventBridgeEvent({ userid: 'sunqi' }))).resolves.toEqual({
      errcode: 0,
      errmsg: 'deleted',
    });
    expect(call).toHaveBeenCalledWith('user/delete', { userid: 'sunqi' }, expect.anything());
  });
});

describe('an SQS batch', () => {
  const create = (userid: string) => JSON.stringify({ userid, name: userid, mobile: '13800000000' });

  it('reports no failure for good records and for records that can never succeed (logged, not retried)', async () => {
    const { invoke, call, logger } = setup('user-create', (_, request) => {
      if (request.userid === 'exists') throw weComError('user/create', 60102);
      return { errcode: 0, errmsg: 'created' };
    });

    const answer = await invoke(
      sqsEvent(
        sqsRecord(create('good1'), 'm-good1'),
        sqsRecord('{"userid": "broken', 'm-not-json'),
        sqsRecord(JSON.stringify({ userid: 'no-name', mobile: '1' }), 'm-invalid'),
        sqsRecord(create('exists'), 'm-exists'),
        sqsRecord(create('good2'), 'm-good2'),
      ),
    );

    expect(answer).toEqual({ batchItemFailures: [] });
    expect(call.mock.calls.map(([, request]) => request.userid)).toEqual(['good1', 'exists', 'good2']);
    const dropped = logger.records.filter(
      (record) => record.message === 'SQS record dropped: permanent failure',
    );
    expect(dropped.map((record) => record.fields[0])).toEqual([
      expect.objectContaining({ messageId: 'm-not-json', status: 400 }),
      expect.objectContaining({ messageId: 'm-invalid', status: 400 }),
      expect.objectContaining({ messageId: 'm-exists', status: 409, errcode: 60102 }),
    ]);
  });

  it('retries the record that met a retryable failure and every record after it, without calling WeCom for those', async () => {
    const { invoke, call } = setup('user-create', (_, request) => {
      if (request.userid === 'limited') throw weComError('user/create', 45009);
      return { errcode: 0, errmsg: 'created' };
    });

    const answer = await invoke(
      sqsEvent(
        sqsRecord(create('good1'), 'm1'),
        sqsRecord('not json', 'm2'),
        sqsRecord(create('limited'), 'm3'),
        sqsRecord(create('good2'), 'm4'),
        sqsRecord('not json either', 'm5'),
      ),
    );

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }, { itemIdentifier: 'm4' }] });
    expect(call.mock.calls.map(([, request]) => request.userid)).toEqual(['good1', 'limited']);
  });

  it.each([
    ['WeCom busy', weComError('user/create', -1)],
    ['a timeout', new UpstreamTimeoutError('user/create')],
    ['a bad secret', weComError('user/create', 40001)],
  ])('treats %s as retryable', async (_, error) => {
    const { invoke } = setup('user-create', () => {
      throw error;
    });

    const answer = await invoke(sqsEvent(sqsRecord(create('a'), 'm1')));

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });

  it('fails the whole batch when the function cannot run at all (every record is retried)', async () => {
    const logger = new CapturingLogger();
    const handler = createOperationHandler('user-create', {
      runtime: () => {
        throw new Error('WECOM_SSM_PREFIX is required');
      },
      logger,
    });

    await expect(handler(sqsEvent(sqsRecord(create('a'))), fakeLambdaContext())).rejects.toMatchObject({
      name: 'InternalError',
    });
  });
});

describe('failures that are not WeCom refusals', () => {
  const read = () => routeEvent('user-get', { pathParameters: { userid: 'lisi' } });
  const ssmThrottled = () =>
    new DependencyUnavailableError('ssm', 'SSM GetParameters was throttled', {
      cause: Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    });

  it('answers SSM being unavailable with 503 and Retry-After, and leaves SQS records for a retry', async () => {
    const { invoke } = setup('user-create', () => {
      throw ssmThrottled();
    });

    const http = httpAnswer(
      await invoke(routeEvent('user-create', { body: { userid: 'a', name: 'A', mobile: '13800000000' } })),
    );
    const queued = await invoke(
      sqsEvent(sqsRecord('{"userid":"a","name":"A","mobile":"13800000000"}', 'm1')),
    );

    expect(http).toMatchObject({
      statusCode: 503,
      headers: { 'retry-after': expect.stringMatching(/^\d+$/) },
    });
    expect(http.body.message).not.toMatch(/WeCom/);
    expect(queued).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    await expect(invoke({ userid: 'a', name: 'A', mobile: '13800000000' })).rejects.toMatchObject({
      name: 'DependencyUnavailableError',
    });
  });

  it('starts no timer of its own per invocation: the WeCom call’s deadline is the only one', async () => {
    const { invoke, call } = setup('user-get');
    await invoke(read()); // the first invocation builds what the container keeps
    const timers: string[] = [];
    const hook = createHook({
      init: (_id, type) => {
        if (type === 'Timeout') timers.push(type);
      },
    }).enable();
    try {
      expect(httpAnswer(await invoke(read())).statusCode).toBe(200);
    } finally {
      hook.disable();
    }
    expect(call).toHaveBeenCalledTimes(2);
    expect(call.mock.calls[1]?.[2]).toMatchObject({ deadline: expect.any(Number) });
    expect(timers).toEqual([]);
  });

  it("does not take another library's TimeoutError (the AWS SDK's) for WeCom's", async () => {
    const { invoke } = setup('user-get', () => {
      throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    });

    const answer = httpAnswer(await invoke(read()));

    expect(answer.statusCode).toBe(500);
    expect(answer.body.message).toBe('Internal error');
  });

  it('answers a misconfiguration with 502 and where to look, keeping the SSM parameter names to the log', async () => {
    const missing = '/wecom-contact/prod/secrets/contact';
    const { invoke, logger } = setup('user-get', () => {
      throw new ConfigurationError(`Missing SSM parameter(s) ${missing}: put them once`);
    });

    const answer = httpAnswer(await invoke(read()));
    const direct = (await invoke({ userid: 'lisi' }).catch((error: unknown) => error)) as Error;

    expect(answer).toMatchObject({
      statusCode: 502,
      body: { message: expect.stringContaining('an operator must'), requestId: expect.any(String) },
    });
    expect(JSON.stringify(answer)).not.toContain('/wecom-contact');
    expect(direct).toMatchObject({ name: 'ConfigurationError' });
    expect(`${direct.message} ${direct.stack}`).not.toContain('/wecom-contact');
    expect(logger.records.find((record) => record.level === 'error')?.fields[0]).toMatchObject({
      status: 502,
      errorName: 'ConfigurationError',
      detail: expect.stringContaining(missing),
    });
  });

  it('names a routing refusal by what it is, not as invalid input', async () => {
    const { invoke, logger } = setup('user-get');
    const catchAll = (method: string, path: string) => httpEvent({ method, path, routeKey: '$default' });

    await invoke(catchAll('GET', '/members/lisi'));
    await invoke(catchAll('PUT', '/users/lisi'));

    expect(logger.records.map((record) => (record.fields[0] as { errorName: string }).errorName)).toEqual([
      'RouteNotFoundError',
      'MethodNotAllowedError',
    ]);
  });
});

describe('the logs', () => {
  it("name the API request, never a member's mobile or email, and never the body", async () => {
    const { invoke, logger } = setup('user-create', () => {
      throw weComError('user/create', 60104);
    });
    const body = { userid: 'lisi', name: '李四', mobile: '+86 13912345678', email: 'li.si@example.org' };

    await invoke(routeEvent('user-create', { body }));
    await invoke(sqsEvent(sqsRecord(JSON.stringify(body), 'm1')));

    const text = logger.text();
    expect(text).toContain('"apiRequestId":"JKJaXmPLvHcESHA="');
    expect(text).toContain('"errcode":60104');
    for (const secret of ['13912345678', 'li.si@example.org', '李四']) expect(text).not.toContain(secret);
  });
});
