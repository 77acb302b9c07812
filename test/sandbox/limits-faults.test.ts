/** docs/wecom.md §18 (frequency limits, 45009 / 45033), plus the sandbox's fault injection and counters. */
import { setTimeout } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { ERRMSG_FORMAT, fakeClock, sandboxFor } from './client.ts';

const errcodes = (answers: Array<{ errcode: number }>) => answers.map((answer) => answer.errcode);

describe('§18 rate limits', () => {
  it('§18 beyond the per-API per-minute limit → 45009 until the minute is over; other APIs are not affected', async () => {
    const clock = fakeClock();
    const { client } = await sandboxFor({ clock, rateLimitPerMinute: 3 });
    const token = await client.token();

    const answers = [];
    for (let call = 0; call < 4; call++) answers.push(await client.get('department/simplelist', {}, token));
    expect(errcodes(answers)).toEqual([0, 0, 0, 45009]);
    expect(answers[3]?.errmsg).toMatch(/^api freq out of limit, hint: /);
    expect((await client.get('user/simplelist', { department_id: 1 }, token)).errcode).toBe(0);
    clock.advance(60_000);
    expect((await client.get('department/simplelist', {}, token)).errcode).toBe(0);
  });

  it('§18 more calls in flight than the concurrency limit → 45033', async () => {
    const { client, sandbox } = await sandboxFor({ concurrencyLimit: 1 });
    const token = await client.token();
    // Long enough that the second call arrives while the first is still held.
    sandbox.injectFault('department/simplelist', { kind: 'delay', ms: 1_000 }, 2);

    const answers = await Promise.all([
      client.get('department/simplelist', {}, token),
      client.get('department/simplelist', {}, token),
    ]);
    expect(errcodes(answers).sort()).toEqual([0, 45033]);
  });

  it('§18 limits can be changed at run time', async () => {
    const { client, sandbox } = await sandboxFor();
    const token = await client.token();
    sandbox.configure({ rateLimitPerMinute: 1 });

    await client.get('department/simplelist', {}, token);
    expect((await client.get('department/simplelist', {}, token)).errcode).toBe(45009);
  });
});

describe('fault injection', () => {
  it('an errcode fault answers the next N calls of that API with it, in the WeCom format', async () => {
    const { client, sandbox } = await sandboxFor();
    const token = await client.token();
    sandbox.injectFault('department/simplelist', { kind: 'errcode', errcode: -1 }, 2);

    const answers = [];
    for (let call = 0; call < 3; call++) answers.push(await client.get('department/simplelist', {}, token));
    expect(errcodes(answers)).toEqual([-1, -1, 0]);
    expect(ERRMSG_FORMAT.exec(answers[0]?.errmsg ?? '')?.groups).toMatchObject({
      text: 'system busy',
      code: '-1',
    });
  });

  it("'*' applies to every API, after the API's own faults", async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.injectFault('*', { kind: 'errcode', errcode: 45009, errmsg: 'api freq out of limit' }, 2);
    sandbox.injectFault('gettoken', { kind: 'errcode', errcode: 40001 });

    expect((await client.gettoken()).errcode).toBe(40001);
    expect((await client.gettoken()).errcode).toBe(45009);
    expect((await client.call('department/simplelist')).errcode).toBe(45009);
    expect((await client.gettoken()).errcode).toBe(0);
  });

  it('a delay fault holds that call: a later call to the same API answers first', async () => {
    const { client, sandbox } = await sandboxFor({ seed: 'demo' });
    const token = await client.token();
    sandbox.injectFault('user/get', { kind: 'delay', ms: 1_000 });

    const finished: string[] = [];
    const track = (userid: string) =>
      client.get('user/get', { userid }, token).then(() => finished.push(userid));
    const slow = track('lisi');
    // Send the second call only once the first has arrived (and so has taken the fault).
    await vi.waitUntil(() => sandbox.counters()['user/get'] === 1, { interval: 5, timeout: 5_000 });
    await setTimeout(20);
    await track('wangwu');
    await slow;
    expect(finished).toEqual(['wangwu', 'lisi']);
  });

  it('a reset fault drops the connection; the next call is served', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.injectFault('gettoken', { kind: 'reset' });

    await expect(client.gettoken()).rejects.toThrow();
    expect((await client.gettoken()).errcode).toBe(0);
  });

  it('an http fault answers that status with a proxy page instead of WeCom JSON', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.injectFault('gettoken', { kind: 'http', status: 502 });

    const response = await client.raw('gettoken', {
      query: { corpid: sandbox.corpId, corpsecret: sandbox.contactSecret },
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect((await client.gettoken()).errcode).toBe(0);
  });

  it('clearFaults drops every pending fault', async () => {
    const { client, sandbox } = await sandboxFor();
    sandbox.injectFault('*', { kind: 'errcode', errcode: -1 }, 5);
    sandbox.clearFaults();

    expect((await client.gettoken()).errcode).toBe(0);
  });
});

describe('counters', () => {
  it('counts every request per API path before any check, including refused ones', async () => {
    const { client, sandbox } = await sandboxFor();
    const token = await client.token();
    await client.token();
    await client.get('user/get', { userid: 'nobody' }, token);
    await client.call('user/get');
    await client.call('user/get', { method: 'POST', query: { access_token: token }, body: '{' });
    await client.call('no/such_api');

    expect(sandbox.counters()).toEqual({ gettoken: 2, 'user/get': 3, 'no/such_api': 1 });
  });

  it('resetCounters starts from zero; injected faults are counted too', async () => {
    const { client, sandbox } = await sandboxFor();
    await client.gettoken();
    sandbox.resetCounters();
    sandbox.injectFault('gettoken', { kind: 'http', status: 502 });
    await client.raw('gettoken');

    expect(sandbox.counters()).toEqual({ gettoken: 1 });
  });
});
