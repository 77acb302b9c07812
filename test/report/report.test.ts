/**
 * The report handler end to end: handler → layer runtime → undici → the WeCom sandbox over loopback,
 * with its output captured as Lambda would ship it (JSON log lines and EMF documents on stdout).
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Sandbox, startSandbox } from '#sandbox/index.ts';
import type { WeComClient } from '#shared/contracts.ts';
import { ReportFailedError } from '#shared/report/errors.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import {
  createReportHandler,
  type ReportHandlerOptions,
  type ReportOutcome,
} from '#shared/report/handler.ts';
import type { ReportResult } from '#shared/report/result.ts';
import { createRuntime, type LayerRuntime, resetRuntime, setRuntime } from '#shared/runtime.ts';
import { ENV } from '#shared/stage-names.ts';
import { startFaultyProxy } from '#test/robustness/support.ts';
import { type GroupRobot, refusingUrl, startGroupRobot } from './group-robot.ts';
import { type CapturedOutput, captureOutput } from './output.ts';

// These tests read the report's log lines; the suite's default level is SILENT. The level comes from
// the environment, as in Lambda: the logger middleware restores it at each invocation.
vi.hoisted(() => {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
});

/** 01:30 on 2026-03-02 in Beijing, still 2026-03-01 in UTC: "yesterday" is 2026-03-01. */
const NOW = Date.parse('2026-03-01T17:30:00Z');
const clock = () => NOW;

let sandbox: Sandbox;
let runtime: LayerRuntime;
let output: CapturedOutput;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'demo', clock });
  runtime = createRuntime({
    baseUrl: sandbox.url,
    corpId: sandbox.corpId,
    secrets: { contact: sandbox.contactSecret },
  });
  setRuntime(runtime);
});
afterAll(async () => {
  resetRuntime();
  await sandbox.stop();
});
beforeEach(() => {
  output = captureOutput();
});
afterEach(() => {
  output.restore();
  sandbox.clearFaults();
  sandbox.resetCounters();
});

/** What WeCom (the sandbox) answers for a day, asked directly. */
async function activeMembersOn(date: string): Promise<number> {
  const { active_cnt } = await runtime.client.call(
    'user/get_active_stat',
    { date },
    { credential: 'contact' },
  );
  return active_cnt;
}

const AWS_REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

function lambdaContext({ remainingMs }: { remainingMs: number }): Context {
  const name = REPORT_FUNCTION.id;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws-cn:lambda:cn-north-1:123456789012:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: AWS_REQUEST_ID,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: '2026/03/02/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

const activeStatCalls = () => sandbox.counters()['user/get_active_stat'] ?? 0;
const logLines = (message: string) => output.json().filter((line) => line.message === message);
const emfDocuments = () => output.json().filter((line) => '_aws' in line);

/** A run that was expected to report, not to be refused. */
function reported(outcome: ReportOutcome): ReportResult {
  if ('refused' in outcome) throw new Error(`The run was refused: ${outcome.refused.message}`);
  return outcome;
}

/** A handler on the fixed clock and the runtime set above (the deployed defaults otherwise). */
const rawReportHandler = (options: ReportHandlerOptions = {}) =>
  createReportHandler({ clock, webhookUrl: async () => undefined, ...options });

/** The same, for runs that report. */
const reportHandler =
  (options: ReportHandlerOptions = {}) =>
  async (event: unknown, context?: Context) =>
    reported(await rawReportHandler(options)(event, context));

describe('the active-member report', () => {
  it('reports yesterday in Beijing time by default, even when UTC is still on that day', async () => {
    const result = await reportHandler()({});
    const yesterday = await activeMembersOn('2026-03-01');
    const previousDay = await activeMembersOn('2026-02-28');
    const sevenDaysBefore = await activeMembersOn('2026-02-22');
    expect(result).toEqual({
      days: [
        {
          status: 'reported',
          date: '2026-03-01',
          activeMembers: yesterday,
          previousDay: { date: '2026-02-28', activeMembers: previousDay, change: yesterday - previousDay },
          sevenDaysBefore: {
            date: '2026-02-22',
            activeMembers: sevenDaysBefore,
            change: yesterday - sevenDaysBefore,
          },
          metric: 'emitted',
        },
      ],
      webhook: 'not-configured',
    });
  });

  it('writes one log line with the day’s figures', async () => {
    const { days } = await reportHandler()({ date: '2026-02-14' });
    expect(logLines('Active members')).toEqual([
      expect.objectContaining({ level: 'INFO', report: JSON.parse(JSON.stringify(days[0])) }),
    ]);
    expect(days).toEqual([
      expect.objectContaining({ date: '2026-02-14', activeMembers: await activeMembersOn('2026-02-14') }),
    ]);
  });

  it('emits the day as a valid EMF document, timestamped at noon of that day in Beijing', async () => {
    await reportHandler()({ date: '2026-02-28' });
    expect(emfDocuments()).toEqual([
      {
        _aws: {
          Timestamp: Date.parse('2026-02-28T12:00:00+08:00'),
          CloudWatchMetrics: [
            {
              Namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'WeComContact',
              Dimensions: [['service']],
              Metrics: [{ Name: 'ActiveMembers', Unit: 'Count' }],
            },
          ],
        },
        service: process.env.POWERTOOLS_SERVICE_NAME ?? 'wecom-contact',
        ActiveMembers: await activeMembersOn('2026-02-28'),
      },
    ]);
  });

  it('back-fills a range, asking WeCom once per date it needs', async () => {
    const { days } = await reportHandler()({ from: '2026-02-20', to: '2026-02-24' });
    expect(days.map((day) => [day.date, day.status])).toEqual([
      ['2026-02-20', 'reported'],
      ['2026-02-21', 'reported'],
      ['2026-02-22', 'reported'],
      ['2026-02-23', 'reported'],
      ['2026-02-24', 'reported'],
    ]);
    // 5 reported days + the day before the first + 5 days a week earlier.
    expect(activeStatCalls()).toBe(11);
    expect(emfDocuments().map((document) => (document._aws as { Timestamp: number }).Timestamp)).toEqual(
      ['20', '21', '22', '23', '24'].map((day) => Date.parse(`2026-02-${day}T12:00:00+08:00`)),
    );
  });

  it('logs but does not emit days older than CloudWatch accepts, and compares only within the window', async () => {
    const { days } = await reportHandler()({ from: '2026-01-31', to: '2026-02-01' });
    expect(days).toEqual([
      expect.objectContaining({
        date: '2026-01-31',
        metric: 'too-old-for-cloudwatch',
        previousDay: undefined,
      }),
      expect.objectContaining({
        date: '2026-02-01',
        metric: 'too-old-for-cloudwatch',
        previousDay: expect.objectContaining({ date: '2026-01-31' }),
        sevenDaysBefore: undefined,
      }),
    ]);
    expect(emfDocuments()).toEqual([]);
    expect(logLines('Active members')).toHaveLength(2);
  });

  it.each([[{ date: '2026-01-30' }], [{ date: '2026-03-02' }], [{ from: '2026-01-15', to: '2026-02-15' }]])(
    'refuses %j with a result, not an error (a retry could not help), before anything is sent to WeCom',
    async (event) => {
      const outcome = await rawReportHandler()(event, lambdaContext({ remainingMs: 60_000 }));

      expect(outcome).toEqual({
        refused: {
          message: expect.stringMatching(/^Invalid report input \(days that can be reported: /),
          issues: [expect.objectContaining({ message: expect.any(String) })],
        },
      });
      expect(activeStatCalls()).toBe(0);
      expect(logLines('Report run refused: invalid input')).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          function_request_id: AWS_REQUEST_ID,
          error: expect.objectContaining({ name: 'ValidationError' }),
        }),
      ]);
    },
  );

  it('still raises when WeCom fails, so that the asynchronous invoke retries the run', async () => {
    sandbox.injectFault('user/get_active_stat', { kind: 'errcode', errcode: 60011 }, 3);

    await expect(rawReportHandler()({ date: '2026-02-10' })).rejects.toBeInstanceOf(ReportFailedError);
  });

  it('survives a WeCom hiccup through the client’s retries', async () => {
    sandbox.injectFault('user/get_active_stat', { kind: 'errcode', errcode: -1 }, 1);
    const { days } = await reportHandler()({ date: '2026-02-10' });
    expect(days).toEqual([expect.objectContaining({ status: 'reported', date: '2026-02-10' })]);
  });

  it('fails only the day WeCom keeps failing in a back-fill, then raises an error that lists it', async () => {
    // Near the window's start each day asks WeCom for itself alone (its comparison days are cached or
    // out of the window), so the fault can be aimed at 2026-02-01: it outlasts the client's retries.
    const faultOn = (date: string): WeComClient => ({
      call: (api, request, options) => {
        if ('date' in request && request.date === date) {
          sandbox.injectFault('user/get_active_stat', { kind: 'errcode', errcode: -1 }, 3);
        }
        return runtime.client.call(api, request, options);
      },
    });
    const handler = reportHandler({
      runtime: () => ({ client: faultOn('2026-02-01'), credentialFor: runtime.credentialFor }),
    });

    const error = await handler({ from: '2026-01-31', to: '2026-02-02' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ReportFailedError);
    const failed = error as ReportFailedError;
    expect(failed.message).toBe('Active-member report failed for 1 of 3 day(s): 2026-02-01 (WeComError -1)');
    expect(failed.result.days.map((day) => [day.date, day.status])).toEqual([
      ['2026-01-31', 'reported'],
      ['2026-02-01', 'failed'],
      ['2026-02-02', 'reported'],
    ]);
    expect(failed.result.days[2]).toEqual(expect.objectContaining({ previousDay: undefined }));
    expect(activeStatCalls()).toBe(5); // 2026-02-01 asked three times: the call and its two retries
    expect(logLines('Active members')).toHaveLength(2);
    expect(logLines('Active members not reported')).toEqual([
      expect.objectContaining({ level: 'ERROR', report: expect.objectContaining({ date: '2026-02-01' }) }),
    ]);
  });

  it(`calls WeCom with the ${REPORT_FUNCTION.credential} credential, within the Lambda's remaining time`, async () => {
    const call = vi.fn(runtime.client.call);
    const handler = reportHandler({
      runtime: () => ({ client: { call }, credentialFor: runtime.credentialFor }),
    });
    const before = Date.now();
    await handler({ date: '2026-02-10' }, lambdaContext({ remainingMs: 60_000 }));
    const options = call.mock.calls.map(([, , callOptions]) => callOptions);
    expect(options).toHaveLength(3);
    for (const { credential, deadline } of options) {
      expect(credential).toBe('contact');
      expect(deadline).toBeGreaterThan(before);
      expect(deadline).toBeLessThan(Date.now() + 60_000);
    }
    expect(logLines('Active members')).toEqual([
      expect.objectContaining({ function_request_id: AWS_REQUEST_ID, function_name: REPORT_FUNCTION.id }),
    ]);
  });
});

describe('the group-robot message', () => {
  let robot: GroupRobot;
  beforeEach(async () => {
    robot = await startGroupRobot();
  });
  afterEach(() => robot.stop());

  const token = async () => {
    const query = new URLSearchParams({ corpid: sandbox.corpId, corpsecret: sandbox.contactSecret });
    const answer = (await (await fetch(`${sandbox.url}/cgi-bin/gettoken?${query}`)).json()) as {
      access_token: string;
    };
    return answer.access_token;
  };

  it('posts the day’s count and its changes as markdown, with no token or secret in it or in the logs', async () => {
    const result = await reportHandler({ webhookUrl: async () => robot.url })({});
    expect(result.webhook).toBe('sent');
    const [day] = result.days;
    if (day?.status !== 'reported') throw new Error('expected a reported day');

    expect(robot.received).toHaveLength(1);
    const { body } = robot.received[0] as { body: { msgtype: string; markdown: { content: string } } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('### 活跃成员日报 2026-03-01');
    expect(body.markdown.content).toContain(`**${day.activeMembers}**`);
    expect(body.markdown.content).toMatch(/较前一日：[+-]?\d+/);
    expect(body.markdown.content).toMatch(/较 7 天前：[+-]?\d+/);

    const everything = `${body.markdown.content}\n${output.text()}`;
    for (const secret of [await token(), sandbox.contactSecret, robot.key])
      expect(everything).not.toContain(secret);
  });

  it('sends one message for a whole back-fill', async () => {
    await reportHandler({ webhookUrl: async () => robot.url })({ from: '2026-02-20', to: '2026-02-22' });
    expect(robot.received).toHaveLength(1);
    const { body } = robot.received[0] as { body: { markdown: { content: string } } };
    expect(body.markdown.content.split('\n')).toHaveLength(4);
  });

  it('reads the webhook URL from the SecureString parameter the stack names', async () => {
    const ssm = mockClient(SSMClient);
    try {
      vi.stubEnv(ENV.reportWebhookParameter, '/wecom-contact/test/report/webhook-url');
      ssm
        .on(GetParameterCommand, { Name: '/wecom-contact/test/report/webhook-url', WithDecryption: true })
        .resolves({
          Parameter: { Value: robot.url },
        });
      const result = reported(await createReportHandler({ clock })({}));
      expect(result.webhook).toBe('sent');
      expect(robot.received).toHaveLength(1);
    } finally {
      ssm.restore();
    }
  });

  it('reads the parameter with a client tuned like the runtime’s: one retry, then the run goes on', async () => {
    const throttled = await startFaultyProxy('http://127.0.0.1:9', () => ({
      kind: 'answer',
      status: 400,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' },
      body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
    }));
    try {
      vi.stubEnv(ENV.reportWebhookParameter, '/wecom-contact/test/report/webhook-url');
      vi.stubEnv('AWS_ENDPOINT_URL_SSM', throttled.url);
      vi.stubEnv('AWS_REGION', 'cn-north-1');
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'example-secret-key');

      const result = reported(await createReportHandler({ clock })({}));

      // The SDK's default would be three attempts with backoff.
      expect(throttled.seen.answer).toBe(2);
      expect(result).toMatchObject({
        webhook: 'failed',
        days: [expect.objectContaining({ status: 'reported' })],
      });
      expect(logLines('Report message not sent')).toEqual([
        expect.objectContaining({ error: expect.objectContaining({ name: 'DependencyUnavailableError' }) }),
      ]);
    } finally {
      await throttled.stop();
    }
  });

  it.each([
    [
      'answers HTTP 500',
      async (robot: GroupRobot) => robot.answerWith(500, { message: 'oops' }) ?? robot.url,
    ],
    ['refuses the connection', async () => refusingUrl()],
  ])('keeps the metric and the log line when the robot %s', async (_, arrange) => {
    const url = await arrange(robot);
    const result = await reportHandler({ webhookUrl: async () => url })({});
    expect(result.webhook).toBe('failed');
    expect(result.days).toEqual([expect.objectContaining({ status: 'reported', metric: 'emitted' })]);
    expect(emfDocuments()).toHaveLength(1);
    expect(logLines('Active members')).toHaveLength(1);
    expect(logLines('Report message not sent')).toEqual([
      expect.objectContaining({ level: 'ERROR', error: expect.objectContaining({ name: 'WebhookError' }) }),
    ]);
    expect(output.text()).not.toContain('key=');
  });
});
