/** The callback's Token and EncodingAESKey from SSM (moto), read at first use and cached. */
import { DeleteParameterCommand, ParameterType, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  callbackParameterNames,
  ssmCallbackSecrets,
  staticCallbackSecrets,
} from '#shared/callback/secrets.ts';
import { ConfigurationError } from '#shared/errors.ts';
import { motoAvailable, useMoto } from '#test/support/moto.ts';
import { KEYS } from './support.ts';

const PREFIX = '/wecom-contact/test';
const names = callbackParameterNames(PREFIX);

describe('static secrets', () => {
  it('refuses a malformed Token or EncodingAESKey without echoing it', () => {
    expect(() => staticCallbackSecrets('bad token!', KEYS.encodingAesKey, 'ww1')).toThrow(ConfigurationError);
    expect(() => staticCallbackSecrets(KEYS.token, 'short-key', 'ww1')).toThrow(/43 letters or digits$/);
  });
});

describe.skipIf(!motoAvailable())('SSM secrets', () => {
  const moto = useMoto();
  let ssm: SSMClient;
  let sends = 0;
  const counted = () => {
    sends++;
    return ssm;
  };
  const put = (Name: string, Value: string, Type: ParameterType = ParameterType.SECURE_STRING) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));

  beforeEach(async () => {
    ssm = new SSMClient(moto.clientConfig());
    sends = 0;
    await put(names.corpId, KEYS.receiveId, ParameterType.STRING);
    await put(names.token, KEYS.token);
    await put(names.encodingAesKey, KEYS.encodingAesKey);
  });
  afterAll(() => ssm?.destroy());

  it('reads the corp id, Token and key once, then serves them from memory', async () => {
    const secrets = ssmCallbackSecrets(counted, PREFIX);
    const first = await secrets();
    expect(first).toMatchObject({ token: KEYS.token, receiveId: KEYS.receiveId });
    expect(first.key).toHaveLength(32);
    expect(await secrets()).toBe(first);
    expect(sends).toBe(1);
  });

  it('takes the corp id the stack set (the corpId context) and reads no corp-id parameter', async () => {
    await ssm.send(new DeleteParameterCommand({ Name: names.corpId }));
    const secrets = ssmCallbackSecrets(counted, PREFIX, 'ww-from-context');
    expect(await secrets()).toMatchObject({ token: KEYS.token, receiveId: 'ww-from-context' });
  });

  it('fails with a ConfigurationError naming no value when a parameter is missing, and reads again next time', async () => {
    await ssm.send(new DeleteParameterCommand({ Name: names.encodingAesKey }));
    const secrets = ssmCallbackSecrets(counted, PREFIX);
    const failure = await secrets().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigurationError);
    expect(String((failure as Error).message)).not.toContain(KEYS.token);
    await put(names.encodingAesKey, KEYS.encodingAesKey);
    expect((await secrets()).token).toBe(KEYS.token);
    expect(sends).toBe(2);
  });
});
