/**
 * What most measurements share: moto_server as SSM, the sandbox as WeCom in a process of its own, and
 * the stage's parameters put where the operator and the fleet would have put them: the corp id, the
 * contact secret, and a token already cached in SSM (the state a new container normally meets).
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { request } from 'undici';
import { credentialKey } from '#shared/credentials.ts';
import { ENV, parameterNames } from '#shared/stage-names.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { type Moto, startMoto } from '#test/support/moto.ts';
import { type ServerProcess, startServerProcess } from './processes.ts';

export const STAGE_PREFIX = '/wecom-contact/bench';

/** How long before its expiry the provider replaces a token by default (provider.ts). */
const REFRESH_MARGIN_MS = 300_000;

export interface BenchFixture {
  readonly moto: Moto;
  readonly sandbox: ServerProcess;
  /** A function's environment as the stack sets it, plus where the AWS SDK finds SSM (moto). */
  readonly lambdaEnvironment: Readonly<Record<string, string>>;
  /** The conventional function's environment (bench/conventional/function.ts), same SSM and WeCom. */
  readonly conventionalEnvironment: Readonly<Record<string, string>>;
  /** The raw WeCom request the user-get handler makes for `userid` (with the token cached in SSM). */
  userGetUrl(userid: string): string;
  close(): Promise<void>;
}

export async function startFixture(): Promise<BenchFixture> {
  const [motoStart, sandboxStart] = await Promise.allSettled([startMoto(), startServerProcess('sandbox')]);
  if (motoStart.status === 'rejected' || sandboxStart.status === 'rejected') {
    if (motoStart.status === 'fulfilled') await motoStart.value.stop();
    if (sandboxStart.status === 'fulfilled') await sandboxStart.value.stop();
    throw motoStart.status === 'rejected' ? motoStart.reason : (sandboxStart as PromiseRejectedResult).reason;
  }
  const [moto, sandbox] = [motoStart.value, sandboxStart.value];
  try {
    const { url, corpId, contactSecret } = sandbox.info;
    const token = await fetchToken(url, corpId, contactSecret);
    await provision(moto, corpId, contactSecret, token);
    const { region, credentials } = moto.clientConfig();
    const aws = {
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SSM: moto.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const names = parameterNames(STAGE_PREFIX);
    return {
      moto,
      sandbox,
      lambdaEnvironment: {
        [ENV.ssmPrefix]: STAGE_PREFIX,
        [ENV.credentials]: 'contact',
        [ENV.baseUrl]: url,
        ...aws,
      },
      conventionalEnvironment: {
        CORP_ID_PARAMETER: names.corpId,
        SECRET_PARAMETER: names.secret('contact'),
        WECOM_BASE_URL: url,
        ...aws,
      },
      userGetUrl: (userid) =>
        `${url}/cgi-bin/user/get?${new URLSearchParams({ access_token: token.access_token, userid })}`,
      close: async () => {
        await Promise.all([sandbox.stop(), moto.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([sandbox.stop(), moto.stop()]);
    throw error;
  }
}

interface Grant {
  readonly access_token: string;
  readonly expires_in: number;
  readonly requestedAt: number;
}

async function fetchToken(baseUrl: string, corpid: string, corpsecret: string): Promise<Grant> {
  const requestedAt = Date.now();
  const { body } = await request(
    `${baseUrl}/cgi-bin/gettoken?${new URLSearchParams({ corpid, corpsecret })}`,
  );
  const answer = (await body.json()) as { errcode: number; access_token?: string; expires_in?: number };
  if (answer.errcode !== 0 || answer.access_token === undefined || answer.expires_in === undefined) {
    throw new Error(`the sandbox refused gettoken (errcode ${answer.errcode})`);
  }
  return { access_token: answer.access_token, expires_in: answer.expires_in, requestedAt };
}

async function provision(moto: Moto, corpId: string, secret: string, grant: Grant): Promise<void> {
  const ssm = new SSMClient(moto.clientConfig());
  const names = parameterNames(STAGE_PREFIX);
  try {
    await ssm.send(new PutParameterCommand({ Name: names.corpId, Value: corpId, Type: 'String' }));
    await ssm.send(
      new PutParameterCommand({ Name: names.secret('contact'), Value: secret, Type: 'SecureString' }),
    );
    const expiresAt = grant.requestedAt + grant.expires_in * 1000;
    // Written through the layer's own store, so the record has exactly the shape containers read.
    await new SsmTokenStore({ ssm, prefix: STAGE_PREFIX }).write('contact', {
      key: credentialKey(corpId, secret),
      token: grant.access_token,
      expiresAt,
      refreshAt: expiresAt - REFRESH_MARGIN_MS,
    });
  } finally {
    ssm.destroy();
  }
}
