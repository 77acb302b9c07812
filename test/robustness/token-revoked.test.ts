/**
 * WeCom revoking the access_token early (40014) in the middle of a run: ten containers (each its own
 * runtime, sharing one token store as a fleet shares SSM) keep answering every request, and the fleet
 * fetches a new token once, not once per container.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { createOperationHandler, type OperationHandler } from '#shared/handler.ts';
import { createRuntime } from '#shared/runtime.ts';
import { MemoryTokenStore } from '#shared/token/memory-store.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { CapturingLogger, httpAnswer } from '#test/functions/support/harness.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { runBounded } from './support.ts';

const CONTAINERS = 10;
const REQUESTS = 1_000;
const READERS = ['zhangsan', 'lisi', 'wangwu', 'ZhaoLiu', 'sunqi', 'zhouba'];

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'demo' });
});
afterAll(async () => {
  await sandbox.stop();
});

/** Ten "containers": their own runtime (provider, memory cache) each, one shared store. */
function fleet(): OperationHandler[] {
  const store = new MemoryTokenStore();
  return Array.from({ length: CONTAINERS }, () => {
    const runtime = createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: sandbox.contactSecret },
      store,
    });
    return createOperationHandler('user-get', { runtime: () => runtime, logger: new CapturingLogger() });
  });
}

describe('a token revoked early in the middle of 1,000 requests across 10 containers', () => {
  it('fails no request, and the fleet calls gettoken once before and once after', async () => {
    const containers = fleet();
    sandbox.resetCounters();

    const statuses = await runBounded(REQUESTS, 20, async (index) => {
      if (index === REQUESTS / 2) sandbox.revokeTokens();
      const handler = containers[index % CONTAINERS] as OperationHandler;
      const userid = READERS[index % READERS.length] ?? 'zhangsan';
      const event = routeEvent('user-get', { pathParameters: { userid } });
      return httpAnswer(await handler(event, fakeLambdaContext({ timeoutMs: 30_000 }))).statusCode;
    });

    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const counts = sandbox.counters();
    expect(counts.gettoken).toBe(2);
    // The revocation was met (some calls re-sent after a 40014), and only the requests that had taken
    // the old token re-sent, once each: those in flight at the revocation, at most one more per container.
    expect(counts['user/get']).toBeGreaterThan(REQUESTS);
    expect(counts['user/get']).toBeLessThanOrEqual(REQUESTS + 20 + CONTAINERS);
  });
});
