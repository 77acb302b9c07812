/**
 * Bad input never breaks the sandbox (issue 2, "must show"): random methods, paths, queries and bodies
 * all get a well-formed WeCom envelope back (HTTP 200, JSON, integer errcode, errmsg in the §0 format),
 * never the "system busy" that stands for a sandbox bug, and the sandbox keeps serving afterwards.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '#sandbox/routes/index.ts';
import { WECOM_METHODS } from '#shared/wecom/apis.ts';
import { ERRMSG_FORMAT, sandboxFor } from './client.ts';

const PATHS = ['gettoken', ...Object.keys(ROUTES), 'user/nothing', '', 'gettoken/', '../etc/passwd'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const QUERY_KEYS = ['userid', 'department_id', 'fetch_child', 'size_type', 'id', 'status', 'tagid'];
const BODY_KEYS = [
  'userid',
  'name',
  'mobile',
  'email',
  'department',
  'order',
  'is_leader_in_dept',
  'position',
  'gender',
  'telephone',
  'alias',
  'address',
  'direct_leader',
  'extattr',
  'main_department',
  'enable',
  'useridlist',
  'openid',
  'user',
  'party',
  'tag',
  'date',
  'parentid',
  'new_userid',
  'id',
  'tagid',
  'tagname',
  'userlist',
  'partylist',
];

/** Values that look like what a field expects, and values that do not. */
const fieldValue = fc.oneof(
  fc.constantFrom('zhangsan', 'lisi', 'ZhaoLiu', 'nobody', '2026-03-09', '+86 13800000009', 'x@example.com'),
  fc.string(),
  fc.integer(),
  fc.array(fc.oneof(fc.integer({ min: -2, max: 10 }), fc.string({ maxLength: 8 })), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
);

const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 6,
    arbitrary: fc
      .dictionary(fc.constantFrom(...BODY_KEYS), fieldValue, { maxKeys: 6 })
      .map((f) => JSON.stringify(f)),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary' }) },
);

describe('robustness', () => {
  it('every path, method, query and body gets a well-formed WeCom answer', async () => {
    const { client, sandbox } = await sandboxFor({
      seed: 'demo',
      apps: [{ agentId: 9, secret: 'app', restricted: true }],
    });
    // Mostly valid credentials and methods, so that most calls get past the checks to the handlers.
    const credentials = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ access_token: await client.token() }) },
      { weight: 2, arbitrary: fc.constant({ access_token: await client.token('app') }) },
      { weight: 1, arbitrary: fc.constant({ corpid: sandbox.corpId, corpsecret: sandbox.contactSecret }) },
      {
        weight: 1,
        arbitrary: fc.dictionary(fc.constantFrom('access_token', 'corpid', 'corpsecret'), fc.string()),
      },
    );
    const parameters = fc.dictionary(
      fc.constantFrom(...QUERY_KEYS),
      fc.oneof(
        fc.constantFrom('zhangsan', 'lisi', 'nobody', '1', '2', '4', '0', '-1'),
        fc.string({ maxLength: 12 }),
      ),
      { maxKeys: 3 },
    );
    const request = fc.constantFrom(...PATHS).chain((path) =>
      fc.record({
        path: fc.constant(path),
        method: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constant(
              WECOM_METHODS[path as keyof typeof WECOM_METHODS] ??
                ROUTES[path as keyof typeof ROUTES]?.method ??
                'POST',
            ),
          },
          { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
        ),
        query: fc.tuple(credentials, parameters).map(([credential, rest]) => ({ ...rest, ...credential })),
        body,
      }),
    );

    await fc.assert(
      fc.asyncProperty(request, async ({ path, method, query, body: text }) => {
        const withBody = method !== 'GET' && method !== 'OPTIONS' ? text : undefined;
        const response = await client.raw(path, { method, query, body: withBody });

        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
        const answer = JSON.parse(response.text);
        expect(Number.isInteger(answer.errcode)).toBe(true);
        expect(answer.errcode).not.toBe(-1);
        expect(response.headers.get('error-code')).toBe(String(answer.errcode));
        if (answer.errcode !== 0) expect(answer.errmsg).toMatch(ERRMSG_FORMAT);
      }),
      { numRuns: 400 },
    );
    expect((await client.gettoken()).errcode).toBe(0);
  });
});
