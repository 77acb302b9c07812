import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamTimeoutError, WeComError } from '#shared/errors.ts';
import type { AccessTokenSource } from '#shared/token/provider.ts';
import { createWeComClient, isTokenRejection } from '#shared/wecom/client.ts';
import { ScriptedTransport, silenceLogs } from './helpers.ts';

/** A token source that hands out `t1`, then `t2`, … on each refresh, and records what it was asked. */
function fakeTokens() {
  let current = 1;
  const asked = { get: 0, refreshes: [] as string[] };
  const tokens: AccessTokenSource = {
    getToken: async () => {
      asked.get++;
      return `t${current}`;
    },
    refreshAfterRejection: async (_credential, rejected) => {
      asked.refreshes.push(rejected);
      current++;
      return `t${current}`;
    },
  };
  return { tokens, asked };
}

const tokenOf = (transport: ScriptedTransport) => transport.calls.map((call) => call.options.accessToken);
const instantRetries = { now: Date.now, sleep: async () => undefined, random: () => 0 };

let restoreLogs: () => void;
beforeAll(async () => {
  restoreLogs = await silenceLogs();
});
afterAll(() => restoreLogs());

describe('the WeCom client', () => {
  it.each([40014, 42001])(
    'refreshes the token once after errcode %s and re-sends the call',
    async (errcode) => {
      const transport = new ScriptedTransport().on('user/get', (_call, index) => {
        if (index === 1) throw new WeComError('user/get', errcode, 'invalid access_token');
        return { errcode: 0, errmsg: 'ok', userid: 'a' };
      });
      const { tokens, asked } = fakeTokens();
      const client = createWeComClient({ transport, tokens });

      await expect(client.call('user/get', { userid: 'a' }, { credential: 'app' })).resolves.toMatchObject({
        userid: 'a',
      });
      expect(asked.refreshes).toEqual(['t1']);
      expect(tokenOf(transport)).toEqual(['t1', 't2']);
    },
  );

  it('surfaces a token still refused after the refresh (a 502 for the HTTP layer), never refreshing twice', async () => {
    const transport = new ScriptedTransport().on('user/get', () => {
      throw new WeComError('user/get', 40014, 'invalid access_token');
    });
    const { tokens, asked } = fakeTokens();
    const client = createWeComClient({ transport, tokens, retryEnvironment: instantRetries });

    const error = await client
      .call('user/get', { userid: 'a' }, { credential: 'app' })
      .catch((caught) => caught);
    expect(isTokenRejection(error)).toBe(true);
    expect(asked.refreshes).toHaveLength(1);
    expect(transport.count('user/get')).toBe(2);
  });

  it('refreshes at most once per call, even across retries', async () => {
    const outcomes = [40014, -1, 40014];
    const transport = new ScriptedTransport().on('user/get', (_call, index) => {
      const errcode = outcomes[index - 1];
      if (errcode !== undefined) throw new WeComError('user/get', errcode, 'x');
      return { errcode: 0, errmsg: 'ok' };
    });
    const { tokens, asked } = fakeTokens();
    const client = createWeComClient({ transport, tokens, retryEnvironment: instantRetries });

    await expect(
      client.call('user/get', { userid: 'a' }, { credential: 'contact', idempotent: true }),
    ).rejects.toMatchObject({ errcode: 40014 });
    expect(asked.refreshes).toHaveLength(1);
  });

  it('re-sends after a failure that may have reached WeCom only a call its caller says is idempotent', async () => {
    const busyOnce = () =>
      new ScriptedTransport().on('user/get', (_call, index) => {
        if (index === 1) throw new WeComError('user/get', -1, 'system busy');
        return { errcode: 0, errmsg: 'ok', userid: 'a' };
      });
    const { tokens } = fakeTokens();
    const send = async (idempotent: boolean | undefined) => {
      const transport = busyOnce();
      const client = createWeComClient({ transport, tokens, retryEnvironment: instantRetries });
      const outcome = await client
        .call(
          'user/get',
          { userid: 'a' },
          { credential: 'app', ...(idempotent !== undefined && { idempotent }) },
        )
        .then(
          () => 'answered',
          () => 'failed',
        );
      return { outcome, sent: transport.count('user/get') };
    };

    expect(await send(true)).toEqual({ outcome: 'answered', sent: 2 });
    expect(await send(false)).toEqual({ outcome: 'failed', sent: 1 });
    // A caller that does not say (not an endpoint: the operation table is not consulted) is not re-sent.
    expect(await send(undefined)).toEqual({ outcome: 'failed', sent: 1 });
  });

  it('never refreshes on 40001 or other errcodes', async () => {
    const transport = new ScriptedTransport().on('user/get', () => {
      throw new WeComError('user/get', 40001, 'invalid credential');
    });
    const { tokens, asked } = fakeTokens();
    const client = createWeComClient({ transport, tokens });
    await expect(client.call('user/get', { userid: 'a' }, { credential: 'contact' })).rejects.toMatchObject({
      errcode: 40001,
    });
    expect(asked.refreshes).toEqual([]);
    expect(transport.count('user/get')).toBe(1);
  });

  it('uses the credential and the deadline the caller names', async () => {
    const transport = new ScriptedTransport();
    const requested: unknown[] = [];
    const tokens: AccessTokenSource = {
      getToken: async (credential, options) => {
        requested.push({ credential, options });
        return 'tok';
      },
      refreshAfterRejection: async () => 'never',
    };
    const deadline = Date.now() + 1_234;
    await createWeComClient({ transport, tokens }).call(
      'user/get',
      { userid: 'a' },
      { credential: 'app', deadline },
    );
    expect(requested).toEqual([{ credential: 'app', options: { deadline } }]);
    expect(transport.calls[0]?.options).toEqual({ accessToken: 'tok', deadline, passOn: false });
  });
  it('passes on the call’s own answer only: the reads of a reconciler are parsed', async () => {
    const member = { userid: 'a', name: 'A', mobile: '13800000001' };
    const transport = new ScriptedTransport()
      // The first send times out after it may have reached WeCom; the re-send finds the member.
      .on('user/create', (_call, index) => {
        if (index === 1) throw new UpstreamTimeoutError('user/create');
        throw new WeComError('user/create', 60102, 'userid existed');
      })
      .on('user/get', () => ({ errcode: 0, errmsg: 'ok', ...member }));
    const client = createWeComClient({
      transport,
      tokens: fakeTokens().tokens,
      retryEnvironment: instantRetries,
    });

    await expect(
      client.call('user/create', member, { credential: 'contact', passOn: true }),
    ).resolves.toMatchObject({ errcode: 0, errmsg: 'created' });
    expect(transport.calls.map(({ api, options }) => [api, options.passOn])).toEqual([
      ['user/create', true],
      ['user/create', true],
      ['user/get', false],
    ]);
  });
});
