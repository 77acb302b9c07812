/**
 * The layer logger's per-invocation context (middleware/log-context.ts): the level is read once per
 * invocation and kept for it (per InvokeStore context when invocations run concurrently), a level set
 * during one invocation does not reach the next, debug sampling is decided anew per invocation, and
 * appended keys end with their invocation.
 */

import { InvokeStore } from '@aws/lambda-invoke-store';
import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createOperationHandler } from '#shared/handler.ts';
import { invocationLogLevel, type LogDefaults, lambdaLogContext } from '#shared/middleware/log-context.ts';
import { isDebugEnabled, logger } from '#shared/observability.ts';
import { fakeRuntime } from '#test/functions/support/fake-runtime.ts';
import { captureOutput } from '#test/report/output.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { routeEvent } from '../functions/support/events.ts';

const INFO: LogDefaults = { levelName: 'INFO', level: LogLevelThreshold.INFO, sampling: false };

/** A handler whose body is `body`, behind the hook on `target`. */
const withContext = <T>(target: Logger, defaults: LogDefaults, body: () => Promise<T> | T) =>
  middy<unknown, T, Error, Context>(async () => body()).use(lambdaLogContext(target, defaults));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the log level', () => {
  it("is read once per invocation, however often the invocation's code asks", async () => {
    const { runtime } = fakeRuntime(() => {
      for (let i = 0; i < 5; i++) isDebugEnabled();
      return { errcode: 0, errmsg: 'ok', userid: 'zhangsan' };
    });
    const handler = createOperationHandler('user-get', { runtime: () => runtime });
    const reads = vi.spyOn(logger, 'level', 'get');

    const answer = await handler(
      routeEvent('user-get', { pathParameters: { userid: 'zhangsan' } }),
      fakeLambdaContext(),
    );

    expect(answer).toMatchObject({ statusCode: 200 });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('set during one invocation is back to the configured one at the next', async () => {
    const target = new Logger({ logLevel: 'INFO' });
    const seen: Array<number | undefined> = [];
    const handler = withContext(target, INFO, () => {
      seen.push(invocationLogLevel());
      target.setLogLevel('ERROR');
    });

    await handler({}, fakeLambdaContext());
    await handler({}, fakeLambdaContext());

    expect(seen).toEqual([LogLevelThreshold.INFO, LogLevelThreshold.INFO]);
    // Outside an invocation nothing is kept: callers read the logger's own level.
    expect(invocationLogLevel()).toBeUndefined();
  });

  it('with debug sampling on, is decided anew by Powertools at each invocation', async () => {
    const target = new Logger({ logLevel: 'INFO' });
    const refresh = vi.spyOn(target, 'refreshSampleRateCalculation');
    const handler = withContext(target, { ...INFO, sampling: true }, () => undefined);

    await handler({}, fakeLambdaContext());
    await handler({}, fakeLambdaContext());

    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('is kept per InvokeStore context when invocations run concurrently', async () => {
    const store = await InvokeStore.getInstanceAsync(true);
    const quiet = withContext(
      new Logger({ logLevel: 'ERROR' }),
      { levelName: 'ERROR', level: LogLevelThreshold.ERROR, sampling: false },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return invocationLogLevel();
      },
    );
    const verbose = withContext(
      new Logger({ logLevel: 'DEBUG' }),
      { levelName: 'DEBUG', level: LogLevelThreshold.DEBUG, sampling: false },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return invocationLogLevel();
      },
    );
    const inContext = <T>(requestId: string, run: () => Promise<T>) =>
      store.run({ [Symbol.for('_AWS_LAMBDA_REQUEST_ID')]: requestId }, run);

    // The quiet one starts first and reads its level after the verbose one has started and ended.
    const levels = await Promise.all([
      inContext('a', () => quiet({}, fakeLambdaContext())),
      inContext('b', () => verbose({}, fakeLambdaContext())),
    ]);

    expect(levels).toEqual([LogLevelThreshold.ERROR, LogLevelThreshold.DEBUG]);
  });
});

describe('keys appended during an invocation', () => {
  it("are reset through Powertools only when some were appended (the layer's logger)", async () => {
    const reset = vi.spyOn(Logger.prototype, 'resetKeys');
    const { runtime } = fakeRuntime();
    const handler = createOperationHandler('user-get', { runtime: () => runtime });
    const event = () => routeEvent('user-get', { pathParameters: { userid: 'zhangsan' } });

    await handler(event(), fakeLambdaContext());
    expect(reset).not.toHaveBeenCalled();

    logger.appendKeys({ step: 'one' });
    await handler(event(), fakeLambdaContext());
    await handler(event(), fakeLambdaContext());
    expect(reset).toHaveBeenCalledTimes(1);
  });

  it('end with it, after a failure too', async () => {
    const target = new Logger({ logLevel: 'INFO' });
    const failing = withContext(target, INFO, () => {
      target.appendKeys({ step: 'one' });
      throw new Error('a bug');
    });
    const logging = withContext(target, INFO, () => target.info('next'));

    await expect(failing({}, fakeLambdaContext())).rejects.toThrow('a bug');
    const output = captureOutput();
    try {
      await logging({}, fakeLambdaContext({ awsRequestId: 'next-invocation' }));
    } finally {
      output.restore();
    }

    const [line] = output.json();
    expect(line).toMatchObject({ message: 'next', function_request_id: 'next-invocation' });
    expect(line).not.toHaveProperty('step');
  });
});
