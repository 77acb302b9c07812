import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  ValidationError,
  WeComError,
} from '#shared/errors.ts';
import { OPERATIONS } from '#shared/operations.ts';
import type { WeComApi } from '#shared/wecom/apis.ts';
import { type Attempt, isSameMember, RECONCILED_APIS } from '#shared/wecom/reconcilers.ts';
import {
  backoffDelay,
  callWithRetry,
  DEFAULT_RETRY_POLICY,
  type RetryEnvironment,
  retryVerdict,
} from '#shared/wecom/retry.ts';

const weCom = (errcode: number, api: WeComApi = 'user/create') =>
  new WeComError(api, errcode, `errcode ${errcode}`);
const reset = (api: WeComApi = 'user/create') => new UpstreamNetworkError(api, 'UND_ERR_SOCKET', true);
const refused = (api: WeComApi = 'user/create') => new UpstreamNetworkError(api, 'ECONNREFUSED', false);
const timeout = (api: WeComApi = 'user/create') => new UpstreamTimeoutError(api);

describe('the retry table (docs/architecture.md §5), row by row', () => {
  it.each([
    ['errcode -1 (busy)', weCom(-1), true, true],
    ['HTTP 500', new UpstreamHttpError('user/get', 500), true, true],
    ['HTTP 503', new UpstreamHttpError('user/get', 503), true, true],
    ['a network error before sending', refused(), true, false],
    ['a network error after sending', reset(), true, true],
    ['a timeout', timeout(), true, true],
    ['errcode 45009 (rate limited)', weCom(45009), false, false],
    ['errcode 45033 (concurrency limited)', weCom(45033), false, false],
    ['errcode 40001 (bad secret)', weCom(40001), false, false],
    ['errcode 40014 (token: the client refreshes, not the retry)', weCom(40014), false, false],
    ['errcode 60102 (exists)', weCom(60102), false, false],
    ['HTTP 404', new UpstreamHttpError('user/get', 404), false, false],
    ['a validation error', new ValidationError('bad'), false, false],
    ['a configuration error', new ConfigurationError('missing'), false, false],
    ['an unknown error', new Error('?'), false, false],
  ])('%s → retryable %s, may have applied %s', (_row, error, retryable, mayHaveApplied) => {
    expect(retryVerdict(error)).toEqual({ retryable, mayHaveApplied });
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 300 };
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(199);
    expect(backoffDelay(5, policy, () => 0.999)).toBe(299);
  });
});

/** A scripted attempt: each call of an API takes the next outcome (an answer, or an error to throw). */
function scripted(outcomes: Partial<Record<WeComApi, unknown[]>>) {
  const calls: Array<{ api: WeComApi; request: unknown }> = [];
  const attempt = (async (api: WeComApi, request: unknown) => {
    calls.push({ api, request });
    const outcome = outcomes[api]?.shift();
    if (outcome === undefined) throw new Error(`unscripted call to ${api}`);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  }) as Attempt;
  return { attempt, calls, count: (api: WeComApi) => calls.filter((call) => call.api === api).length };
}

function environment(now = 0): RetryEnvironment & { slept: number[] } {
  const slept: number[] = [];
  return { now: () => now, sleep: async (ms) => slept.push(ms), random: () => 0.5, slept };
}

const DEADLINE = 60_000;
const ok = (errmsg = 'ok') => ({ errcode: 0, errmsg });
/** Whether an endpoint would call `api` idempotent: its operation table row says (as execute.ts passes it). */
const idempotentApi = (api: WeComApi) =>
  OPERATIONS.some((operation) => operation.wecomApi === api && operation.idempotent);
const retry = (
  api: WeComApi,
  request: object,
  script: ReturnType<typeof scripted>,
  env = environment(),
  idempotent = idempotentApi(api),
) =>
  callWithRetry(api, request as never, script.attempt, { deadline: DEADLINE, environment: env, idempotent });

describe('retrying a call', () => {
  it('retries -1, 5xx and network errors, then answers', async () => {
    const script = scripted({
      'user/get': [weCom(-1, 'user/get'), new UpstreamHttpError('user/get', 503), { ...ok(), userid: 'a' }],
    });
    const env = environment();
    await expect(retry('user/get', { userid: 'a' }, script, env)).resolves.toMatchObject({ userid: 'a' });
    expect(script.count('user/get')).toBe(3);
    expect(env.slept).toEqual([100, 200]);
  });

  it('stops after two retries and throws the last failure', async () => {
    const script = scripted({ 'user/get': [weCom(-1), weCom(-1), weCom(-1), ok()] });
    await expect(retry('user/get', { userid: 'a' }, script)).rejects.toMatchObject({ errcode: -1 });
    expect(script.count('user/get')).toBe(3);
  });

  it.each([45009, 45033, 40001])('never retries errcode %s', async (errcode) => {
    const script = scripted({ 'user/get': [weCom(errcode), ok()] });
    await expect(retry('user/get', { userid: 'a' }, script)).rejects.toMatchObject({ errcode });
    expect(script.count('user/get')).toBe(1);
  });

  it('does not retry when the deadline leaves no room for another attempt', async () => {
    const script = scripted({ 'user/get': [timeout('user/get'), ok()] });
    const env = environment(DEADLINE - DEFAULT_RETRY_POLICY.minAttemptMs + 1);
    await expect(retry('user/get', { userid: 'a' }, script, env)).rejects.toBeInstanceOf(
      UpstreamTimeoutError,
    );
    expect(script.count('user/get')).toBe(1);
  });

  it('passes the same request to every attempt (the transport re-encodes it each time)', async () => {
    const request = { useridlist: ['a', 'b'] };
    const script = scripted({ 'user/batchdelete': [refused(), ok('deleted')] });
    await retry('user/batchdelete', request, script);
    expect(script.calls.map((call) => call.request)).toEqual([request, request]);
  });
});

describe('resolving non-idempotent calls after an ambiguous failure', () => {
  const create = { userid: 'zhangsan', name: '张三', mobile: '+86 13800000001', department: [1] };

  it('user/create: 60102 after a lost answer, and the member is the one sent → created', async () => {
    const script = scripted({
      'user/create': [reset(), weCom(60102)],
      'user/get': [{ ...ok(), userid: 'zhangsan', name: '张三', mobile: '13800000001' }],
    });
    await expect(retry('user/create', create, script)).resolves.toEqual({ errcode: 0, errmsg: 'created' });
    expect(script.calls.map((call) => call.api)).toEqual(['user/create', 'user/create', 'user/get']);
  });

  it('user/create: 60102 after a lost answer, but someone else holds the userid → 60102 stands', async () => {
    const script = scripted({
      'user/create': [timeout(), weCom(60102)],
      'user/get': [{ ...ok(), userid: 'zhangsan', name: '另一个张三' }],
    });
    await expect(retry('user/create', create, script)).rejects.toMatchObject({ errcode: 60102 });
  });

  it('user/create: 60102 after a failure that never left → 60102 stands, no look-up', async () => {
    const script = scripted({ 'user/create': [refused(), weCom(60102)] });
    await expect(retry('user/create', create, script)).rejects.toMatchObject({ errcode: 60102 });
    expect(script.count('user/get')).toBe(0);
  });

  it('user/create: a first-attempt 60102 is a plain conflict, no look-up', async () => {
    const script = scripted({ 'user/create': [weCom(60102)] });
    await expect(retry('user/create', create, script)).rejects.toMatchObject({ errcode: 60102 });
    expect(script.count('user/get')).toBe(0);
  });

  it('user/batchdelete: 60111 after a lost answer and every id gone → deleted', async () => {
    const gone = () => weCom(60111, 'user/get');
    const script = scripted({
      'user/batchdelete': [new UpstreamHttpError('user/batchdelete', 504), weCom(60111, 'user/batchdelete')],
      'user/get': [gone(), gone()],
    });
    await expect(retry('user/batchdelete', { useridlist: ['a', 'b'] }, script)).resolves.toEqual({
      errcode: 0,
      errmsg: 'deleted',
    });
  });

  it('user/batchdelete: 60111 after a lost answer but a member remains → 60111 stands', async () => {
    const script = scripted({
      'user/batchdelete': [reset('user/batchdelete'), weCom(60111, 'user/batchdelete')],
      'user/get': [weCom(60111, 'user/get'), { ...ok(), userid: 'b' }],
    });
    await expect(retry('user/batchdelete', { useridlist: ['a', 'b'] }, script)).rejects.toMatchObject({
      errcode: 60111,
    });
  });

  it('user/delete: 60111 after a lost answer → deleted', async () => {
    const script = scripted({ 'user/delete': [timeout('user/delete'), weCom(60111, 'user/delete')] });
    await expect(retry('user/delete', { userid: 'a' }, script)).resolves.toEqual({
      errcode: 0,
      errmsg: 'deleted',
    });
  });

  it('user/update renaming: 60111 after a lost answer and the new userid exists → updated', async () => {
    const script = scripted({
      'user/update': [reset('user/update'), weCom(60111, 'user/update')],
      'user/get': [{ ...ok(), userid: 'new-id' }],
    });
    await expect(retry('user/update', { userid: 'old', new_userid: 'new-id' }, script)).resolves.toEqual({
      errcode: 0,
      errmsg: 'updated',
    });
  });

  it('compares members by what was sent and WeCom shows', () => {
    const sent = { userid: 'a', name: '张三', email: 'A@Example.com', mobile: '+86 13800000001' };
    expect(
      isSameMember(sent, { userid: 'a', name: '张三', email: 'a@example.com', mobile: '13800000001' }),
    ).toBe(true);
    // A restricted app sees no mobile/email: only what is shown is compared.
    expect(isSameMember(sent, { userid: 'a', name: '张三' })).toBe(true);
    expect(isSameMember(sent, { userid: 'a', name: '李四' })).toBe(false);
    expect(isSameMember(sent, { userid: 'a', name: '张三', mobile: '13900000009' })).toBe(false);
    expect(isSameMember(sent, { userid: 'a', name: '张三', email: 'other@example.com' })).toBe(false);
  });
});

describe('the operation table’s `idempotent`, passed by the caller, decides what is re-sent', () => {
  const ambiguous = (api: WeComApi) => [timeout(api), new UpstreamHttpError(api, 502), reset(api)];

  it.each(OPERATIONS.map((operation) => [operation.id, operation] as const))(
    '%s: re-sent only if idempotent or reconciled, never blindly',
    async (_id, { wecomApi, idempotent }) => {
      const resent = idempotent || RECONCILED_APIS.has(wecomApi);
      for (const failure of ambiguous(wecomApi)) {
        const script = scripted({ [wecomApi]: [failure, ok()] });
        const call = retry(wecomApi, {}, script, environment(), idempotent);
        if (resent) await expect(call).resolves.toMatchObject({ errcode: 0 });
        else await expect(call).rejects.toBe(failure);
        expect(script.count(wecomApi)).toBe(resent ? 2 : 1);
      }
    },
  );

  it('still re-sends any call whose first attempt provably never left', async () => {
    for (const { wecomApi } of OPERATIONS) {
      const script = scripted({ [wecomApi]: [refused(wecomApi), ok()] });
      await expect(retry(wecomApi, {}, script, environment(), false)).resolves.toMatchObject({ errcode: 0 });
    }
  });
});
