/**
 * Where the corp id comes from: the `corpId` context reaches the functions as WECOM_CORP_ID and then
 * no SSM parameter is read for it; otherwise `<prefix>/corp-id` is read with the secret.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialKey, ssmCredentialSource } from '#shared/credentials.ts';
import { readRuntimeConfig } from '#shared/runtime.ts';
import { parameterNames } from '#shared/stage-names.ts';

const PREFIX = '/wecom-contact/test';
const names = parameterNames(PREFIX);
const ssm = mockClient(SSMClient);
afterEach(() => ssm.reset());

const answerFrom = (values: Record<string, string>) =>
  ssm.on(GetParametersCommand).callsFake(({ Names }: { Names: string[] }) => ({
    Parameters: Names.filter((name) => name in values).map((name) => ({ Name: name, Value: values[name] })),
  }));

describe('the corp id', () => {
  it('comes from the environment value when the stack set one, and only the secret is read', async () => {
    answerFrom({ [names.secret('contact')]: 'the-secret', [names.corpId]: 'ww-from-ssm' });
    const source = ssmCredentialSource({
      ssm: new SSMClient({}),
      prefix: PREFIX,
      names: ['contact'],
      corpId: 'ww-from-context',
    });

    expect(await source.identity('contact')).toEqual({
      corpId: 'ww-from-context',
      secret: 'the-secret',
      key: credentialKey('ww-from-context', 'the-secret'),
    });
    expect(ssm.commandCalls(GetParametersCommand).map(({ args }) => args[0].input.Names)).toEqual([
      [names.secret('contact')],
    ]);
  });

  it('comes from <prefix>/corp-id otherwise', async () => {
    answerFrom({ [names.secret('contact')]: 'the-secret', [names.corpId]: 'ww-from-ssm' });
    const source = ssmCredentialSource({ ssm: new SSMClient({}), prefix: PREFIX, names: ['contact'] });

    expect((await source.identity('contact')).corpId).toBe('ww-from-ssm');
    expect(ssm.commandCalls(GetParametersCommand)[0]?.args[0].input.Names).toEqual([
      names.corpId,
      names.secret('contact'),
    ]);
  });

  it('is read from WECOM_CORP_ID by the Lambda configuration', () => {
    const env = { WECOM_SSM_PREFIX: PREFIX, WECOM_CREDENTIALS: 'contact' };
    expect(readRuntimeConfig({ ...env, WECOM_CORP_ID: 'ww1' }).corpId).toBe('ww1');
    expect(readRuntimeConfig(env).corpId).toBeUndefined();
  });
});
