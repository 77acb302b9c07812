/**
 * Runs the client's scenarios against the sandbox with every log line captured at DEBUG level — and
 * the failures logged the way a handler logs them — then asserts that no access_token, secret, mobile
 * number or e-mail address of the scenario appears anywhere in the output or in the errors.
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import type { WeComClient } from '#shared/contracts.ts';
import { logger } from '#shared/observability.ts';
import { createRuntime } from '#shared/runtime.ts';
import { MemoryTokenStore } from '#shared/token/memory-store.ts';
import type { StoredToken } from '#shared/token/store.ts';
import { describeThrown, personalData } from '#test/support/log-scan.ts';
import { captureOutput } from './helpers.ts';

let sandbox: Sandbox;
let agent: Agent;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'demo' });
  agent = new Agent();
});
afterAll(async () => {
  await agent.close();
  await sandbox.stop();
});

const NEW_MEMBER = {
  userid: 'scan-subject',
  name: '扫描对象',
  mobile: '+86 13712345678',
  email: 'scan.subject@example.org',
  department: [2],
};

it('logs no token, secret, mobile or email from a full run of scenarios', async () => {
  const issuedTokens = new Set<string>();
  const store = new MemoryTokenStore();
  const write = store.write.bind(store);
  store.write = (credential, record: StoredToken) => {
    issuedTokens.add(record.token);
    return write(credential, record);
  };
  // A second container whose store is down: degraded-mode warnings carry the store's errors.
  const brokenStore = new MemoryTokenStore();
  brokenStore.read = async () => {
    throw new Error(`SSM unreachable while reading for ${sandbox.contactSecret}`);
  };
  const secrets = { contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret ?? '' };
  const containers = [store, brokenStore].map(
    (tokenStore) =>
      createRuntime({
        baseUrl: sandbox.url,
        corpId: sandbox.corpId,
        secrets,
        store: tokenStore,
        dispatcher: agent,
      }).client,
  );
  const misconfigured = createRuntime({
    baseUrl: sandbox.url,
    corpId: sandbox.corpId,
    secrets: { contact: 'wrong-secret-Zq81' },
    dispatcher: agent,
  }).client;

  const errors: unknown[] = [];
  const output = captureOutput();
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  try {
    for (const client of containers) await runScenarios(client, errors);
    await misconfigured
      .call('user/get', { userid: 'zhangsan' }, { credential: 'contact' })
      .catch((error) => errors.push(error));
    for (const error of errors) logger.error('WeCom call failed', { error });
  } finally {
    logger.setLogLevel(level);
    output.restore();
  }

  const forbidden = [
    ...issuedTokens,
    sandbox.contactSecret,
    secrets.app,
    'wrong-secret-Zq81',
    ...personalData(sandbox),
    NEW_MEMBER.mobile,
    '13712345678',
    NEW_MEMBER.email,
  ].filter((value) => value !== '');
  expect(issuedTokens.size).toBeGreaterThanOrEqual(2);
  expect(errors.length).toBeGreaterThanOrEqual(4);

  const logged = output.text();
  expect(logged).toContain('WeCom exchange'); // the capture did see the client's log lines
  const thrown = errors.map(describeThrown).join('\n');
  for (const value of forbidden) {
    expect(logged, 'log output').not.toContain(value);
    expect(thrown, 'errors').not.toContain(value);
  }
});

async function runScenarios(client: WeComClient, errors: unknown[]): Promise<void> {
  const attempt = (promise: Promise<unknown>) => promise.catch((error: unknown) => errors.push(error));
  sandbox.clearFaults();
  await attempt(client.call('user/delete', { userid: NEW_MEMBER.userid }, { credential: 'contact' }));
  await client.call('user/create', NEW_MEMBER, { credential: 'contact' });
  await client.call('user/get', { userid: NEW_MEMBER.userid }, { credential: 'app' });
  await client.call('user/list', { department_id: 1 }, { credential: 'app' });
  // Conflicts whose errmsg may echo the data: the same mobile and email again.
  await attempt(
    client.call('user/create', { ...NEW_MEMBER, userid: 'scan-twin' }, { credential: 'contact' }),
  );
  await attempt(
    client.call('user/update', { userid: 'lisi', email: NEW_MEMBER.email }, { credential: 'contact' }),
  );
  // Faults: busy, reset, rate limited, revoked token.
  sandbox.injectFault('user/get', { kind: 'errcode', errcode: -1 });
  sandbox.injectFault('user/list', { kind: 'reset' });
  await client.call('user/get', { userid: 'zhangsan' }, { credential: 'app', idempotent: true });
  await client.call('user/list', { department_id: 2 }, { credential: 'app', idempotent: true });
  sandbox.injectFault('user/simplelist', { kind: 'errcode', errcode: 45009 });
  await attempt(client.call('user/simplelist', { department_id: 1 }, { credential: 'app' }));
  sandbox.revokeTokens();
  await client.call('user/get', { userid: 'lisi' }, { credential: 'contact' });
  await client.call('user/batchdelete', { useridlist: [NEW_MEMBER.userid] }, { credential: 'contact' });
}
