/**
 * A Lambda `Context` for running a handler outside Lambda (the local server, tests): the fields
 * Lambda sets, and a remaining time that counts down from the function's timeout.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface LambdaContextOptions {
  readonly functionName: string;
  /** The function's timeout; default 30 s (the stack's timeout for endpoint functions). */
  readonly timeoutMs?: number;
  readonly awsRequestId?: string;
  /** Epoch ms; default Date.now (inject to test deadlines). */
  readonly clock?: () => number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createLambdaContext(options: LambdaContextOptions): Context {
  const clock = options.clock ?? Date.now;
  const endsAt = clock() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const { functionName } = options;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: options.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, endsAt - clock()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
