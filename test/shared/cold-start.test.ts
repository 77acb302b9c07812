/**
 * SSM round trips of a cold container (docs/tokens.md, "Cold start"): the corp id, the secret, the
 * token record and the lease come in one GetParameters, started when the runtime is built (in Lambda:
 * during init), so the first invocation finds it under way or done. Counted, not timed.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { ssmCredentialSource } from '#shared/credentials.ts';
import { runtimeFromConfig } from '#shared/runtime.ts';
import { TokenProvider } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { createWeComClient } from '#shared/wecom/client.ts';
import { createTransport } from '#shared/wecom/transport.ts';
import { motoAvailable, putStageParameters, useMoto } from '#test/support/moto.ts';
import { nextMacrotask, silenceLogs } from './helpers.ts';

const PREFIX = '/wecom-contact/cold';

describe.skipIf(!motoAvailable())('a cold container’s SSM round trips', () => {
  const moto = useMoto();
  let sandbox: Sandbox;
  let restoreLogs: () => void;
  beforeAll(async () => {
    restoreLogs = await silenceLogs();
    sandbox = await startSandbox({ seed: 'demo' });
  });
  afterAll(async () => {
    await sandbox.stop();
    restoreLogs();
  });

  /** An SSM client that lists the commands it sends. */
  function countingSsm(): { ssm: SSMClient; sent: string[] } {
    const ssm = new SSMClient(moto.clientConfig());
    const sent: string[] = [];
    ssm.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize' },
    );
    return { ssm, sent };
  }

  const config = () => ({ prefix: PREFIX, credentials: ['contact'] as const, baseUrl: sandbox.url });
  const read = { credential: 'contact', idempotent: true } as const;

  /** A stage whose fleet already holds a token (the usual cold start). */
  async function warmStage(): Promise<void> {
    await putStageParameters(moto, PREFIX, sandbox);
    const { ssm } = countingSsm();
    await runtimeFromConfig(config(), ssm).client.call('user/get', { userid: 'zhangsan' }, read);
    ssm.destroy();
  }

  it('before: credentials and token read apart, 2 round trips on the first call', async () => {
    await warmStage();
    const { ssm, sent } = countingSsm();
    const transport = createTransport({ baseUrl: sandbox.url });
    const tokens = new TokenProvider({
      credentials: ssmCredentialSource({ ssm, prefix: PREFIX, names: ['contact'] }),
      transport,
      store: new SsmTokenStore({ ssm, prefix: PREFIX }),
    });
    await createWeComClient({ transport, tokens }).call('user/get', { userid: 'zhangsan' }, read);
    expect(sent).toEqual(['GetParametersCommand', 'GetParametersCommand']);
    ssm.destroy();
  });

  it('now: one GetParameters, sent when the runtime is built, before the first call', async () => {
    await warmStage();
    sandbox.resetCounters();
    const { ssm, sent } = countingSsm();
    const runtime = runtimeFromConfig(config(), ssm);
    await nextMacrotask();
    expect(sent).toEqual(['GetParametersCommand']);
    await runtime.client.call('user/get', { userid: 'zhangsan' }, read);
    expect(sent).toEqual(['GetParametersCommand']);
    expect(sandbox.counters().gettoken).toBeUndefined(); // the fleet's token served it
    ssm.destroy();
  });

  it('a stage without a token yet: the same one read, then the lease and gettoken', async () => {
    await moto.reset();
    await putStageParameters(moto, PREFIX, sandbox);
    const { ssm, sent } = countingSsm();
    await runtimeFromConfig(config(), ssm).client.call('user/get', { userid: 'zhangsan' }, read);
    expect(sent[0]).toBe('GetParametersCommand');
    expect(sent.filter((command) => command === 'GetParametersCommand').length).toBe(2); // + the holder's re-read
    ssm.destroy();
  });
});
