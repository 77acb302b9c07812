import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
  ThrottlingException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialKey, ssmCredentialSource } from '#shared/credentials.ts';
import { ConfigurationError, DependencyUnavailableError } from '#shared/errors.ts';
import { parameterNames } from '#shared/stage-names.ts';
import { TokenProvider } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import type { Lease, LeaseClaim, StoredToken } from '#shared/token/store.ts';
import { motoAvailable, useMoto } from '#test/support/moto.ts';
import {
  captureOutput,
  logsOf,
  metricCount,
  ScriptedTransport,
  silenceLogs,
  testCredentials,
} from './helpers.ts';

const PREFIX = '/wecom-contact/test';
const names = parameterNames(PREFIX);
const NOW = Date.UTC(2026, 0, 1);
const sample: StoredToken = {
  key: 'ww:0123456789abcdef',
  token: 'T-1',
  expiresAt: NOW + 7_200_000,
  refreshAt: NOW + 6_900_000,
};

let restoreLogs: () => void;
beforeAll(async () => {
  restoreLogs = await silenceLogs();
});
afterAll(() => restoreLogs());

describe.skipIf(!motoAvailable())('the SSM token store against moto_server', () => {
  const moto = useMoto();
  const ssm = () => new SSMClient(moto.clientConfig());
  const store = () => new SsmTokenStore({ ssm: ssm(), prefix: PREFIX });

  const KEY = 'ww:0123456789abcdef';
  const lease = (holder: string, expiresAt = NOW + 10_000): Lease => ({ holder, expiresAt });

  it('reads nothing before the first write, then the record it wrote, as a SecureString', async () => {
    const tokens = store();
    expect(await tokens.read('contact')).toEqual({});
    await tokens.write('contact', sample);
    await tokens.write('contact', { ...sample, token: 'T-2' });

    expect((await tokens.read('contact')).token).toEqual({ ...sample, token: 'T-2' });
    expect(await tokens.read('app')).toEqual({});
    const { Parameter } = await ssm().send(new GetParameterCommand({ Name: names.token('contact') }));
    expect(Parameter?.Type).toBe('SecureString');
  });

  it('reads the token and the lease in one GetParameters round trip', async () => {
    const client = ssm();
    const tokens = new SsmTokenStore({ ssm: client, prefix: PREFIX });
    await tokens.write('contact', sample);
    await tokens.acquireLease('contact', lease('a'), NOW, KEY);
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize' },
    );
    expect(await tokens.read('contact')).toEqual({ token: sample, lease: lease('a') });
    expect(sent).toEqual(['GetParametersCommand']);
  });

  it('treats a malformed record as none', async () => {
    await ssm().send(
      new PutParameterCommand({ Name: names.token('contact'), Value: 'not json', Type: 'SecureString' }),
    );
    expect((await store().read('contact')).token).toBeUndefined();
  });

  it('grants the lease to one claimant at a time, and again once released', async () => {
    const [a, b] = [store(), store()];
    expect(await a.acquireLease('contact', lease('a'), NOW, KEY)).toMatchObject({ granted: true });
    expect(await b.acquireLease('contact', lease('b'), NOW, KEY)).toEqual({
      granted: false,
      current: lease('a'),
    });
    expect(await b.acquireLease('app', lease('b'), NOW, KEY)).toMatchObject({ granted: true });
    await a.releaseLease('contact', lease('a'));
    expect(await b.acquireLease('contact', lease('b'), NOW, KEY)).toMatchObject({ granted: true });
  });

  it('hands an expired lease (its holder died) to exactly one of many claimants', async () => {
    await store().acquireLease('contact', lease('dead'), NOW, KEY);
    const later = NOW + 20_000;
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store().acquireLease('contact', lease(`c${index}`, later + 10_000), later, KEY),
      ),
    );
    expect(claims.filter((claim) => claim.granted)).toHaveLength(1);
  });

  it('a contested takeover, 4 claimants × 30 rounds: exactly one winner each round, and its release deletes the lease', async () => {
    const claimants = Array.from({ length: 4 }, () => store());
    const observer = store();
    let now = NOW;
    await observer.acquireLease('contact', lease('dead', now + 10_000), now, KEY);
    for (let round = 0; round < 30; round++) {
      now += 20_000; // the last lease (the dead one, then each round's) has expired
      const claims = await Promise.all(
        claimants.map((claimant, index) =>
          claimant.acquireLease('contact', lease(`c${index}`, now + 10_000), now, KEY),
        ),
      );
      const winners = claims.flatMap((claim, index) => (claim.granted ? [{ claim, index }] : []));
      expect(winners).toHaveLength(1);
      const [{ claim, index }] = winners as [{ claim: LeaseClaim & { granted: true }; index: number }];
      await (claimants[index] as SsmTokenStore).releaseLease('contact', claim.lease);
      expect((await observer.read('contact')).lease).toBeUndefined();
      // Leave a lease to expire for the next round.
      await observer.acquireLease('contact', lease('dead', now + 10_000), now, KEY);
    }
  });

  it('a losing claimant’s write that lands after the winner’s own last one hides nothing', async () => {
    const [winner, reader] = [store(), store()];
    const client = ssm();
    await winner.acquireLease('contact', lease('dead'), NOW, KEY);
    const later = NOW + 20_000;
    const claim = await winner.acquireLease('contact', lease('w', later + 10_000), later, KEY);
    if (!claim.granted) throw new Error('no takeover');
    const lateLoserWrite = () =>
      client.send(
        new PutParameterCommand({
          Name: names.lease('contact'),
          Value: JSON.stringify({ ...lease('loser', later + 10_000), round: claim.lease.round }),
          Type: 'String',
          Overwrite: true,
        }),
      );
    // The winner's gettoken failed: its failure record, then the loser's late write on top of it.
    const failure: Lease = {
      holder: 'w',
      expiresAt: later + 2_000,
      failure: { class: 'transient', key: KEY, attempts: 1 },
    };
    await winner.releaseLease('contact', claim.lease, failure);
    await lateLoserWrite();
    await lateLoserWrite();
    expect((await reader.read('contact')).lease).toEqual(failure);
    // The winner succeeded and deleted the lease; a late write creates it anew: no lease either.
    await client.send(new DeleteParameterCommand({ Name: names.lease('contact') }));
    await lateLoserWrite();
    expect((await reader.read('contact')).lease).toBeUndefined();
  });

  it('replaces the lease with a failure record that blocks the refused key for good, and other keys only until it expires', async () => {
    const [a, b] = [store(), store()];
    const held = lease('a');
    await a.acquireLease('contact', held, NOW, KEY);
    const refused: Lease = {
      holder: 'a',
      expiresAt: NOW + 60_000,
      failure: { class: 'credentials', key: KEY, attempts: 1, errcode: 40001, errmsg: 'invalid credential' },
    };
    await a.releaseLease('contact', held, refused);
    expect((await b.read('contact')).lease).toEqual(refused);
    const later = NOW + 120_000;
    expect(await b.acquireLease('contact', lease('b', later + 10_000), later, KEY)).toEqual({
      granted: false,
      current: refused,
    });
    const rotated = await b.acquireLease('contact', lease('b', later + 10_000), later, 'ww:another-secret');
    expect(rotated).toMatchObject({ granted: true, replaced: refused });
  });

  it('serves a provider end to end: one gettoken, then the stored token for a new container', async () => {
    const transport = new ScriptedTransport();
    const first = new TokenProvider({ credentials: testCredentials(), transport, store: store() });
    const second = new TokenProvider({ credentials: testCredentials(), transport, store: store() });
    expect(await first.getToken('contact')).toBe('token-1');
    expect(await second.getToken('contact')).toBe('token-1');
    expect(transport.count('gettoken')).toBe(1);
  });

  it('loads corp id and secret from SSM parameters at first use, then from the cache', async () => {
    const client = ssm();
    await client.send(new PutParameterCommand({ Name: names.corpId, Value: 'ww-corp', Type: 'String' }));
    await client.send(
      new PutParameterCommand({ Name: names.secret('contact'), Value: 'the-secret', Type: 'SecureString' }),
    );
    const source = ssmCredentialSource({ ssm: client, prefix: PREFIX, names: ['contact'] });
    const identity = await source.identity('contact');
    expect(identity).toEqual({
      corpId: 'ww-corp',
      secret: 'the-secret',
      key: credentialKey('ww-corp', 'the-secret'),
    });
    expect(await source.identity('contact')).toBe(identity);
  });

  it('a secret the operator has not put: a configuration error; the log, not the error, names it', async () => {
    const client = ssm();
    await client.send(new PutParameterCommand({ Name: names.corpId, Value: 'ww-corp', Type: 'String' }));
    const source = ssmCredentialSource({ ssm: client, prefix: PREFIX, names: ['contact'] });

    const { lines, result: error } = await logsOf('ERROR', () =>
      source.identity('contact').catch((caught: unknown) => caught),
    );

    expect(error).toBeInstanceOf(ConfigurationError);
    // The message may reach an API caller: no parameter name, no value.
    expect((error as Error).message).not.toContain(PREFIX);
    expect((error as Error).message).not.toContain('ww-corp');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'ERROR', parameters: [names.secret('contact')] }),
    );
  });

  it('releases a lease only for its holder', async () => {
    const [a, b] = [store(), store()];
    expect(await a.acquireLease('contact', lease('a'), NOW, KEY)).toMatchObject({ granted: true });
    await b.releaseLease('contact', lease('b'));
    expect(await b.acquireLease('contact', lease('b'), NOW, KEY)).toMatchObject({ granted: false });
  });
});

describe('faults moto cannot produce, injected at the SSM client', () => {
  /** What the SDK raises for an answer of SSM's (status and fault set), e.g. AccessDeniedException. */
  const answered = (name: string, status = 400) =>
    Object.assign(new Error(name), {
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
    });
  const throttling = () =>
    new ThrottlingException({
      message: 'Rate exceeded',
      Message: 'Rate exceeded',
      $metadata: { httpStatusCode: 400 },
    });
  const noAnswer = (name: string, code: string) =>
    Object.assign(new Error(`${code} from SSM`), { name, code, $metadata: { attempts: 2 } });

  it('keeps serving through a throttled SSM, after a bounded wait for the fleet, counting TokenStoreDegraded', async () => {
    const ssm = new SSMClient({ region: 'ap-east-1' });
    const mock = mockClient(ssm);
    mock.onAnyCommand().rejects(throttling());
    const transport = new ScriptedTransport();
    const sleeps: number[] = [];
    const provider = new TokenProvider({
      credentials: testCredentials(),
      transport,
      store: new SsmTokenStore({ ssm, prefix: PREFIX }),
      sleep: async (ms) => sleeps.push(ms),
    });

    const output = captureOutput();
    try {
      expect(await provider.getToken('contact')).toBe('token-1');
      expect(await provider.getToken('contact')).toBe('token-1');
    } finally {
      output.restore();
    }
    expect(transport.count('gettoken')).toBe(1);
    expect(sleeps.length).toBeGreaterThan(0);
    expect(metricCount(output.lines(), 'TokenStoreDegraded')).toBeGreaterThan(0);
    mock.restore();
  });

  it('keeps serving when SSM times out', async () => {
    const ssm = new SSMClient({ region: 'ap-east-1' });
    const mock = mockClient(ssm);
    mock.onAnyCommand().rejects(Object.assign(new Error('socket timed out'), { name: 'TimeoutError' }));
    const provider = new TokenProvider({
      credentials: testCredentials(),
      transport: new ScriptedTransport(),
      store: new SsmTokenStore({ ssm, prefix: PREFIX }),
    });
    const output = captureOutput();
    try {
      expect(await provider.getToken('app')).toBe('token-1');
    } finally {
      output.restore();
    }
    mock.restore();
  });

  it('reports a secret it may not read as a configuration error, naming the parameters in the log only', async () => {
    const ssm = new SSMClient({ region: 'ap-east-1' });
    const mock = mockClient(ssm);
    mock.on(GetParametersCommand).rejects(answered('AccessDeniedException'));
    const source = ssmCredentialSource({ ssm, prefix: PREFIX, names: ['contact'] });

    const { lines, result: error } = await logsOf('ERROR', () =>
      source.identity('contact').catch((caught: unknown) => caught),
    );

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).not.toContain(PREFIX);
    // A failed read is not cached: the next call asks SSM again.
    await expect(source.identity('contact')).rejects.toBeInstanceOf(ConfigurationError);
    expect(mock.commandCalls(GetParametersCommand)).toHaveLength(2);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'ERROR', parameters: [names.corpId, names.secret('contact')] }),
    );
    mock.restore();
  });

  it.each([
    ['throttled', throttling()],
    ['timed out', noAnswer('TimeoutError', 'ETIMEDOUT')],
    ['unreachable', noAnswer('Error', 'ECONNREFUSED')],
    ['failing (5xx)', answered('InternalServerError', 500)],
  ])(
    'a cold container whose SSM is %s: DependencyUnavailableError (retry later), not a bug',
    async (_state, failure) => {
      const ssm = new SSMClient({ region: 'ap-east-1' });
      const mock = mockClient(ssm);
      mock.on(GetParametersCommand).rejects(failure);
      const source = ssmCredentialSource({ ssm, prefix: PREFIX, names: ['contact'] });

      const error = await source.identity('contact').catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ dependency: 'ssm', cause: failure });
      expect((error as Error).message).not.toContain(PREFIX);
      mock.restore();
    },
  );
});
