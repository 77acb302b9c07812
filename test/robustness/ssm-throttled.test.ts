/**
 * SSM Parameter Store throttling for a while (docs/tokens.md, degraded mode). The containers run the
 * Lambda runtime itself (`runtimeFromEnvironment`: secrets and tokens in SSM) against moto_server,
 * behind a proxy that answers ThrottlingException while the test says so — a fault moto cannot make.
 * Warm containers keep answering, from gettoken and memory, even when WeCom revokes the token in the
 * middle of the throttling; a warning is logged and the TokenStoreDegraded metric emitted; once SSM
 * recovers, a new container is served through it again. A cold container, which cannot read its
 * secret at all, answers 503 with Retry-After: a dependency is down, not a bug (500).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { createOperationHandler, type OperationHandler } from '#shared/handler.ts';
import { runtimeFromEnvironment } from '#shared/runtime.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { httpAnswer } from '#test/functions/support/harness.ts';
import { captureOutput, metricCount } from '#test/shared/helpers.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { motoAvailable, putStageParameters, useMoto } from '#test/support/moto.ts';
import { type FaultyProxy, type ProxyAction, runBounded, startFaultyProxy } from './support.ts';

// The warnings are part of the expected outcome; the suite's default level is SILENT. The level comes
// from the environment, as in Lambda: the logger middleware restores it at each invocation.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'WARN');
});

const PREFIX = '/wecom-contact/robustness';

/** What SSM answers a throttled call (AWS JSON 1.1 protocol). */
const THROTTLED: ProxyAction = {
  kind: 'answer',
  status: 400,
  headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
  body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
};

describe.skipIf(!motoAvailable())('SSM throttled for a while', () => {
  const moto = useMoto();
  let sandbox: Sandbox;
  let proxy: FaultyProxy;
  let throttling = false;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo' });
    proxy = await startFaultyProxy(moto.endpoint, () => (throttling ? THROTTLED : { kind: 'forward' }));
  });
  beforeEach(async () => {
    await putStageParameters(moto, PREFIX, sandbox);
    // The SDK inside the runtime finds SSM through the environment, as in Lambda (here: the proxy).
    const { region, credentials } = moto.clientConfig();
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', proxy.url);
    vi.stubEnv('AWS_REGION', region);
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
  });
  afterEach(() => {
    throttling = false;
  });
  afterAll(async () => {
    await proxy.stop();
    await sandbox.stop();
  });

  /** A cold container: the runtime Lambda builds from the stack's environment variables. */
  function startContainer(): OperationHandler {
    const runtime = runtimeFromEnvironment({
      WECOM_SSM_PREFIX: PREFIX,
      WECOM_CREDENTIALS: 'contact',
      WECOM_BASE_URL: sandbox.url,
    });
    return createOperationHandler('user-get', { runtime: () => runtime });
  }

  it('answers a cold container that cannot read its secret with 503 and Retry-After, not 500', async () => {
    throttling = true;
    const cold = startContainer();

    const answer = httpAnswer(
      await cold(routeEvent('user-get', { pathParameters: { userid: 'zhangsan' } }), fakeLambdaContext()),
    );

    expect(proxy.seen.answer).toBeGreaterThan(0);
    expect(answer).toMatchObject({
      statusCode: 503,
      headers: { 'retry-after': expect.stringMatching(/^\d+$/) },
      body: { requestId: expect.any(String) },
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/WeCom|ssm|\/wecom-contact/i);
  });

  /** `count` reads spread over the containers; their HTTP statuses. */
  function serve(containers: readonly OperationHandler[], count: number): Promise<number[]> {
    return runBounded(count, 8, async (index) => {
      const handler = containers[index % containers.length] as OperationHandler;
      const event = routeEvent('user-get', {
        pathParameters: { userid: index % 2 === 0 ? 'zhangsan' : 'lisi' },
      });
      return httpAnswer(await handler(event, fakeLambdaContext({ timeoutMs: 30_000 }))).statusCode;
    });
  }

  it('keeps serving warm containers from gettoken and memory, warns, and emits TokenStoreDegraded', async () => {
    const warm = [startContainer(), startContainer()];
    const output = captureOutput();
    let before: number[];
    let during: number[];
    let after: number[];
    try {
      before = await serve(warm, 20);
      const proxied = proxy.seen.forward;

      throttling = true;
      sandbox.revokeTokens(); // the containers must replace their token while SSM refuses every call
      during = await serve(warm, 200);
      const throttledCalls = proxy.seen.answer;
      throttling = false;
      expect(throttledCalls).toBeGreaterThan(0);
      expect(proxy.seen.forward).toBe(proxied);

      after = await serve([startContainer()], 20);
    } finally {
      output.restore();
    }

    expect([...before, ...during, ...after].filter((status) => status !== 200)).toEqual([]);
    const lines = output.lines();
    expect(metricCount(lines, 'TokenStoreDegraded')).toBeGreaterThan(0);
    expect(
      lines.some(
        (line) => line.level === 'WARN' && /^Token store (throttled|unavailable)/.test(String(line.message)),
      ),
    ).toBe(true);
    expect(output.text()).not.toContain(sandbox.contactSecret);
  });
});
