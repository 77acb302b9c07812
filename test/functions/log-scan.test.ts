/**
 * The whole handler chain and the report handler, run through scenarios that carry members' mobiles
 * and email addresses in HTTP bodies and SQS records — successes, refusals, conflicts, WeCom faults, a
 * bug whose message quotes the request, a wrong secret — with every byte the process writes captured
 * at DEBUG level. No access_token, secret, robot key, mobile or email may appear in that output, nor
 * in any error answer or thrown error.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import type { Runtime } from '#shared/contracts.ts';
import { createOperationHandler } from '#shared/handler.ts';
import type { OperationId } from '#shared/operations.ts';
import { createReportHandler } from '#shared/report/handler.ts';
import { createRuntime } from '#shared/runtime.ts';
import { MemoryTokenStore } from '#shared/token/memory-store.ts';
import type { StoredToken } from '#shared/token/store.ts';
import { startGroupRobot } from '#test/report/group-robot.ts';
import { captureOutput } from '#test/report/output.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { describeThrown, personalData } from '#test/support/log-scan.ts';
import { routeEvent, sqsEvent, sqsRecord } from './support/events.ts';

// Everything the layer can write, DEBUG included; the suite's default level is SILENT. The level
// comes from the environment, as in Lambda: the logger middleware restores it at each invocation.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'demo' });
});
afterAll(() => sandbox.stop());

const SUBJECT = {
  userid: 'scan-subject',
  name: '扫描对象',
  mobile: '+86 13712345678',
  email: 'scan.subject@example.org',
  department: [2],
};
const WRONG_SECRET = 'wrong-secret-Zq81-handler-chain';

/** A runtime on the sandbox whose store remembers every token it was given. */
function scannedRuntime(secrets: { contact: string; app?: string }, issuedTokens: Set<string>): Runtime {
  const store = new MemoryTokenStore();
  const write = store.write.bind(store);
  store.write = (credential, record: StoredToken) => {
    issuedTokens.add(record.token);
    return write(credential, record);
  };
  return createRuntime({
    baseUrl: sandbox.url,
    corpId: sandbox.corpId,
    secrets,
    store,
  });
}

/** A WeCom client with a bug that quotes the request in its error, as careless code would. */
function buggy(runtime: Runtime): Runtime {
  return {
    credentialFor: (role) => runtime.credentialFor(role),
    client: {
      call: async (api, request) => {
        throw new TypeError(`cannot send ${api} for ${JSON.stringify(request)}`);
      },
    },
  };
}

it('writes no token, secret, mobile or email, whatever the handlers meet', async () => {
  const issuedTokens = new Set<string>();
  const runtime = scannedRuntime(
    { contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret },
    issuedTokens,
  );
  const handler = (id: OperationId, services: Runtime = runtime) =>
    createOperationHandler(id, { runtime: () => services });
  const answers: unknown[] = [];
  const errors: unknown[] = [];
  const invoke = async (id: OperationId, event: unknown, services?: Runtime) => {
    try {
      const answer = await handler(id, services)(event, fakeLambdaContext({ functionName: id }));
      // Successful reads answer with members' data by design; error answers must not.
      if (isErrorAnswer(answer)) answers.push(answer);
    } catch (error) {
      errors.push(error);
    }
  };
  const create = (body: object) => routeEvent('user-create', { body });
  const robot = await startGroupRobot();

  const output = captureOutput();
  try {
    await invoke('user-delete', { userid: SUBJECT.userid });
    await invoke('user-create', create(SUBJECT));
    await invoke('user-get', routeEvent('user-get', { pathParameters: { userid: SUBJECT.userid } }));
    await invoke('user-list', routeEvent('user-list', { pathParameters: { department_id: '2' } }));
    // Conflicts whose errmsg may echo the data, invalid input around it, over HTTP and SQS.
    await invoke('user-create', create({ ...SUBJECT, userid: 'scan-twin' }));
    await invoke('user-create', create({ ...SUBJECT, userid: 'scan-twin', mobile: '13912345678' }));
    await invoke('user-create', create({ ...SUBJECT, name: '', mobile: `${SUBJECT.mobile}x` }));
    await invoke(
      'user-update',
      routeEvent('user-update', { pathParameters: { userid: 'lisi' }, body: { email: SUBJECT.email } }),
    );
    sandbox.injectFault('user/create', { kind: 'errcode', errcode: -1 }, 3);
    await invoke(
      'user-create',
      sqsEvent(
        sqsRecord(JSON.stringify({ ...SUBJECT, userid: 'scan-busy' }), 'm-busy'),
        sqsRecord(JSON.stringify({ ...SUBJECT, userid: 'scan-twin' }), 'm-twin'),
      ),
    );
    await invoke(
      'user-create',
      sqsEvent(
        sqsRecord(JSON.stringify({ ...SUBJECT, userid: 'scan-twin' }), 'm-twin'),
        sqsRecord(`{"mobile":"${SUBJECT.mobile}","email":"${SUBJECT.email}"`, 'm-truncated'),
        sqsRecord(JSON.stringify({ ...SUBJECT, email: `${SUBJECT.email}>` }), 'm-invalid'),
      ),
    );
    await invoke('user-create', { ...SUBJECT, userid: 'scan-direct' }, buggy(runtime));
    await invoke('user-create', create({ ...SUBJECT, userid: 'scan-http-bug' }), buggy(runtime));
    // A wrong secret: WeCom refuses it (502), and the layer logs why.
    await invoke(
      'user-delete',
      { userid: 'zhangsan' },
      scannedRuntime({ contact: WRONG_SECRET }, issuedTokens),
    );
    // The report: a day, a refused back-fill, and a robot that fails.
    const report = createReportHandler({ runtime: () => runtime, webhookUrl: async () => robot.url });
    const reportContext = () => fakeLambdaContext({ functionName: 'active-stat-report' });
    await report({}, reportContext());
    answers.push(await report({ from: '2000-01-01', to: SUBJECT.email }, reportContext()));
    robot.answerWith(500, { errmsg: `invalid key ${robot.key}` });
    await report({}, reportContext());
    sandbox.injectFault('user/get_active_stat', { kind: 'errcode', errcode: 60011 }, 3);
    await report({}, reportContext()).catch((error: unknown) => errors.push(error));
    await invoke('user-batch-delete', { useridlist: [SUBJECT.userid] });
  } finally {
    output.restore();
    await robot.stop();
  }

  const logged = output.text();
  // The scenarios ran: lines of the chain, the client, the token provider and the report were captured.
  for (const line of [
    'Request refused',
    'SQS record',
    'Request failed: the service needs an operator',
    'Request failed',
    'WeCom exchange',
    'Active members not reported',
    'Report message not sent',
  ])
    expect(logged).toContain(line);
  expect(issuedTokens.size).toBeGreaterThanOrEqual(1);
  expect(answers.length).toBeGreaterThanOrEqual(5);
  expect(errors.length).toBeGreaterThanOrEqual(1);

  const forbidden = [
    ...issuedTokens,
    sandbox.contactSecret,
    ...sandbox.apps.map((app) => app.secret),
    WRONG_SECRET,
    robot.key,
    SUBJECT.mobile,
    '13712345678',
    '13912345678',
    SUBJECT.email,
    ...personalData(sandbox),
  ];
  const answered = JSON.stringify(answers);
  const thrown = errors.map(describeThrown).join('\n');
  for (const value of forbidden) {
    expect(logged, 'log output').not.toContain(value);
    expect(answered, 'error answers').not.toContain(value);
    expect(thrown, 'thrown errors').not.toContain(value);
  }
});

function isErrorAnswer(answer: unknown): boolean {
  if (typeof answer !== 'object' || answer === null) return false;
  if ('statusCode' in answer) return answer.statusCode !== 200;
  return 'batchItemFailures' in answer || 'refused' in answer;
}
