import { errors, MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UpstreamHttpError, UpstreamTimeoutError, ValidationError, WeComError } from '#shared/errors.ts';
import { logger } from '#shared/observability.ts';
import { answerText } from '#shared/wecom/answer-text.ts';
import { classify } from '#shared/wecom/classify.ts';
import { createTransport, encodeJsonBody } from '#shared/wecom/transport.ts';
import { captureOutput } from './helpers.ts';

const ORIGIN = 'https://wecom.test';
const TOKEN = 'tok_SECRET_VALUE_123';

describe('the WeCom transport', () => {
  let agent: MockAgent;
  const pool = () => agent.get(ORIGIN);
  const transport = () => createTransport({ baseUrl: `${ORIGIN}/`, dispatcher: agent });
  const soon = () => Date.now() + 5_000;

  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('sends GET parameters and the access_token in the query string, with no body', async () => {
    let seen: { path: string; body: unknown } | undefined;
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/user/simplelist'), method: 'GET' })
      .reply(({ path, body }) => {
        seen = { path, body };
        return { statusCode: 200, data: { errcode: 0, errmsg: 'ok', userlist: [] } };
      });

    const answer = await transport().send(
      'user/simplelist',
      { department_id: 2, fetch_child: 1 },
      { accessToken: TOKEN, deadline: soon() },
    );

    expect(answer.userlist).toEqual([]);
    const query = new URL(seen?.path ?? '', ORIGIN).searchParams;
    expect(Object.fromEntries(query)).toEqual({ access_token: TOKEN, department_id: '2', fetch_child: '1' });
    expect(seen?.body ?? undefined).toBeUndefined();
  });

  it('percent-encodes each query value once, so it arrives exactly as sent', async () => {
    let path = '';
    pool()
      .intercept({ path: (seen) => seen.startsWith('/cgi-bin/user/get'), method: 'GET' })
      .reply((options) => {
        path = options.path;
        return { statusCode: 200, data: { errcode: 0, errmsg: 'ok' } };
      });
    const userid = 'a b&c=d/张?%20+';
    await transport().send('user/get', { userid }, { accessToken: 'tok/+=', deadline: soon() });
    const query = new URL(path, ORIGIN).searchParams;
    expect(query.get('userid')).toBe(userid);
    expect(query.get('access_token')).toBe('tok/+=');
  });

  it('refuses a query value WeCom cannot receive (a lone surrogate) before sending', async () => {
    await expect(
      transport().send('user/get', { userid: 'bad\ud800' }, { accessToken: TOKEN, deadline: soon() }),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      issues: [expect.objectContaining({ path: 'userid' })],
    });
  });

  it('writes its debug line only when debug logging is on', async () => {
    pool()
      .intercept({ path: /user\/get/, method: 'GET' })
      .reply(200, { errcode: 0, errmsg: 'ok' })
      .times(2);
    const debug = vi.spyOn(logger, 'debug');
    const previous = logger.getLevelName();
    try {
      logger.setLogLevel('INFO');
      await transport().send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() });
      expect(debug).not.toHaveBeenCalled();

      logger.setLogLevel('DEBUG');
      const output = captureOutput();
      try {
        await transport().send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() });
      } finally {
        output.restore();
      }
      expect(debug).toHaveBeenCalledWith('WeCom exchange', expect.objectContaining({ api: 'user/get' }));
    } finally {
      logger.setLogLevel(previous);
      debug.mockRestore();
    }
  });

  it('sends POST bodies as raw UTF-8 JSON, the token only in the query', async () => {
    let seen: { path: string; body: string; headers: Record<string, string> } | undefined;
    pool()
      .intercept({ path: (path) => path.startsWith('/cgi-bin/user/create'), method: 'POST' })
      .reply(({ path, body, headers }) => {
        seen = { path, body: String(body), headers: headers as Record<string, string> };
        return { statusCode: 200, data: { errcode: 0, errmsg: 'created' } };
      });

    await transport().send(
      'user/create',
      { userid: 'zhangsan', name: '张三 😀', department: [1] },
      { accessToken: TOKEN, deadline: soon() },
    );

    expect(seen?.body).toBe('{"userid":"zhangsan","name":"张三 😀","department":[1]}');
    expect(seen?.body).not.toContain('\\u');
    expect(seen?.body).not.toContain(TOKEN);
    expect(seen?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(new URL(seen?.path ?? '', ORIGIN).searchParams.get('access_token')).toBe(TOKEN);
  });

  it('refuses lone surrogates and \\u-escaped control characters before sending (WeCom: 40033)', () => {
    expect(() => encodeJsonBody({ userid: 'a', name: 'bad\ud800' })).toThrow(ValidationError);
    expect(() => encodeJsonBody({ extattr: { attrs: [{ name: '\u0001' }] } })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'extattr.attrs.0.name' })] }),
    );
    expect(() => encodeJsonBody({ 'k\udc00': 1 })).toThrow(ValidationError);
    // Pairs, newlines and tabs are written as themselves or short escapes, which WeCom accepts.
    expect(encodeJsonBody({ name: '😀\n\t' })).toBe('{"name":"😀\\n\\t"}');
  });

  it('sends nothing when the request cannot be encoded', async () => {
    const sending = transport().send(
      'user/update',
      { userid: 'a', name: '\udfff' },
      { accessToken: TOKEN, deadline: soon() },
    );
    await expect(sending).rejects.toBeInstanceOf(ValidationError);
  });

  it('resolves with the envelope when errcode is 0, unknown fields included', async () => {
    pool()
      .intercept({ path: /\/cgi-bin\/user\/get/, method: 'GET' })
      .reply(200, { errcode: 0, errmsg: 'ok', userid: 'a', brand_new_field: { x: 1 } });
    const member = await transport().send(
      'user/get',
      { userid: 'a' },
      { accessToken: TOKEN, deadline: soon() },
    );
    expect(member).toMatchObject({ userid: 'a', brand_new_field: { x: 1 } });
  });

  describe('classifies every other answer', () => {
    it('errcode ≠ 0 → WeComError with the call, errcode and errmsg, the token scrubbed', async () => {
      pool()
        .intercept({ path: /user\/get/, method: 'GET' })
        .reply(200, {
          errcode: 60111,
          errmsg: `userid not found, token ${TOKEN}, mobile 13800000001`,
          department: [],
        });

      const error = await transport()
        .send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() })
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(WeComError);
      expect(error).toMatchObject({ api: 'user/get', errcode: 60111 });
      expect((error as WeComError).message).not.toContain(TOKEN);
      expect((error as WeComError).message).not.toContain('13800000001');
    });

    it('a non-2xx status → UpstreamHttpError with the status', async () => {
      pool()
        .intercept({ path: /user\/get/, method: 'GET' })
        .reply(502, '<html>bad gateway</html>');
      await expect(
        transport().send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() }),
      ).rejects.toMatchObject({ name: 'UpstreamHttpError', statusCode: 502, api: 'user/get' });
    });

    it.each([
      ['HTML', '<html>captive portal</html>'],
      ['JSON without errcode', '{"ok":true}'],
      ['a JSON array', '[]'],
    ])('a 2xx body that is %s → UpstreamHttpError', async (_kind, body) => {
      pool()
        .intercept({ path: /user\/get/, method: 'GET' })
        .reply(200, body);
      const error = await transport()
        .send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UpstreamHttpError);
      expect((error as Error).message).toContain('not a WeCom JSON envelope');
    });

    it('the deadline passing before the answer → UpstreamTimeoutError', async () => {
      pool()
        .intercept({ path: /user\/get/, method: 'GET' })
        .reply(200, { errcode: 0, errmsg: 'ok' })
        .delay(2_000);
      await expect(
        transport().send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: Date.now() + 50 }),
      ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    });

    it('an attempt running past its own budget → UpstreamTimeoutError, however far the deadline', async () => {
      pool()
        .intercept({ path: /user\/get/, method: 'GET' })
        .reply(200, { errcode: 0, errmsg: 'ok' })
        .delay(2_000);
      const quick = createTransport({ baseUrl: ORIGIN, dispatcher: agent, timeouts: { attemptMs: 50 } });
      await expect(
        quick.send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: Date.now() + 60_000 }),
      ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    });

    it('a deadline already past → UpstreamTimeoutError without sending', async () => {
      await expect(
        transport().send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: Date.now() - 1 }),
      ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    });

    it.each([
      ['UND_ERR_HEADERS_TIMEOUT', () => new errors.HeadersTimeoutError()],
      ['UND_ERR_BODY_TIMEOUT', () => new errors.BodyTimeoutError()],
    ])('undici %s → UpstreamTimeoutError', async (_code, makeError) => {
      pool()
        .intercept({ path: /user\/get/, method: 'GET' })
        .replyWithError(makeError());
      await expect(
        transport().send('user/get', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() }),
      ).rejects.toBeInstanceOf(UpstreamTimeoutError);
    });

    const codeError = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });
    it.each([
      ['ECONNREFUSED', codeError('ECONNREFUSED'), false],
      ['ENOTFOUND', codeError('ENOTFOUND'), false],
      ['UND_ERR_CONNECT_TIMEOUT', new errors.ConnectTimeoutError(), false],
      ['ECONNRESET', codeError('ECONNRESET'), true],
      ['UND_ERR_SOCKET', new errors.SocketError('other side closed'), true],
      ['UNKNOWN', new Error('no code at all'), true],
    ])('a %s failure → UpstreamNetworkError, sent: %s', async (code, failure, sent) => {
      pool()
        .intercept({ path: /user\/create/, method: 'POST' })
        .replyWithError(failure);
      await expect(
        transport().send('user/create', { userid: 'a' }, { accessToken: TOKEN, deadline: soon() }),
      ).rejects.toMatchObject({ name: 'UpstreamNetworkError', code, sent, api: 'user/create' });
    });
  });

  it('calls gettoken with corpid and corpsecret in the query and no access_token', async () => {
    let path = '';
    pool()
      .intercept({ path: /\/cgi-bin\/gettoken/, method: 'GET' })
      .reply((options) => {
        path = options.path;
        return { statusCode: 200, data: { errcode: 0, errmsg: 'ok', access_token: 'T', expires_in: 7200 } };
      });
    await transport().send('gettoken', { corpid: 'ww1', corpsecret: 's3cr3t' }, { deadline: soon() });
    expect(Object.fromEntries(new URL(path, ORIGIN).searchParams)).toEqual({
      corpid: 'ww1',
      corpsecret: 's3cr3t',
    });
  });
});

describe('a gettoken answer without errcode', () => {
  const body = JSON.stringify({ access_token: 'T', expires_in: 7200 });

  it('is a success when it carries an access_token', () => {
    expect(classify('gettoken', { statusCode: 200, body })).toMatchObject({ errcode: 0, access_token: 'T' });
  });

  it('is still no envelope for any other call', () => {
    expect(() => classify('user/get', { statusCode: 200, body })).toThrow(UpstreamHttpError);
    expect(() => classify('gettoken', { statusCode: 200, body: '{"expires_in":7200}' })).toThrow(
      UpstreamHttpError,
    );
  });
});

describe('an answer passed on (CallOptions.passOn)', () => {
  const passOn = (body: string, statusCode = 200) =>
    classify('user/get', { statusCode, body }, 'TOKEN', true);

  it('is not parsed when it opens as WeCom’s successes do: its text is the answer', () => {
    // Not JSON after the opening: had it been parsed, this would be a 502.
    const body = '{"errcode":0,"errmsg":"ok","userid":"zhangsan", not parsed }';
    const answer = passOn(body);
    expect(answer).toEqual({ errcode: 0 });
    expect(answerText(answer)).toBe(body);
  });

  it('is parsed as any answer otherwise: another opening, a cut body, an error, a bad status', () => {
    const reordered = '{"errmsg":"ok","errcode":0,"userid":"zhangsan"}';
    expect(passOn(reordered)).toMatchObject({ errcode: 0, userid: 'zhangsan' });
    expect(answerText(passOn(reordered))).toBe(reordered);
    expect(() => passOn('{"errcode":0,"errmsg":"ok","userid":"zhan')).toThrow(UpstreamHttpError);
    expect(() => passOn('{"errcode":60111,"errmsg":"userid not found"}')).toThrow(WeComError);
    expect(() => passOn('{"errcode":0,"errmsg":"ok"}', 502)).toThrow(UpstreamHttpError);
  });

  it('is parsed whenever the call is not passed on', () => {
    const body = '{"errcode":0,"errmsg":"ok","userid":"zhangsan"}';
    expect(classify('user/get', { statusCode: 200, body }, 'TOKEN')).toMatchObject({ userid: 'zhangsan' });
  });
});
