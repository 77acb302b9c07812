/**
 * The deployed doctor handler (functions/doctor.ts) with the environment the stack sets, against SSM
 * and SQS in moto and WeCom in the sandbox: the parameters are found by presence, the token goes
 * through the SSM token store, and the dead-letter queues' depth comes from SQS.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { createDoctorHandler } from '#shared/doctor/handler.ts';
import type { DoctorReport } from '#shared/doctor/report.ts';
import { parameterNames } from '#shared/stage-names.ts';
import { KEYS } from '#test/callback/support.ts';
import { CONTACT_STAGE_CHECKS } from '#test/doctor/stage-checks.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { motoAvailable, putStageParameters, useMoto } from '#test/support/moto.ts';

const PREFIX = '/wecom-contact/doctor';

describe.skipIf(!motoAvailable())('the doctor function, deployed', () => {
  const moto = useMoto();
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo' });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    const { endpoint, region, credentials } = moto.clientConfig();
    vi.stubEnv('AWS_ENDPOINT_URL_SSM', endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', endpoint);
    vi.stubEnv('AWS_REGION', region);
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    return () => vi.unstubAllEnvs();
  });

  /** Two dead-letter queues as the stack passes them; `waiting` messages in the second. */
  async function deadLetterQueues(waiting: number) {
    const sqs = new SQSClient(moto.clientConfig());
    const queues = [];
    for (const name of ['user-create', 'user-invite']) {
      const { QueueUrl: url = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
      );
      queues.push({ name, url, arn: Attributes?.QueueArn ?? '' });
    }
    for (let index = 0; index < waiting; index += 1) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queues[1]?.url, MessageBody: '{"user":["lisi"]}' }));
    }
    sqs.destroy();
    return queues;
  }

  const doctor = async (queues: unknown[]): Promise<DoctorReport> =>
    createDoctorHandler({
      WECOM_SSM_PREFIX: PREFIX,
      WECOM_CREDENTIALS: 'contact',
      WECOM_BASE_URL: sandbox.url,
      WECOM_DOCTOR_DEAD_LETTER_QUEUES: JSON.stringify(queues),
    })({}, fakeLambdaContext({ functionName: 'doctor', timeoutMs: 60_000 }));

  it('passes on a stage whose operator put the corp id and secret, and whose queues are empty', async () => {
    await putStageParameters(moto, PREFIX, { ...sandbox, callback: KEYS });

    const report = await doctor(await deadLetterQueues(0));

    expect(report.checks.filter(({ status }) => status !== 'ok')).toEqual([]);
    expect(report.checks.map(({ check }) => check)).toEqual([
      ...CONTACT_STAGE_CHECKS,
      'dead-letters:user-create',
      'dead-letters:user-invite',
    ]);
  });

  it('names the missing secret and the dead letters waiting', async () => {
    const report = await doctor(await deadLetterQueues(2));
    const fixes = Object.fromEntries(
      report.checks.filter(({ status }) => status === 'fix').map(({ check, fix }) => [check, fix]),
    );

    expect(Object.keys(fixes)).toEqual([
      'corp-id',
      'secret:contact',
      'callback:token',
      'callback:aes-key',
      'dead-letters:user-invite',
    ]);
    expect(fixes['callback:token']).toContain(`--name '${PREFIX}/callback/token' --type SecureString`);
    expect(fixes['secret:contact']).toContain(`--name '${parameterNames(PREFIX).secret('contact')}'`);
    expect(fixes['dead-letters:user-invite']).toContain('start-message-move-task');
  });
});
