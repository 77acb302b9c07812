/**
 * Every route end to end: the operation's handler → the layer → undici → the WeCom sandbox over
 * loopback HTTP, with API Gateway HTTP API events. Success paths, then the errcodes WeCom really
 * produces for each mapped status.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '#shared/operations.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { beijingYesterday } from './support/dates.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.stop());
afterEach(() => {
  harness.sandbox.clearFaults();
  harness.sandbox.configure({ trustedIps: undefined, rateLimitPerMinute: 10_000 });
});

async function request(id: OperationId, options: Parameters<typeof routeEvent>[1] = {}) {
  return httpAnswer(await harness.invoke(id, routeEvent(id, options)));
}

describe('each route, on success', () => {
  it('POST /users creates a member', async () => {
    const member = {
      userid: 'newbie',
      name: '新人',
      mobile: '13800000101',
      department: [2],
      to_invite: false,
    };

    const answer = await request('user-create', { body: member });

    expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, errmsg: 'created' } });
    expect(harness.sandbox.directory.member('newbie')).toMatchObject({ name: '新人', department: [2] });
  });

  it('GET /users/{userid} reads a member', async () => {
    const answer = await request('user-get', { pathParameters: { userid: 'lisi' } });

    expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, userid: 'lisi', name: '李四' } });
  });

  it('PATCH /users/{userid} changes only the fields sent', async () => {
    const answer = await request('user-update', {
      pathParameters: { userid: 'wangwu' },
      body: { position: '前端负责人' },
    });

    expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, errmsg: 'updated' } });
    expect(harness.sandbox.directory.member('wangwu')).toMatchObject({
      position: '前端负责人',
      name: '王五',
    });
  });

  it('DELETE /users/{userid} deletes a member', async () => {
    harness.sandbox.directory.addMember({ userid: 'leaving', name: '离职', mobile: '13800000102' });

    const answer = await request('user-delete', { pathParameters: { userid: 'leaving' } });

    expect(answer).toMatchObject({ statusCode: 200, body: { errmsg: 'deleted' } });
    expect(harness.sandbox.directory.member('leaving')).toBeUndefined();
  });

  it('POST /users/batch-delete deletes several members', async () => {
    for (const userid of ['gone1', 'gone2']) {
      harness.sandbox.directory.addMember({ userid, name: userid, email: `${userid}@example.com` });
    }

    const answer = await request('user-batch-delete', { body: { useridlist: ['gone1', 'gone2'] } });

    expect(answer).toMatchObject({ statusCode: 200, body: { errmsg: 'deleted' } });
    expect(
      harness.sandbox.directory.member('gone1') ?? harness.sandbox.directory.member('gone2'),
    ).toBeUndefined();
  });

  it('GET /departments/{department_id}/users lists one department in one WeCom call', async () => {
    harness.sandbox.resetCounters();

    const answer = await request('user-simple-list', { pathParameters: { department_id: '5' } });

    expect(answer).toMatchObject({
      statusCode: 200,
      body: { errcode: 0, userlist: [{ userid: 'sunqi', name: '孙七', department: [5] }] },
    });
    expect(harness.sandbox.counters()).toEqual({ 'user/simplelist': 1 });
  });

  it('GET /departments/{department_id}/users/details lists members with their details', async () => {
    const answer = await request('user-list', { pathParameters: { department_id: '6' } });

    expect(answer).toMatchObject({
      statusCode: 200,
      body: { userlist: [{ userid: 'zhouba', position: '招聘专员' }] },
    });
  });

  it('POST /users/{userid}/openid and POST /openids/{openid}/userid convert both ways', async () => {
    const toOpenid = await request('user-convert-to-openid', { pathParameters: { userid: 'zhangsan' } });
    const openid = String(toOpenid.body.openid);
    const toUserid = await request('user-convert-to-userid', { pathParameters: { openid } });

    expect(toOpenid.statusCode).toBe(200);
    expect(openid).toMatch(/^o[\w-]{27}$/);
    expect(toUserid).toMatchObject({ statusCode: 200, body: { userid: 'zhangsan' } });
  });

  it('POST /users/{userid}/auth-success lets a member in', async () => {
    const answer = await request('user-auth-succ', { pathParameters: { userid: 'zhouba' } });

    expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, errmsg: 'ok' } });
  });

  it('POST /invitations invites members and reports the invalid ones', async () => {
    const answer = await request('user-invite', { body: { user: ['ZhaoLiu', 'nobody'], party: [6] } });

    expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, invaliduser: ['nobody'] } });
  });

  it('GET /join-qrcode returns the join link for the size asked', async () => {
    const answer = await request('user-join-qrcode', { query: { size_type: '2' } });

    expect(answer).toMatchObject({
      statusCode: 200,
      body: { join_qrcode: expect.stringContaining('qr_size=2') },
    });
  });

  it('GET /stats/active-members counts the active members of a day', async () => {
    const answer = await request('user-active-stat', { query: { date: beijingYesterday() } });

    expect(answer).toMatchObject({ statusCode: 200, body: { errcode: 0, active_cnt: expect.any(Number) } });
  });
});

describe('errcodes WeCom really answers', () => {
  it('404 for a userid that does not exist (60111)', async () => {
    const answer = await request('user-get', { pathParameters: { userid: 'nobody' } });

    expect(answer).toMatchObject({
      statusCode: 404,
      body: { errcode: 60111, requestId: expect.any(String) },
    });
  });

  it('404 for a department that does not exist (60123), recursive or not', async () => {
    const direct = await request('user-simple-list', { pathParameters: { department_id: '999' } });
    const recursive = await request('user-list', {
      pathParameters: { department_id: '999' },
      query: { fetch_child: '1' },
    });

    expect([direct.statusCode, recursive.statusCode]).toEqual([404, 404]);
  });

  it('409 for a userid that exists, whatever its case (60102)', async () => {
    const answer = await request('user-create', {
      body: { userid: 'LISI', name: '另一个', mobile: '13800000103' },
    });

    expect(answer).toMatchObject({ statusCode: 409, body: { errcode: 60102 } });
  });

  it("409 for another member's mobile (60104) or email (60106)", async () => {
    const mobile = await request('user-create', {
      body: { userid: 'dup1', name: 'D', mobile: '13800000002' },
    });
    const email = await request('user-create', {
      body: { userid: 'dup2', name: 'D', email: 'lisi@example.com' },
    });

    expect(mobile).toMatchObject({ statusCode: 409, body: { errcode: 60104 } });
    expect(email).toMatchObject({ statusCode: 409, body: { errcode: 60106 } });
  });

  it('409 for converting a member who never logged in with WeChat (43004)', async () => {
    harness.sandbox.directory.addMember({ userid: 'unbound', name: '未激活', mobile: '13800000105' }, 4);

    const answer = await request('user-convert-to-openid', { pathParameters: { userid: 'unbound' } });

    expect(answer).toMatchObject({ statusCode: 409, body: { errcode: 43004 } });
  });

  it("403 for deleting the company's creator (301005)", async () => {
    const answer = await request('user-delete', { pathParameters: { userid: 'zhangsan' } });

    expect(answer).toMatchObject({ statusCode: 403, body: { errcode: 301005 } });
  });

  it('429 with Retry-After once the per-minute limit is used up (45009)', async () => {
    harness.sandbox.configure({ rateLimitPerMinute: 0 });

    const answer = await request('user-get', { pathParameters: { userid: 'lisi' } });

    expect(answer).toMatchObject({
      statusCode: 429,
      headers: { 'retry-after': '60' },
      body: { errcode: 45009 },
    });
  });

  it('503 with Retry-After when WeCom stays busy (-1) through the retries', async () => {
    harness.sandbox.injectFault('user/get', { kind: 'errcode', errcode: -1 }, 3);
    harness.sandbox.resetCounters();

    const answer = await request('user-get', { pathParameters: { userid: 'lisi' } });

    expect(answer).toMatchObject({ statusCode: 503, headers: { 'retry-after': '5' }, body: { errcode: -1 } });
    expect(harness.sandbox.counters()['user/get']).toBe(3);
  });

  it("502 telling the operator to trust this service's IP (60020), with the IP WeCom saw", async () => {
    harness.sandbox.configure({ trustedIps: ['192.0.2.1'] });

    const answer = await request('user-get', { pathParameters: { userid: 'lisi' } });

    expect(answer).toMatchObject({ statusCode: 502, body: { errcode: 60020 } });
    expect(answer.body.message).toMatch(/\(127\.0\.0\.1\).*企业可信IP.*fixed-ip/);
    expect(answer.body.errmsg).toContain('from ip: 127.0.0.1');
  });

  it('504 when WeCom does not answer before the deadline', async () => {
    harness.sandbox.injectFault('user/get', { kind: 'delay', ms: 5_000 }, 3);
    const event = routeEvent('user-get', { pathParameters: { userid: 'lisi' } });

    const answer = httpAnswer(
      await harness.invoke('user-get', event, fakeLambdaContext({ timeoutMs: 1_000 })),
    );

    expect(answer).toMatchObject({ statusCode: 504, body: { message: 'WeCom did not answer in time' } });
  });

  it('504 when the connection to WeCom is reset', async () => {
    harness.sandbox.injectFault('user/get', { kind: 'reset' }, 3);

    const answer = await request('user-get', { pathParameters: { userid: 'lisi' } });

    expect(answer.statusCode).toBe(504);
  });

  it('503 with Retry-After when WeCom (or its proxy) keeps answering HTTP 5xx', async () => {
    harness.sandbox.injectFault('user/get', { kind: 'http', status: 502 }, 3);

    const answer = await request('user-get', { pathParameters: { userid: 'lisi' } });

    expect(answer).toMatchObject({ statusCode: 503, headers: { 'retry-after': '5' } });
  });
});

describe('misconfigured deployments (502, with what the operator must fix)', () => {
  it('a wrong secret (40001)', async () => {
    const wrong = await startHarness({}, () => ({ contact: 'not-the-secret' }));
    try {
      const answer = httpAnswer(
        await wrong.invoke(
          'user-create',
          routeEvent('user-create', {
            body: {
              userid: 'x',
              name: 'X',
              mobile: '13800000104',
            },
          }),
        ),
      );

      expect(answer).toMatchObject({ statusCode: 502, body: { errcode: 40001 } });
      expect(answer.body.message).toContain('an operator must store the right secret in SSM');
      expect(JSON.stringify(answer.body)).not.toContain('not-the-secret');
    } finally {
      await wrong.stop();
    }
  });

  it("an app's secret where the contact-sync secret is needed (48002)", async () => {
    const appOnly = await startHarness({}, (sandbox) => ({ contact: sandbox.apps[0]?.secret ?? '' }));
    try {
      const answer = httpAnswer(await appOnly.invoke('user-join-qrcode', routeEvent('user-join-qrcode')));

      expect(answer).toMatchObject({ statusCode: 502, body: { errcode: 48002 } });
      expect(answer.body.message).toContain('corp/get_join_qrcode');
    } finally {
      await appOnly.stop();
    }
  });

  it('an app that cannot see the member answers 403 (60011)', async () => {
    const scoped = await startHarness({
      apps: [{ agentId: 1000002, secret: 'scoped', visibleDepartments: [2] }],
    });
    try {
      const inside = httpAnswer(
        await scoped.invoke('user-get', routeEvent('user-get', { pathParameters: { userid: 'wangwu' } })),
      );
      const outside = httpAnswer(
        await scoped.invoke('user-get', routeEvent('user-get', { pathParameters: { userid: 'zhouba' } })),
      );

      expect(inside.statusCode).toBe(200);
      expect(outside).toMatchObject({ statusCode: 403, body: { errcode: 60011 } });
    } finally {
      await scoped.stop();
    }
  });
});
