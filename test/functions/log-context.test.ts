/**
 * Every log line of an invocation carries its Lambda request id — the chain's own lines, and those the
 * WeCom client and the token provider write through the layer's logger — and keys a step appends
 * during one invocation never reach the next.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { createOperationHandler } from '#shared/handler.ts';
import { logger } from '#shared/observability.ts';
import { createRuntime } from '#shared/runtime.ts';
import { captureOutput } from '#test/report/output.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { routeEvent } from './support/events.ts';
import { fakeRuntime } from './support/fake-runtime.ts';

// The client's and the provider's lines are DEBUG and INFO; the suite's default level is SILENT. The
// level comes from the environment, as in Lambda: the logger middleware restores it at each invocation.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'demo' });
});
afterAll(() => sandbox.stop());

/** The JSON log lines (not EMF documents) one invocation writes. */
async function linesOf(invocation: () => Promise<unknown>) {
  const output = captureOutput();
  try {
    await invocation();
  } finally {
    output.restore();
  }
  return output.json().filter((line) => !('_aws' in line));
}

const read = (userid: string) => routeEvent('user-get', { pathParameters: { userid } });

describe('the request id', () => {
  it("is on every line of an invocation: the chain's, the client's and the token provider's", async () => {
    const runtime = createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret },
    });
    const handler = createOperationHandler('user-get', { runtime: () => runtime });
    // A cold container (gettoken) whose first call meets WeCom busy once (a retry).
    sandbox.injectFault('user/get', { kind: 'errcode', errcode: -1 });
    const first = fakeLambdaContext({ functionName: 'user-get', timeoutMs: 30_000 });
    const second = fakeLambdaContext({ functionName: 'user-get', timeoutMs: 30_000 });

    const firstLines = await linesOf(() => handler(read('zhangsan'), first));
    const secondLines = await linesOf(() => handler(read('missing-member'), second));

    const messages = firstLines.map((line) => line.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Fetched an access_token from WeCom',
        'Retrying WeCom call',
        'WeCom exchange',
        'Request served',
      ]),
    );
    expect(secondLines.map((line) => line.message)).toContain('Request refused');
    for (const [lines, context] of [
      [firstLines, first],
      [secondLines, second],
    ] as const) {
      for (const line of lines) {
        expect(line, String(line.message)).toMatchObject({
          function_request_id: context.awsRequestId,
          function_name: 'user-get',
        });
      }
    }
  });

  it('is there even when the chain fails before it can read the event', async () => {
    const { runtime } = fakeRuntime();
    const handler = createOperationHandler('user-create', { runtime: () => runtime });
    const context = fakeLambdaContext({ functionName: 'user-create' });

    const lines = await linesOf(() =>
      handler({ Records: [{ eventSource: 'aws:s3' }] }, context).catch((error: unknown) => error),
    );

    expect(lines).toEqual([
      expect.objectContaining({ message: 'Request refused', function_request_id: context.awsRequestId }),
    ]);
  });
});

describe('keys appended during an invocation', () => {
  it('are gone at the next invocation, after a success as after a failure', async () => {
    const appending = (fails: boolean) =>
      createOperationHandler('user-get', {
        runtime: () =>
          fakeRuntime(() => {
            logger.appendKeys({ appendedBy: 'an earlier invocation' });
            if (fails) throw new Error('a bug');
            return { errcode: 0, errmsg: 'ok' };
          }).runtime,
      });
    const { runtime } = fakeRuntime();
    const quiet = createOperationHandler('user-get', { runtime: () => runtime });
    const invoke = (handler: typeof quiet) => linesOf(() => handler(read('zhangsan'), fakeLambdaContext()));

    const succeeded = await invoke(appending(false));
    const afterSuccess = await invoke(quiet);
    const failed = await invoke(appending(true));
    const afterFailure = await invoke(quiet);

    // Within the invocation the key is there…
    expect(succeeded).toEqual([expect.objectContaining({ appendedBy: 'an earlier invocation' })]);
    expect(failed).toEqual([
      expect.objectContaining({ message: 'Request failed', appendedBy: 'an earlier invocation' }),
    ]);
    // …and the next one starts without it.
    for (const lines of [afterSuccess, afterFailure]) {
      expect(lines).toEqual([expect.objectContaining({ message: 'Request served' })]);
      expect(lines[0]).not.toHaveProperty('appendedBy');
    }
  });
});
