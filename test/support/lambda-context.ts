/**
 * A typed fake Lambda context. Its remaining time counts down from creation on `Date.now`, so fake
 * timers (`vi.advanceTimersByTime`, `vi.setSystemTime`) move it like the real runtime's clock.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface FakeContextOptions extends Partial<Omit<Context, 'getRemainingTimeInMillis'>> {
  /** The function's timeout (default 10 s). */
  timeoutMs?: number;
}

export function fakeLambdaContext({ timeoutMs = 10_000, ...overrides }: FakeContextOptions = {}): Context {
  const functionName = overrides.functionName ?? 'user-get';
  const deadline = Date.now() + timeoutMs;
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is the callback-era API; handlers return promises`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
    ...overrides,
  };
}
