/**
 * Fleet simulation (counts, not times): N containers — each with its own SSM client, token provider,
 * undici agent and WeCom client — share one SSM (moto_server) and one WeCom (the sandbox), and a clock
 * the test moves. Design bar (design.md §4): with N = 50 meeting an expired token at once, gettoken
 * ≤ 2 and zero failed calls; SSM reads ≤ 1 per container per token lifetime on the warm path.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { ssmCredentialSource } from '#shared/credentials.ts';
import { parameterNames, type WeComClient } from '#shared/runtime-types.ts';
import { TokenProvider } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { createWeComClient } from '#shared/wecom/client.ts';
import { REAL_RETRY_ENVIRONMENT } from '#shared/wecom/retry.ts';
import { createTransport } from '#shared/wecom/transport.ts';
import { motoAvailable, useMoto } from '#test/support/moto.ts';
import { FakeClock, silenceLogs } from './helpers.ts';

const PREFIX = '/wecom-contact/fleet';
const FLEET_SIZE = 50;
const LIFETIME_MS = 7_200_000;

interface Container {
  client: WeComClient;
  store: SsmTokenStore;
  reads: () => number;
  close(): Promise<void>;
}

describe.skipIf(!motoAvailable())('a fleet of containers sharing SSM and WeCom', () => {
  const moto = useMoto();
  const clock = new FakeClock();
  let sandbox: Sandbox;
  let restoreLogs: () => void;
  const containers: Container[] = [];

  beforeAll(async () => {
    restoreLogs = await silenceLogs();
    sandbox = await startSandbox({ seed: 'demo', clock: clock.read });
  });
  afterEach(async () => {
    await Promise.all(containers.splice(0).map((container) => container.close()));
  });
  afterAll(async () => {
    await sandbox.stop();
    restoreLogs();
  });

  /** Puts the corp id and contact secret where the operator would: SSM parameters. */
  async function provisionSecrets() {
    const ssm = new SSMClient(moto.clientConfig());
    const names = parameterNames(PREFIX);
    await ssm.send(new PutParameterCommand({ Name: names.corpId, Value: sandbox.corpId, Type: 'String' }));
    await ssm.send(
      new PutParameterCommand({
        Name: names.secret('contact'),
        Value: sandbox.contactSecret,
        Type: 'SecureString',
      }),
    );
    ssm.destroy();
  }

  /** One "container": everything a Lambda container builds at module scope. */
  function startContainer(index: number): Container {
    const ssm = new SSMClient(moto.clientConfig());
    const agent = new Agent();
    let reads = 0;
    const store = new SsmTokenStore({ ssm, prefix: PREFIX });
    const read = store.read.bind(store);
    store.read = (credential) => {
      reads++;
      return read(credential);
    };
    const transport = createTransport({ baseUrl: sandbox.url, dispatcher: agent, clock: clock.read });
    const tokens = new TokenProvider({
      credentials: ssmCredentialSource({ ssm, prefix: PREFIX, names: ['contact'] }),
      transport,
      store,
      clock: clock.read,
      holderId: `container-${index}`,
    });
    const client = createWeComClient({
      transport,
      tokens,
      retryEnvironment: { ...REAL_RETRY_ENVIRONMENT, now: clock.read },
    });
    const container = {
      client,
      store,
      reads: () => reads,
      close: async () => {
        ssm.destroy();
        await agent.close();
      },
    };
    containers.push(container);
    return container;
  }

  async function fleet(size: number): Promise<Container[]> {
    await provisionSecrets();
    return Array.from({ length: size }, (_, index) => startContainer(index));
  }

  /** Every container makes one call at the same moment; the number that failed. */
  async function everyoneCalls(members: readonly Container[]): Promise<number> {
    const results = await Promise.allSettled(
      members.map(({ client }) => client.call('user/get', { userid: 'zhangsan' }, { credential: 'contact' })),
    );
    return results.filter((result) => result.status === 'rejected').length;
  }

  const gettokens = () => sandbox.counters().gettoken ?? 0;

  it(`${FLEET_SIZE} containers meeting an expired token at once: gettoken ≤ 2, no failed call`, async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    const members = await fleet(FLEET_SIZE);
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(gettokens()).toBeLessThanOrEqual(2); // a cold fleet, too

    clock.advance(LIFETIME_MS + 1_000);
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(gettokens()).toBeGreaterThanOrEqual(1);
    expect(gettokens()).toBeLessThanOrEqual(2);
  });

  it(`${FLEET_SIZE} containers whose token WeCom revoked early: gettoken ≤ 2, no failed call`, async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    const members = await fleet(FLEET_SIZE);
    expect(await everyoneCalls(members)).toBe(0);

    sandbox.revokeTokens();
    sandbox.resetCounters();
    expect(await everyoneCalls(members)).toBe(0);
    expect(gettokens()).toBeLessThanOrEqual(2);
  });

  it(`rotate mode (a new token per gettoken): no failed call, cold, expired or revoked`, async () => {
    sandbox.configure({ tokenMode: 'rotate' });
    const members = await fleet(FLEET_SIZE);
    expect(await everyoneCalls(members)).toBe(0);
    clock.advance(LIFETIME_MS + 1_000);
    expect(await everyoneCalls(members)).toBe(0);
    sandbox.revokeTokens();
    expect(await everyoneCalls(members)).toBe(0);
    expect(await everyoneCalls(members)).toBe(0);
  });

  it('a warm container reads SSM exactly once per token lifetime', async () => {
    sandbox.configure({ tokenMode: 'same-token' });
    const [refresher, warm] = await fleet(2);
    if (!refresher || !warm) throw new Error('fleet not started');
    const lifetimes = 4;
    for (let lifetime = 0; lifetime < lifetimes; lifetime++) {
      await everyoneCalls([refresher]);
      for (let call = 0; call < 20; call++) expect(await everyoneCalls([warm])).toBe(0);
      clock.advance(LIFETIME_MS);
    }
    expect(warm.reads()).toBe(lifetimes);
  });
});
