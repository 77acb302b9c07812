/**
 * The deployable artefacts, as Lambda runs them: scripts/build.ts builds the layer and every function
 * into a Lambda-shaped folder (lambda-layout.ts), and each function answers real-shaped events in its
 * own child process ("container"), with the environment the stack sets, against the WeCom sandbox and
 * SSM in moto_server. One scenario walks a member's life through every function, the report included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WeComFunction } from '#cdk/constructs/wecom-function.ts';
import { type Sandbox, startSandbox } from '#sandbox/index.ts';
import { DOCTOR_FUNCTION } from '#shared/doctor/function.ts';
import { METRICS } from '#shared/metric-names.ts';
import type { OperationId } from '#shared/operations.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import { ENV } from '#shared/stage-names.ts';
import { KEYS as CALLBACK_KEYS } from '#test/callback/support.ts';
import { beijingYesterday } from '#test/functions/support/dates.ts';
import { type RouteEventOptions, routeEvent, sqsEvent, sqsRecord } from '#test/functions/support/events.ts';
import { type Moto, motoAvailable, putStageParameters, startMoto } from '#test/support/moto.ts';
import { STANDALONE_FUNCTION_IDS } from '../../scripts/build.ts';
import { FUNCTION_IDS, type FunctionId } from '../../shared/src/function-ids.ts';
import { logicalId, type Synthesized, synthesize } from '../cdk/synth.ts';
import { CONTACT_STAGE_CHECKS } from '../doctor/stage-checks.ts';
import {
  type ContainerRun,
  type LambdaLayout,
  lambdaNode,
  lambdaVariables,
  layOut,
  runContainer,
} from './lambda-layout.ts';

const node = lambdaNode();

const ZHANGSAN = { userid: 'zhangsan', name: '张三', mobile: '13800000001', department: [1] };
const LISI = { userid: 'lisi', name: '李四', email: 'lisi@example.com', department: [1] };
const WANGWU = { userid: 'wangwu', name: '王五', mobile: '13800000003', department: [1] };

interface HttpAnswer {
  status: number;
  body: Record<string, unknown>;
}

describe.skipIf(!motoAvailable())(`the built bundles in the Lambda layout, run by ${node.label}`, () => {
  let root: string;
  let layout: LambdaLayout;
  let sandbox: Sandbox;
  let moto: Moto;
  let environments: Map<FunctionId, Record<string, string>>;
  /** The daily figure as the dashboard shows it. */
  let activeMembersMetric: Metric;
  const containers: Array<{ id: FunctionId; run: ContainerRun }> = [];
  const answers: Record<string, HttpAnswer> = {};
  let queued: unknown;
  let report: unknown;
  let doctor: unknown;
  const yesterday = beijingYesterday();

  const environmentOf = (id: FunctionId): Record<string, string> => {
    const { endpoint, region, credentials } = moto.clientConfig();
    return {
      ...lambdaVariables(layout, id, layout.taskRoot(id)),
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      // What the stack sets (read from the synthesized template).
      ...environments.get(id),
      // Where this test puts WeCom and SSM.
      WECOM_BASE_URL: sandbox.url,
      AWS_ENDPOINT_URL_SSM: endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // The doctor's queues are references the template resolves at deployment; SQS is not in this layout.
      ...(id === DOCTOR_FUNCTION.id ? { [ENV.doctorDeadLetterQueues]: '[]' } : {}),
    };
  };

  /** One fresh container of `id` answering `events` in order. */
  async function invoke(id: FunctionId, events: unknown[]): Promise<unknown[]> {
    const run = await runContainer({ node, taskRoot: layout.taskRoot(id), env: environmentOf(id), events });
    containers.push({ id, run });
    if (!run.results) throw new Error(`${id} did not load: ${run.loadError?.message}\n${run.output}`);
    return run.results.map((result) => ('value' in result ? result.value : result));
  }

  /** Sends each named request to the operation's function over its HTTP route; keeps the answers by name. */
  async function http(id: OperationId, requests: Record<string, RouteEventOptions>): Promise<void> {
    const results = await invoke(
      id,
      Object.values(requests).map((options) => routeEvent(id, options)),
    );
    Object.keys(requests).forEach((name, index) => {
      const { statusCode, body } = results[index] as { statusCode: number; body: string };
      answers[name] = { status: statusCode, body: JSON.parse(body) };
    });
  }

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wecom-contact-lambda-'));
    layout = await layOut(root);
    const synthesized = synthesize();
    environments = stackEnvironments(synthesized);
    activeMembersMetric = synthesized.stack.report.metricActiveMembers();
    [sandbox, moto] = await Promise.all([startSandbox({ seed: 'empty' }), startMoto()]);
    const prefix = environments.get(REPORT_FUNCTION.id)?.[ENV.ssmPrefix] ?? '';
    await putStageParameters(moto, prefix, { ...sandbox, callback: CALLBACK_KEYS });

    // A member's life, one container per step.
    await http('user-create', {
      created: { body: ZHANGSAN },
      createdSecond: { body: LISI },
      duplicate: { body: ZHANGSAN },
      invalid: { body: { userid: 'wangwu' } },
    });
    [queued] = await invoke('user-create', [sqsEvent(sqsRecord(JSON.stringify(WANGWU), 'message-1'))]);
    sandbox.directory.setStatus('zhangsan', 1); // joins WeCom with WeChat: only then has an openid
    await http('user-get', {
      read: { pathParameters: { userid: 'zhangsan' } },
      unknown: { pathParameters: { userid: 'nobody' } },
    });
    await http('user-update', {
      updated: { pathParameters: { userid: 'zhangsan' }, body: { position: '工程师' } },
    });
    await http('user-simple-list', { simpleList: { pathParameters: { department_id: '1' } } });
    await http('user-list', { detailedList: { pathParameters: { department_id: '1' } } });
    await http('user-convert-to-openid', { openid: { pathParameters: { userid: 'zhangsan' } } });
    await http('user-convert-to-userid', {
      userid: { pathParameters: { openid: String(answers.openid?.body.openid) } },
    });
    await http('user-auth-succ', { authSucc: { pathParameters: { userid: 'zhangsan' } } });
    await http('user-invite', { invited: { body: { user: ['lisi'] } } });
    await http('user-join-qrcode', { qrcode: { query: { size_type: '2' } } });
    await http('user-active-stat', { activeStat: { query: { date: yesterday } } });
    await http('user-get-userid', {
      byMobile: { body: { mobile: ZHANGSAN.mobile } },
      missByMobile: { body: { mobile: '13800000999' } },
    });
    await http('user-get-userid-by-email', { byEmail: { body: { email: LISI.email, email_type: 2 } } });
    await http('user-list-id', { idPage: { query: { limit: '2' } } });
    [report] = await invoke(REPORT_FUNCTION.id, [{}]);
    [doctor] = await invoke(DOCTOR_FUNCTION.id, [{}]);
    await http('user-delete', { deleted: { pathParameters: { userid: 'zhangsan' } } });
    await http('user-batch-delete', { batchDeleted: { body: { useridlist: ['lisi', 'wangwu'] } } });
    await http('user-get', { afterDelete: { pathParameters: { userid: 'zhangsan' } } });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([sandbox?.stop(), moto?.stop()]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it(`runs every function, each in its own container, under ${node.label}`, () => {
    const ran = new Set(containers.map(({ id }) => id));
    // Every function that runs on the layer (the standalone callback has its own tests).
    const onTheLayer = FUNCTION_IDS.filter((id) => !STANDALONE_FUNCTION_IDS.has(id));
    expect([...ran].sort()).toEqual(onTheLayer.sort());
    const expectedMajor = node.path === process.execPath ? process.version.split('.')[0] : 'v24';
    for (const { run } of containers) {
      expect(run.node.split('.')[0]).toBe(expectedMajor);
      expect(run.layerResolution).toBe(node.layerResolution);
    }
  });

  it('never loads Node’s own undici next to the layer’s, nor web streams (cold-start costs for nothing)', () => {
    expect(containers.map(({ id, run }) => [id, run.needlessModules])).toEqual(
      containers.map(({ id }) => [id, []]),
    );
  });

  it('finds the layer package only through Lambda’s NODE_PATH resolution', async () => {
    const run = await runContainer({
      node,
      taskRoot: layout.taskRoot('user-get'),
      env: environmentOf('user-get'),
      events: [],
      layerResolution: false,
    });
    expect(run.layerResolution).toBe('none');
    expect(run.loadError).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    expect(run.loadError?.message).toContain('@wecom-contact/layer');
  });

  it('creates, reads, updates, lists, converts, verifies, invites and deletes members over HTTP', () => {
    expect(answers.created).toEqual({
      status: 200,
      body: expect.objectContaining({ errcode: 0, errmsg: 'created' }),
    });
    expect(answers.createdSecond?.status).toBe(200);
    expect(answers.read).toEqual({
      status: 200,
      body: expect.objectContaining({ userid: 'zhangsan', name: '张三' }),
    });
    expect(answers.updated).toEqual({
      status: 200,
      body: expect.objectContaining({ errcode: 0, errmsg: 'updated' }),
    });
    const userids = (answer: HttpAnswer | undefined) =>
      (answer?.body.userlist as Array<{ userid: string }> | undefined)?.map(({ userid }) => userid).sort();
    expect(userids(answers.simpleList)).toEqual(['lisi', 'wangwu', 'zhangsan']);
    expect(answers.detailedList?.body.userlist).toContainEqual(
      expect.objectContaining({ userid: 'zhangsan', position: '工程师' }),
    );
    expect(answers.openid?.body.openid).toEqual(expect.any(String));
    expect(answers.userid).toEqual({ status: 200, body: expect.objectContaining({ userid: 'zhangsan' }) });
    expect(answers.authSucc?.status).toBe(200);
    expect(answers.invited).toEqual({ status: 200, body: expect.objectContaining({ errcode: 0 }) });
    expect(answers.qrcode?.body.join_qrcode).toEqual(expect.any(String));
    expect(answers.activeStat?.body.active_cnt).toEqual(expect.any(Number));
    expect(answers.byMobile).toEqual({ status: 200, body: expect.objectContaining({ userid: 'zhangsan' }) });
    expect(answers.byEmail).toEqual({ status: 200, body: expect.objectContaining({ userid: 'lisi' }) });
    expect(answers.idPage?.body).toMatchObject({
      next_cursor: expect.any(String),
      dept_user: [
        { userid: 'zhangsan', department: 1 },
        { userid: 'lisi', department: 1 },
      ],
    });
    expect(answers.deleted).toEqual({ status: 200, body: expect.objectContaining({ errmsg: 'deleted' }) });
    expect(answers.batchDeleted).toEqual({
      status: 200,
      body: expect.objectContaining({ errmsg: 'deleted' }),
    });
    expect(sandbox.directory.members().map(({ userid }) => userid)).not.toContain('zhangsan');
  });

  it('maps WeCom errors and invalid input to HTTP statuses', () => {
    expect(answers.duplicate?.status).toBe(409);
    expect(answers.duplicate?.body).toMatchObject({ errcode: 60102 });
    expect(answers.invalid?.status).toBe(400);
    // zod's own English message, from the layer whose other locales the build leaves out.
    expect(JSON.stringify(answers.invalid?.body)).toContain('Invalid input: expected string');
    expect(answers.unknown?.status).toBe(404);
    expect(answers.missByMobile).toMatchObject({ status: 404, body: { errcode: 46004 } });
    expect(answers.afterDelete?.status).toBe(404);
  });

  it('takes an SQS batch with partial batch responses, and runs the report on the schedule’s empty event', () => {
    expect(queued).toEqual({ batchItemFailures: [] });
    expect(sandbox.directory.member('wangwu')).toBeUndefined(); // created from the queue, then batch-deleted
    expect(report).toMatchObject({
      days: [{ date: yesterday, status: 'reported', activeMembers: expect.any(Number) }],
      webhook: 'not-configured',
    });
  });

  it('runs the doctor on the stage: every check ok, through the same SSM and token', () => {
    expect(doctor).toMatchObject({ ok: true, prefix: environmentOf(DOCTOR_FUNCTION.id)[ENV.ssmPrefix] });
    expect((doctor as { checks: Array<{ check: string }> }).checks.map(({ check }) => check)).toEqual(
      CONTACT_STAGE_CHECKS,
    );
  });

  it('emits the daily figure as the EMF metric the dashboard shows', () => {
    const reportOutput = containers.find(({ id }) => id === REPORT_FUNCTION.id)?.run.output ?? '';
    const emf = reportOutput
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as unknown);
    const shown = activeMembersMetric.toMetricConfig().metricStat;
    expect(emf).toContainEqual(
      expect.objectContaining({
        _aws: expect.objectContaining({
          CloudWatchMetrics: [
            {
              Namespace: shown?.namespace,
              Dimensions: [['service']],
              Metrics: [expect.objectContaining({ Name: shown?.metricName })],
            },
          ],
        }),
        service: shown?.dimensions?.[0]?.value,
      }),
    );
  });

  it('counts the lookup that missed as one LookupMisses EMF metric', () => {
    const lookupOutput = containers.find(({ id }) => id === 'user-get-userid')?.run.output ?? '';
    const misses = lookupOutput
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((document) => METRICS.lookupMisses in document);
    expect(misses).toEqual([expect.objectContaining({ [METRICS.lookupMisses]: 1 })]);
  });

  it('shares one access_token across every container through SSM', () => {
    expect(sandbox.counters().gettoken).toBe(1);
  });

  it('logs JSON lines only, with neither the secret nor a member’s mobile or e-mail', () => {
    const output = containers.map(({ run }) => run.output).join('');
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    for (const secret of [sandbox.contactSecret, ZHANGSAN.mobile, WANGWU.mobile, LISI.email]) {
      expect(output).not.toContain(secret);
    }
  });
});

/** Each function's environment as the stack sets it, with what Lambda derives from its configuration. */
function stackEnvironments({ stack, resources }: Synthesized): Map<FunctionId, Record<string, string>> {
  const functions = new Map<FunctionId, WeComFunction>([
    ...stack.functions,
    [REPORT_FUNCTION.id, stack.report.reporter],
    [DOCTOR_FUNCTION.id, stack.doctor.doctor],
  ]);
  return new Map(
    [...functions].map(([id, fn]) => {
      const properties = resources[logicalId(fn.function)]?.Properties as {
        Environment: { Variables: Record<string, string> };
        MemorySize: number;
        Timeout: number;
        LoggingConfig: { LogFormat: string; ApplicationLogLevel: string };
      };
      return [
        id,
        {
          ...properties.Environment.Variables,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(properties.MemorySize),
          AWS_LAMBDA_FUNCTION_TIMEOUT: String(properties.Timeout),
          AWS_LAMBDA_LOG_FORMAT: properties.LoggingConfig.LogFormat,
          AWS_LAMBDA_LOG_LEVEL: properties.LoggingConfig.ApplicationLogLevel,
        },
      ];
    }),
  );
}
