/**
 * Every invocation source, end to end against the sandbox, with real-shaped events: a direct invoke
 * (SDK or Step Functions), EventBridge, and SQS with good, permanently bad and retryable records.
 * (API Gateway events are the subject of routes.test.ts.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventBridgeEvent, sqsEvent, sqsRecord } from './support/events.ts';
import { type Harness, startHarness } from './support/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.stop());
beforeEach(() => harness.sandbox.resetCounters());

describe('a direct invocation', () => {
  it("returns WeCom's answer for the WeCom request object", async () => {
    await expect(harness.invoke('user-get', { userid: 'lisi' })).resolves.toMatchObject({
      errcode: 0,
      userid: 'lisi',
      name: '李四',
    });
  });

  it('throws a WeComError carrying the errcode in its message, for a Step Functions Catch', async () => {
    const error = await harness
      .invoke('user-delete', { userid: 'nobody' })
      .catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ name: 'WeComError', errcode: 60111 });
    expect((error as Error).message).toMatch(
      /^WeCom user\/delete failed with errcode 60111: userid not found/,
    );
  });

  it('throws a ValidationError without calling WeCom', async () => {
    await expect(harness.invoke('user-batch-delete', { useridlist: [] })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'Invalid request: useridlist: must list at least one userid',
    });
    expect(harness.sandbox.counters()).toEqual({});
  });
});

describe('an EventBridge event', () => {
  it('acts on `detail`', async () => {
    const detail = { userid: 'from-hr', name: 'HR 同步', email: 'from-hr@example.com', department: [6] };

    await expect(harness.invoke('user-create', eventBridgeEvent(detail))).resolves.toEqual({
      errcode: 0,
      errmsg: 'created',
    });
    expect(harness.sandbox.directory.member('from-hr')).toMatchObject({ name: 'HR 同步', department: [6] });
  });
});

describe('an SQS batch', () => {
  const create = (userid: string, mobile: string) => JSON.stringify({ userid, name: userid, mobile });

  it('acknowledges good and permanently bad records, and returns the retryable ones (and those after them)', async () => {
    // A sandbox of its own allowing two user/create calls a minute: the batch's third call meets 45009.
    const limited = await startHarness({ rateLimitPerMinute: 2 });
    try {
      const answer = await limited.invoke(
        'user-create',
        sqsEvent(
          sqsRecord(create('sync-1', '13800000201'), 'm1-good'),
          sqsRecord('{"userid": "sync-2", "name"', 'm2-not-json'),
          sqsRecord(JSON.stringify({ userid: 'sync 3', name: 'x', mobile: '13800000203' }), 'm3-invalid'),
          sqsRecord(create('lisi', '13800000204'), 'm4-exists'),
          sqsRecord(create('sync-5', '13800000205'), 'm5-rate-limited'),
          sqsRecord(create('sync-6', '13800000206'), 'm6-after'),
        ),
      );

      expect(answer).toEqual({
        batchItemFailures: [{ itemIdentifier: 'm5-rate-limited' }, { itemIdentifier: 'm6-after' }],
      });
      expect(limited.sandbox.counters()['user/create']).toBe(3);
      expect(limited.sandbox.directory.member('sync-1')).toBeDefined();
      expect(
        limited.sandbox.directory.member('sync-5') ?? limited.sandbox.directory.member('sync-6'),
      ).toBeUndefined();
      const dropped = limited.logger.records
        .filter((record) => record.message === 'SQS record dropped: permanent failure')
        .map((record) => record.fields[0]);
      expect(dropped).toEqual([
        expect.objectContaining({ messageId: 'm2-not-json', status: 400, errorName: 'ValidationError' }),
        expect.objectContaining({ messageId: 'm3-invalid', status: 400, errorName: 'ValidationError' }),
        expect.objectContaining({ messageId: 'm4-exists', status: 409, errcode: 60102 }),
      ]);
    } finally {
      await limited.stop();
    }
  });

  it('returns a record whose WeCom call stayed busy (-1) after the retries', async () => {
    harness.sandbox.injectFault('user/update', { kind: 'errcode', errcode: -1 }, 3);

    const answer = await harness.invoke(
      'user-update',
      sqsEvent(sqsRecord(JSON.stringify({ userid: 'wangwu', position: '架构师' }), 'busy')),
    );

    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'busy' }] });
  });
});
