/**
 * Input-derived failures are final on every source: a body out of bounds is a ValidationError (400)
 * for HTTP, direct invoke and SQS alike, and an SQS record that fails because of its own content is
 * dropped, never left for a retry that would meet the same failure until the dead-letter queue.
 */
import { describe, expect, it } from 'vitest';
import { describeError } from '#shared/error-mapping.ts';
import { InputProcessingError, ValidationError } from '#shared/errors.ts';
import { createOperationHandler } from '#shared/handler.ts';
import { Invocation } from '#shared/invocation.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { sqsEvent, sqsRecord } from './support/events.ts';
import { fakeRuntime } from './support/fake-runtime.ts';

const deep = (depth: number): unknown => {
  let value: unknown = [];
  for (let level = 0; level < depth; level++) value = [value];
  return value;
};

function setup() {
  const { runtime, call } = fakeRuntime();
  const handler = createOperationHandler('user-create', { runtime: () => runtime });
  const context = fakeLambdaContext({ functionName: 'user-create', timeoutMs: 30_000 });
  return { call, invoke: (event: unknown) => handler(event, context) };
}

const member = { userid: 'edge', name: '边', mobile: '13800000777' };

describe('a request nested 6,000 deep', () => {
  it('fails a direct invoke with a ValidationError, without a WeCom call', async () => {
    const { invoke, call } = setup();

    await expect(invoke({ ...member, extra: deep(6_000) })).rejects.toThrow(ValidationError);
    expect(call).not.toHaveBeenCalled();
  });

  it('is dropped from an SQS batch (not retried) while the next record is served', async () => {
    const { invoke, call } = setup();
    const nested = `${'['.repeat(6_000)}${']'.repeat(6_000)}`;
    const bad = sqsRecord(`{"userid":"edge","name":"边","mobile":"13800000777","extra":${nested}}`, 'deep');
    const good = sqsRecord(JSON.stringify(member), 'fine');

    expect(await invoke(sqsEvent(bad, good))).toEqual({ batchItemFailures: [] });
    expect(call).toHaveBeenCalledTimes(1);
  });
});

describe('a defect met while reading one input', () => {
  it('is an InputProcessingError: a 500 that SQS does not retry', () => {
    const invocation = new Invocation('sqs', [{ messageId: 'm', input: { json: '{}' } }]).map(() => {
      throw new TypeError('a defect');
    });
    const [item] = invocation.items;

    expect(item?.error).toBeInstanceOf(InputProcessingError);
    expect(describeError(item?.error)).toMatchObject({ status: 500, retryable: false });
  });
});
