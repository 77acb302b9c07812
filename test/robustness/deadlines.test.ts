/**
 * Connection resets and answers slower than the deadline: the handler gives up in time and says so
 * with a 504 (docs/architecture.md §5: WeCom unreachable or too slow), before Lambda would have killed it, and
 * nothing hangs. The deadline comes from the fake context's remaining time (1.5 s here: the handler
 * keeps 0.5 s of it to answer, so WeCom gets 1 s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxApi, SandboxFault } from '#sandbox/types.ts';
import { routeEvent } from '#test/functions/support/events.ts';
import { type Harness, httpAnswer, startHarness } from '#test/functions/support/harness.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';

const FUNCTION_TIMEOUT_MS = 1_500;
/** Far beyond the deadline: the sandbox would answer after the test ended (stop() cuts it short). */
const SLOW: SandboxFault = { kind: 'delay', ms: 10_000 };
const RESET: SandboxFault = { kind: 'reset' };

interface Scenario {
  readonly name: string;
  /** Whether the container already holds a token when the faults start. */
  readonly warm: boolean;
  readonly faults: ReadonlyArray<readonly [SandboxApi | '*', SandboxFault, number]>;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'user/get answers too slowly', warm: true, faults: [['user/get', SLOW, 3]] },
  { name: 'gettoken answers too slowly (a cold container)', warm: false, faults: [['gettoken', SLOW, 3]] },
  { name: 'every attempt meets a connection reset', warm: true, faults: [['user/get', RESET, 3]] },
  {
    name: 'a reset, then an answer too slow for the retry',
    warm: true,
    faults: [
      ['user/get', RESET, 1],
      ['user/get', SLOW, 2],
    ],
  },
  {
    name: 'gettoken resets on every attempt (a cold container)',
    warm: false,
    faults: [['gettoken', RESET, 10]],
  },
];

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('resets and slow answers past the deadline', () => {
  it.each(SCENARIOS)('$name: 504 before the function times out', async ({ warm, faults }) => {
    const started = await startHarness();
    harness = started;
    const event = routeEvent('user-get', { pathParameters: { userid: 'lisi' } });
    if (warm) expect(httpAnswer(await started.invoke('user-get', event)).statusCode).toBe(200);
    for (const [api, fault, count] of faults) started.sandbox.injectFault(api, fault, count);
    const context = fakeLambdaContext({ functionName: 'user-get', timeoutMs: FUNCTION_TIMEOUT_MS });

    const answer = httpAnswer(await started.invoke('user-get', event, context));

    // WeCom's 504: our deadline ended the call while the function still had time to answer (the
    // handler has no other guard: test/functions/middleware.test.ts).
    expect(answer.statusCode).toBe(504);
    expect(answer.body.message).toMatch(/^WeCom (did not answer in time|could not be reached)$/);
  });
});
