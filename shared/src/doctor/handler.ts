/**
 * The `doctor` function (docs/operations.md, "Doctor"): runs the checks from inside the stage, with the
 * functions' own configuration, role and network path (so a trusted-IP refusal shows here exactly as it
 * would for a request). Invoke it with `npm run doctor -- --stage <stage>` or `aws lambda invoke`; it
 * answers the report and logs one line per check. It changes nothing but the stage's cached token.
 */
import { createRequire } from 'node:module';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { callbackParameterNames } from '../callback/secrets.ts';
import { optionalEnv } from '../config.ts';
import { ConfigurationError } from '../errors.ts';
import { logger } from '../observability.ts';
import { createSsmClient, readRuntimeConfig, runtimeFromConfig } from '../runtime.ts';
import { ENV } from '../stage-names.ts';
import { type DeadLetterQueue, type DoctorSetup, runDoctor } from './checks.ts';
import type { DoctorReport } from './report.ts';

/** Time kept back from the invocation's remaining time, to log and answer. */
const MARGIN_MS = 2_000;
/** A check's deadline outside Lambda. */
const LOCAL_CHECK_MS = 10_000;

export type DoctorHandler = (event?: unknown, context?: Context) => Promise<DoctorReport>;

type Environment = Readonly<Record<string, string | undefined>>;

export function createDoctorHandler(env: Environment = process.env): DoctorHandler {
  return async (_event, context) => {
    const deadline = () =>
      Date.now() + (context ? context.getRemainingTimeInMillis() - MARGIN_MS : LOCAL_CHECK_MS);
    const report = await runDoctor(setupFromEnvironment(env, deadline));
    for (const { check, status, detail } of report.checks) {
      logger[status === 'fix' ? 'warn' : 'info']('Doctor check', { check, status, detail });
    }
    return report;
  };
}

/** The deployed setup: parameters and tokens in SSM, the queues the stack named. */
export function setupFromEnvironment(env: Environment, deadline: () => number): DoctorSetup {
  // A fresh runtime per run (what the operator fixed since the last run is read again), on one
  // configuration and one SSM client.
  const config = readRuntimeConfig(env);
  const ssm = createSsmClient();
  const runtime = runtimeFromConfig(config, ssm);
  return {
    prefix: config.prefix,
    credentials: config.credentials,
    corpId: config.corpId,
    missingParameters: async (names) => {
      // Presence only: no decryption, so the values never enter this check.
      const answer = await ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: false }));
      return answer.InvalidParameters ?? [];
    },
    tokens: runtime.tokens,
    client: runtime.client,
    webhookParameter: optionalEnv(ENV.reportWebhookParameter, env),
    otherSecrets: callbackSecrets(config.prefix),
    deadLetterQueues: deadLetterQueuesFrom(env),
    queueDepth: sqsQueueDepth(),
    deadline,
  };
}

/** The contact callback's parameters (docs/events.md): the stack deploys the callback route always. */
function callbackSecrets(prefix: string) {
  const names = callbackParameterNames(prefix);
  return [
    { check: 'callback:token', name: names.token, value: 'the callback Token' },
    { check: 'callback:aes-key', name: names.encodingAesKey, value: 'the callback EncodingAESKey' },
  ];
}

function deadLetterQueuesFrom(env: Environment): DeadLetterQueue[] {
  const raw = optionalEnv(ENV.doctorDeadLetterQueues, env);
  if (raw === undefined) return [];
  try {
    return JSON.parse(raw) as DeadLetterQueue[];
  } catch {
    throw new ConfigurationError(`${ENV.doctorDeadLetterQueues} is not JSON`);
  }
}

type SqsModule = typeof import('@aws-sdk/client-sqs');

/**
 * The SQS client comes from the Lambda runtime's own AWS SDK (on NODE_PATH, hence `require`), not from
 * the layer: one GetQueueAttributes call of an operator tool does not justify parsing an SQS client on
 * every function's cold start.
 */
function sqsQueueDepth(): (queue: DeadLetterQueue) => Promise<number> {
  let client: InstanceType<SqsModule['SQSClient']> | undefined;
  let sqs: SqsModule | undefined;
  return async ({ url }) => {
    sqs ??= createRequire(import.meta.url)('@aws-sdk/client-sqs') as SqsModule;
    client ??= new sqs.SQSClient({});
    const { Attributes } = await client.send(
      new sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  };
}
