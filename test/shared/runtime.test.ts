import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { optionalEnv, requireEnv, requireEnvList } from '#shared/config.ts';
import { credentialFor } from '#shared/credential-roles.ts';
import { ssmCredentialSource } from '#shared/credentials.ts';
import { ConfigurationError, DependencyUnavailableError } from '#shared/errors.ts';
import {
  createRuntime,
  createSsmClient,
  getRuntime,
  resetRuntime,
  runtimeFromEnvironment,
  setRuntime,
} from '#shared/runtime.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';

afterEach(() => resetRuntime());

describe('configuration from the environment', () => {
  it('fails fast, naming the variable, when a required one is missing or blank', () => {
    expect(() => requireEnv('X', {})).toThrow(
      new ConfigurationError('Environment variable X is required but not set'),
    );
    expect(() => requireEnv('X', { X: '  ' })).toThrow(ConfigurationError);
    expect(requireEnv('X', { X: ' v ' })).toBe('v');
    expect(optionalEnv('X', { X: '' })).toBeUndefined();
    expect(requireEnvList('L', { L: 'contact, app,' })).toEqual(['contact', 'app']);
    expect(() => requireEnvList('L', { L: ' , ' })).toThrow(ConfigurationError);
  });

  it('builds the Lambda runtime only from SSM names, rejecting unknown credentials', () => {
    expect(() => runtimeFromEnvironment({ WECOM_CREDENTIALS: 'contact' })).toThrow(/WECOM_SSM_PREFIX/);
    expect(() => runtimeFromEnvironment({ WECOM_SSM_PREFIX: '/p' })).toThrow(/WECOM_CREDENTIALS/);
    expect(() => runtimeFromEnvironment({ WECOM_SSM_PREFIX: '/p', WECOM_CREDENTIALS: 'admin' })).toThrow(
      /unknown credential "admin"/,
    );
    const runtime = runtimeFromEnvironment({ WECOM_SSM_PREFIX: '/p/', WECOM_CREDENTIALS: 'contact,app' });
    expect(runtime.credentialFor('read')).toBe('app');
  });

  it('getRuntime builds from the environment once per container', () => {
    vi.stubEnv('WECOM_SSM_PREFIX', '/wecom-contact/test');
    vi.stubEnv('WECOM_CREDENTIALS', 'contact');
    const first = getRuntime();
    expect(getRuntime()).toBe(first);
    expect(first.credentialFor('read')).toBe('contact');
  });

  it('getRuntime fails fast without its environment', () => {
    vi.stubEnv('WECOM_SSM_PREFIX', '');
    expect(() => getRuntime()).toThrow(ConfigurationError);
  });

  it('in Lambda, checks the environment while the function loads, not at its first request', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'user-get');
    vi.stubEnv('WECOM_SSM_PREFIX', '/wecom-contact/test');
    vi.stubEnv('WECOM_CREDENTIALS', 'contact,admin');
    vi.resetModules();
    await expect(import('#shared/runtime.ts')).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringContaining('unknown credential "admin"'),
    });

    vi.stubEnv('WECOM_CREDENTIALS', 'contact');
    vi.resetModules();
    const loaded = await import('#shared/runtime.ts');
    expect(loaded.getRuntime().credentialFor('read')).toBe('contact');
  });

  it('lets local mode and tests inject a runtime', () => {
    const runtime = createRuntime({ baseUrl: 'http://127.0.0.1:1', corpId: 'ww', secrets: { contact: 's' } });
    setRuntime(runtime);
    expect(getRuntime()).toBe(runtime);
    resetRuntime();
    vi.stubEnv('WECOM_SSM_PREFIX', '');
    expect(() => getRuntime()).toThrow(ConfigurationError);
  });
});

describe('the SSM client of a Lambda container', () => {
  let silent: Server | undefined;
  afterEach(async () => {
    silent?.closeAllConnections();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('gives up on an SSM that accepts the connection but never answers (no hang)', async () => {
    silent = createServer(() => {}); // holds every request open
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', `http://127.0.0.1:${port}`);
    vi.stubEnv('AWS_REGION', 'ap-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    const ssm = createSsmClient({ connectMs: 200, requestMs: 100 });
    const source = ssmCredentialSource({ ssm, prefix: '/wecom-contact/test', names: ['contact'] });

    await expect(source.identity('contact')).rejects.toBeInstanceOf(DependencyUnavailableError);
    ssm.destroy();
  });
});

describe('choosing a credential', () => {
  it.each([
    ['read', ['contact', 'app'], 'app'],
    ['read', ['contact'], 'contact'],
    ['read', ['app'], 'app'],
    ['contact', ['contact', 'app'], 'contact'],
    ['contact', ['contact'], 'contact'],
  ] as const)('%s with %j → %s', (role, configured, expected) => {
    expect(credentialFor(role, configured)).toBe(expected);
  });

  it('refuses contact calls in a function configured with the app credential only', () => {
    expect(() => credentialFor('contact', ['app'])).toThrow(ConfigurationError);
  });
});

describe('the fake Lambda context', () => {
  it('counts its remaining time down with the (fake) clock', () => {
    vi.useFakeTimers();
    const context = fakeLambdaContext({ timeoutMs: 3_000, functionName: 'user-create' });
    vi.advanceTimersByTime(1_000);
    expect(context.getRemainingTimeInMillis()).toBe(2_000);
    vi.advanceTimersByTime(5_000);
    expect(context.getRemainingTimeInMillis()).toBe(0);
    expect(context.invokedFunctionArn).toContain(':function:user-create');
  });
});
