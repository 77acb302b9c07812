/**
 * The local API (`npm start`) over real HTTP on loopback: every route through the very function
 * modules of functions/, the OpenAPI document, API Gateway-like routing answers, and the switch to a
 * real WeCom (here: a second sandbox standing in for it).
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { OPERATIONS, type OperationId } from '#shared/operations.ts';
import { beijingYesterday } from '#test/functions/support/dates.ts';
import { motoAvailable, putStageParameters, useMoto } from '#test/support/moto.ts';

async function call(
  api: LocalApi,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as Record<string, unknown>,
  };
}

describe('against the embedded sandbox', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi({ env: {} });
  });
  afterAll(() => api.stop());

  it('listens on loopback and embeds the sandbox with its demo directory', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.sandbox?.directory.member('zhangsan')).toBeDefined();
    expect(api.routes.map(({ id }) => id)).toEqual([
      ...OPERATIONS.map(({ id }) => id),
      'openapi',
      'docs',
      'contact-callback',
      'contact-callback',
      'sandbox-console',
    ]);
  });

  const successes: Array<[OperationId, string, string, unknown?]> = [
    ['user-create', 'POST', '/users', { userid: 'local-1', name: '本地', mobile: '13800000301' }],
    ['user-get', 'GET', '/users/zhangsan'],
    ['user-update', 'PATCH', '/users/local-1', { position: '测试' }],
    ['user-simple-list', 'GET', '/departments/2/users?fetch_child=1'],
    ['user-list', 'GET', '/departments/2/users/details'],
    ['user-convert-to-openid', 'POST', '/users/zhangsan/openid'],
    ['user-auth-succ', 'POST', '/users/local-1/auth-success'],
    ['user-invite', 'POST', '/invitations', { user: ['local-1'] }],
    ['user-join-qrcode', 'GET', '/join-qrcode?size_type=1'],
    ['user-active-stat', 'GET', `/stats/active-members?date=${beijingYesterday()}`],
    ['user-delete', 'DELETE', '/users/local-1'],
    ['user-batch-delete', 'POST', '/users/batch-delete', { useridlist: ['zhouba'] }],
  ];

  it.each(successes)('%s: %s %s answers 200 with WeCom JSON', async (_id, method, path, body) => {
    const answer = await call(api, method, path, body);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.body).toMatchObject({ errcode: 0 });
  });

  it('user-convert-to-userid: POST /openids/{openid}/userid answers the member', async () => {
    const { body } = await call(api, 'POST', '/users/lisi/openid');

    const answer = await call(api, 'POST', `/openids/${String(body.openid)}/userid`);

    expect(answer).toMatchObject({ status: 200, body: { userid: 'lisi' } });
  });

  it('decodes percent-encoded path values as API Gateway does', async () => {
    await call(api, 'POST', '/users', { userid: 'a@b.c', name: 'At', email: 'at@example.com' });

    const answer = await call(api, 'GET', '/users/a%40b.c');

    expect(answer).toMatchObject({ status: 200, body: { userid: 'a@b.c' } });
  });

  it('maps errcodes like the deployed API (404 for 60111)', async () => {
    const answer = await call(api, 'GET', '/users/nobody');

    expect(answer).toMatchObject({ status: 404, body: { errcode: 60111, requestId: expect.any(String) } });
  });

  it('serves the OpenAPI document, pointing at itself', async () => {
    const answer = await call(api, 'GET', '/openapi.json');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ openapi: '3.1.0', servers: [{ url: api.url }] });
    expect(Object.keys(answer.body.paths as object)).toHaveLength(
      new Set(OPERATIONS.map(({ http }) => http.path)).size,
    );
  });

  it('answers an unknown route with a JSON 404, another method with a JSON 405 and Allow', async () => {
    const missing = await call(api, 'GET', '/nowhere');
    const wrongMethod = await call(api, 'PUT', '/users/zhangsan');
    const openApiPost = await call(api, 'POST', '/openapi.json');

    expect(missing).toMatchObject({ status: 404, body: { message: 'No route for GET /nowhere' } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expect(openApiPost.headers.get('allow')).toBe('GET');
  });

  it('refuses a body over 256 KiB with 413 and a non-JSON body with 415', async () => {
    const huge = JSON.stringify({ userid: 'huge', name: 'x'.repeat(300 * 1024) });

    const tooLarge = await call(api, 'POST', '/users', huge);
    const form = await call(api, 'POST', '/users', 'userid=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });

    expect(tooLarge.status).toBe(413);
    expect(form.status).toBe(415);
  });
});

describe('with real WeCom settings in the environment', () => {
  let wecom: Sandbox;
  let api: LocalApi;
  beforeAll(async () => {
    wecom = await startSandbox({ seed: 'demo', corpId: 'wwrealcorp', contactSecret: 'real-contact-secret' });
    api = await startLocalApi({
      env: { WECOM_CORP_ID: 'wwrealcorp', WECOM_SECRET: 'real-contact-secret', WECOM_BASE_URL: wecom.url },
    });
  });
  afterAll(async () => {
    await api.stop();
    await wecom.stop();
  });

  it('talks to that WeCom, embedding no sandbox, and never names the secret', async () => {
    const answer = await call(api, 'GET', '/users/lisi');

    expect(answer).toMatchObject({ status: 200, body: { userid: 'lisi' } });
    expect(api.sandbox).toBeUndefined();
    expect(wecom.counters()).toMatchObject({ gettoken: 1, 'user/get': 1 });
    expect(api.wecom).toContain(wecom.url);
    expect(api.wecom).not.toContain('real-contact-secret');
  });
});

describe.skipIf(!motoAvailable())('with an SSM prefix (settings and tokens in SSM, as deployed)', () => {
  const moto = useMoto();

  it('reads the corp id and secret from SSM, talks to that WeCom and caches the token in SSM', async () => {
    const wecom = await startSandbox({
      seed: 'demo',
      corpId: 'wwssmcorp',
      contactSecret: 'ssm-contact-secret',
    });
    const { endpoint, region, credentials } = moto.clientConfig();
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', endpoint);
    vi.stubEnv('AWS_REGION', region);
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    await putStageParameters(moto, '/wecom/local', wecom);
    const ssm = new SSMClient(moto.clientConfig());
    const api = await startLocalApi({ env: { WECOM_SSM_PREFIX: '/wecom/local', WECOM_BASE_URL: wecom.url } });
    try {
      const answer = await call(api, 'GET', '/users/lisi');
      const token = await ssm.send(
        new GetParameterCommand({ Name: '/wecom/local/tokens/contact', WithDecryption: true }),
      );

      expect(answer).toMatchObject({ status: 200, body: { userid: 'lisi' } });
      expect(api.wecom).toContain('SSM under /wecom/local');
      expect(wecom.counters()).toMatchObject({ gettoken: 1, 'user/get': 1 });
      expect(token.Parameter?.Value).toContain('expiresAt');
    } finally {
      await api.stop();
      await wecom.stop();
    }
  });
});

describe('an incomplete real WeCom setting', () => {
  it('is refused at start with what is missing', async () => {
    await expect(startLocalApi({ env: { WECOM_CORP_ID: 'wwrealcorp' } })).rejects.toThrow(
      'Set both WECOM_CORP_ID and WECOM_SECRET',
    );
  });
});
