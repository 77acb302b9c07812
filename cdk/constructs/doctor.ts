/**
 * The doctor (docs/operations.md, "Doctor"): a function of the stage, in its network path and with its
 * credentials, that an operator invokes after a deployment. It may read what the endpoints read (corp
 * id, secrets, tokens), see whether the webhook parameter exists and read the dead-letter queues' depth;
 * nothing else. Its outputs are the commands to run it.
 */
import { Aws, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { callbackParameterNames } from '#shared/callback/secrets.ts';
import type { CredentialName } from '#shared/credential-roles.ts';
import { DOCTOR_FUNCTION } from '#shared/doctor/function.ts';
import { ENV } from '#shared/stage-names.ts';
import { type FunctionDefaults, WeComFunction } from './wecom-function.ts';

export interface DoctorProps {
  /**
   * The stage name, in the `npm run doctor` command it outputs.
   * @example 'prod'
   */
  readonly stage: string;
  readonly defaults: FunctionDefaults;
  /**
   * Every credential the stage configures: each gets a token check and a call.
   * @example ['contact', 'app']
   */
  readonly credentials: readonly CredentialName[];
  /**
   * The report's webhook is enabled: check that its parameter exists.
   * @example true
   */
  readonly webhook: boolean;
  /**
   * Dead-letter queues by what they hold the failures of (a function id).
   * @example new Map([['user-create', createQueue.deadLetterQueue]])
   */
  readonly deadLetterQueues: ReadonlyMap<string, IQueue>;
}

export class Doctor extends Construct {
  readonly doctor: WeComFunction;

  constructor(scope: Construct, id: string, props: DoctorProps) {
    super(scope, id);
    const { parameters } = props.defaults;
    const queues = [...props.deadLetterQueues].map(([name, queue]) => ({
      name,
      url: queue.queueUrl,
      arn: queue.queueArn,
    }));
    this.doctor = new WeComFunction(this, 'Function', {
      functionId: DOCTOR_FUNCTION.id,
      description: DOCTOR_FUNCTION.summary,
      credentials: props.credentials,
      defaults: props.defaults,
      environment: {
        [ENV.doctorDeadLetterQueues]: Stack.of(this).toJsonString(queues),
        ...(props.webhook ? { [ENV.reportWebhookParameter]: parameters.names.reportWebhookUrl } : {}),
      },
      // A token and one call per credential, each with the client's retries.
      timeout: Duration.minutes(1),
    });
    const callback = callbackParameterNames(parameters.prefix);
    parameters.grantPresence(this.doctor.role, [
      callback.token,
      callback.encodingAesKey,
      ...(props.webhook ? [parameters.names.reportWebhookUrl] : []),
    ]);
    for (const queue of props.deadLetterQueues.values())
      queue.grant(this.doctor.role, 'sqs:GetQueueAttributes');

    const functionName = this.doctor.function.functionName;
    new CfnOutput(scope, 'DoctorFunctionName', {
      value: functionName,
      description: 'The doctor: aws lambda invoke --function-name <this> doctor.json',
    });
    new CfnOutput(scope, 'DoctorCommand', {
      value: `npm run doctor -- --stage ${props.stage} --region ${Aws.REGION}`,
      description: 'Check this deployment now (docs/operations.md, Doctor)',
    });
  }
}
