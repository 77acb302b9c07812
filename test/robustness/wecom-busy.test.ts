/**
 * WeCom busy (-1) and broken connections under load, through the real handlers with API Gateway v2
 * events (counts, not times). Reads: the client's retries hide almost every -1, and what they cannot
 * hide is a 503 with Retry-After, never a 500. Writes: a create is never applied twice, whether the
 * failure came before WeCom acted (-1, a reset) or after it (the answer lost on the way back).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxFault } from '#sandbox/types.ts';
import { createOperationHandler } from '#shared/handler.ts';
import { createRuntime } from '#shared/runtime.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { CapturingLogger, type Harness, httpAnswer, startHarness } from '#test/functions/support/harness.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { runBounded, scheduleFaults, seededRandom, startFaultyProxy } from './support.ts';

const BUSY: SandboxFault = { kind: 'errcode', errcode: -1, errmsg: 'system busy' };
const RESET: SandboxFault = { kind: 'reset' };
const READERS = ['zhangsan', 'lisi', 'wangwu', 'ZhaoLiu', 'sunqi', 'zhouba'];

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterEach(() => {
  harness.sandbox.clearFaults();
  harness.sandbox.resetCounters();
});
afterAll(async () => {
  await harness.stop();
});

const readEvent = (index: number) =>
  routeEvent('user-get', { pathParameters: { userid: READERS[index % READERS.length] ?? 'zhangsan' } });

/** A member to create; WeCom wants a mobile or an email, unique across the company. */
const member = (userid: string, index: number) => ({
  userid,
  name: `压测${index}`,
  mobile: `139${String(index).padStart(8, '0')}`,
  department: [1],
  position: '测试',
});

/** How many members the sandbox holds with this userid (userids ignore case, as in WeCom). */
const copiesOf = (userid: string) =>
  harness.sandbox.directory.members().filter((held) => held.userid.toLowerCase() === userid.toLowerCase())
    .length;

describe('1,000 reads while 10 % of WeCom calls answer -1', () => {
  it('succeed at least 99.5 % of the time; every failure is a 503 with Retry-After, none a 500', async () => {
    const scheduled = scheduleFaults(harness.sandbox, '*', {
      rate: 0.1,
      calls: 1_500,
      fault: BUSY,
      random: seededRandom(20_260_310),
    });

    const answers = await runBounded(1_000, 16, async (index) =>
      httpAnswer(await harness.invoke('user-get', readEvent(index))),
    );

    const failures = answers.filter((answer) => answer.statusCode !== 200);
    expect(answers.length - failures.length).toBeGreaterThanOrEqual(995);
    expect(answers.filter((answer) => answer.statusCode === 500)).toHaveLength(0);
    for (const failure of failures) {
      expect(failure.statusCode).toBe(503);
      expect(failure.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    }
    // The faults were really met: about one read in ten needed a second call.
    expect(scheduled).toBeGreaterThan(100);
    expect(harness.sandbox.counters()['user/get']).toBeGreaterThanOrEqual(1_050);
  });

  it('a read that meets -1 on every attempt is a 503 with Retry-After', async () => {
    await harness.invoke('user-get', readEvent(0)); // a token first, so that only user/get meets the faults
    harness.sandbox.injectFault('user/get', BUSY, 10);

    const answer = httpAnswer(await harness.invoke('user-get', readEvent(0)));

    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
    expect(answer.body).toMatchObject({ errcode: -1 });
  });
});

describe('creates (not idempotent) under faults', () => {
  it('creates each of 30 members exactly once while -1 and resets hit two creates in three', async () => {
    const userids = Array.from({ length: 30 }, (_, index) => `busy-create-${index}`);
    const before = harness.sandbox.directory.members().length;

    const statuses: number[] = [];
    for (const [index, userid] of userids.entries()) {
      if (index % 3 === 0) harness.sandbox.injectFault('user/create', BUSY);
      if (index % 3 === 1) harness.sandbox.injectFault('user/create', RESET);
      const answer = httpAnswer(
        await harness.invoke('user-create', routeEvent('user-create', { body: member(userid, index) })),
      );
      statuses.push(answer.statusCode);
    }

    expect(statuses).toEqual(userids.map(() => 200));
    expect(userids.map(copiesOf)).toEqual(userids.map(() => 1));
    expect(harness.sandbox.directory.members()).toHaveLength(before + userids.length);
    // One re-send per fault and no more: nothing was sent blindly again.
    expect(harness.sandbox.counters()['user/create']).toBe(userids.length + 20);
  });

  it('creates each of 10 members exactly once when the answer is lost after WeCom created it', async () => {
    const userids = Array.from({ length: 10 }, (_, index) => `lost-answer-${index}`);
    const lost = new Set<string>();
    // Every create's first answer is lost on the way back, after the sandbox applied it.
    const proxy = await startFaultyProxy(harness.sandbox.url, (request, body) => {
      if (!request.url?.startsWith('/cgi-bin/user/create')) return { kind: 'forward' };
      const { userid } = JSON.parse(body.toString('utf8')) as { userid: string };
      if (lost.has(userid)) return { kind: 'forward' };
      lost.add(userid);
      return { kind: 'lose-answer' };
    });
    const runtime = createRuntime({
      baseUrl: proxy.url,
      corpId: harness.sandbox.corpId,
      secrets: { contact: harness.sandbox.contactSecret },
    });
    const create = createOperationHandler('user-create', {
      runtime: () => runtime,
      logger: new CapturingLogger(),
    });
    try {
      const statuses: number[] = [];
      for (const [index, userid] of userids.entries()) {
        const event = routeEvent('user-create', { body: member(userid, 100 + index) });
        statuses.push(httpAnswer(await create(event, fakeLambdaContext({ timeoutMs: 30_000 }))).statusCode);
      }

      expect(statuses).toEqual(userids.map(() => 200));
      expect(userids.map(copiesOf)).toEqual(userids.map(() => 1));
      // Each create: the lost attempt, the re-send that met 60102, and the user/get that settled it.
      expect(proxy.seen['lose-answer']).toBe(userids.length);
      expect(harness.sandbox.counters()['user/create']).toBe(2 * userids.length);
      expect(harness.sandbox.counters()['user/get']).toBe(userids.length);
    } finally {
      await proxy.stop();
    }
  });
});
