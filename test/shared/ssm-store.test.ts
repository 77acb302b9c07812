import {
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
import { parameterNames } from '#shared/runtime-types.ts';
import { TokenProvider } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import type { StoredToken } from '#shared/token/store.ts';
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

  it('reads nothing before the first write, then the record it wrote, as a SecureString', async () => {
    const tokens = store();
    expect(await tokens.read('contact')).toBeUndefined();
    await tokens.write('contact', sample);
    await tokens.write('contact', { ...sample, token: 'T-2' });

    expect(await tokens.read('contact')).toEqual({ ...sample, token: 'T-2' });
    expect(await tokens.read('app')).toBeUndefined();
    const { Parameter } = await ssm().send(new GetParameterCommand({ Name: names.token('contact') }));
    expect(Parameter?.Type).toBe('SecureString');
  });

  it('treats a malformed record as none', async () => {
    await ssm().send(
      new PutParameterCommand({ Name: names.token('contact'), Value: 'not json', Type: 'SecureString' }),
    );
    expect(await store().read('contact')).toBeUndefined();
  });

  it('grants the lease to one claimant at a time, and again once released', async () => {
    const [a, b] = [store(), store()];
    expect(await a.acquireLease('contact', { holder: 'a', expiresAt: NOW + 10_000 }, NOW)).toBe(true);
    expect(await b.acquireLease('contact', { holder: 'b', expiresAt: NOW + 10_000 }, NOW)).toBe(false);
    expect(await b.acquireLease('app', { holder: 'b', expiresAt: NOW + 10_000 }, NOW)).toBe(true);
    await a.releaseLease('contact', 'a');
    expect(await b.acquireLease('contact', { holder: 'b', expiresAt: NOW + 10_000 }, NOW)).toBe(true);
  });

  it('hands an expired lease (its holder died) to exactly one of many claimants', async () => {
    await store().acquireLease('contact', { holder: 'dead', expiresAt: NOW + 10_000 }, NOW);
    const later = NOW + 20_000;
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        store().acquireLease('contact', { holder: `c${index}`, expiresAt: later + 10_000 }, later),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
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
    expect(await a.acquireLease('contact', { holder: 'a', expiresAt: NOW + 10_000 }, NOW)).toBe(true);
    await b.releaseLease('contact', 'b');
    expect(await b.acquireLease('contact', { holder: 'b', expiresAt: NOW + 10_000 }, NOW)).toBe(false);
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
