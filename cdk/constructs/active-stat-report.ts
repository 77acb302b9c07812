/**
 * The daily active-member report (docs/architecture.md §7): the report function, its EventBridge Scheduler
 * schedule in Beijing time, and a dead-letter queue for runs that failed for good. Only this function
 * may read the group-robot webhook parameter.
 */
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '#shared/metric-names.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import { ENV } from '#shared/stage-names.ts';
import { type FunctionDefaults, WeComFunction } from './wecom-function.ts';
import { deadLetterQueue } from './write-queue.ts';

export interface ActiveStatReportProps {
  readonly defaults: FunctionDefaults;
  /**
   * A Scheduler `cron(…)` or `rate(…)` expression, read in Asia/Shanghai time.
   * @example 'cron(0 9 * * ? *)' (09:00 Beijing)
   */
  readonly schedule: string;
  /**
   * The webhook URL parameter is configured: post the report to that group robot.
   * @example true
   */
  readonly webhook: boolean;
}

/**
 * Retries. Scheduler retries its delivery of the event to Lambda (throttling, service errors); Lambda
 * runs the event asynchronously and retries a run that raised, a minute and then two later (WeCom
 * busy, network). Both give up into the same dead-letter queue, which an alarm watches.
 */
const DELIVERY_RETRIES = 3;
const RUN_RETRIES = 2;
/** A report older than this is not worth delivering late: the next day's run comes soon after. */
const MAX_EVENT_AGE = Duration.hours(6);

export class ActiveStatReport extends Construct {
  readonly reporter: WeComFunction;
  readonly schedule: Schedule;
  readonly deadLetterQueue: Queue;
  private readonly defaults: FunctionDefaults;

  constructor(scope: Construct, id: string, props: ActiveStatReportProps) {
    super(scope, id);
    this.defaults = props.defaults;
    const { parameters } = props.defaults;
    this.reporter = new WeComFunction(this, 'Reporter', {
      functionId: REPORT_FUNCTION.id,
      description: REPORT_FUNCTION.summary,
      credentials: [REPORT_FUNCTION.credential],
      defaults: props.defaults,
      environment: props.webhook ? { [ENV.reportWebhookParameter]: parameters.names.reportWebhookUrl } : {},
      // A back-fill of WeCom's whole 30-day window is 30 calls (each with its retries) and one message.
      timeout: Duration.minutes(5),
    });
    const reporter = this.reporter.function;
    if (props.webhook) parameters.grantReportWebhook(this.reporter.role);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');
    reporter.configureAsyncInvoke({
      retryAttempts: RUN_RETRIES,
      maxEventAge: MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'Daily active-member report (yesterday, Beijing time)',
      schedule: ScheduleExpression.expression(props.schedule, TimeZone.ASIA_SHANGHAI),
      target: new LambdaInvoke(reporter, {
        // An empty event: the report's default is yesterday in Beijing time.
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: DELIVERY_RETRIES,
        maxEventAge: MAX_EVENT_AGE,
        deadLetterQueue: this.deadLetterQueue,
        role: this.scheduleRole(reporter),
      }),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'It is the dead-letter queue itself: of the schedule’s deliveries and of the report’s failed runs.',
    });
  }

  /** The role Scheduler assumes to invoke the report: only from this account's default schedule group. */
  private scheduleRole(reporter: LambdaFunction): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'ScheduleRole', {
      description: 'EventBridge Scheduler invokes the active-member report',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    const reporterLogicalId = stack.getLogicalId(reporter.node.defaultChild as CfnElement);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${reporterLogicalId}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the report function and its versions/aliases (the `:*` qualifier); no other function.',
    });
    return role;
  }

  /**
   * Active members per day, as the report emits it: one datapoint per reported day, timestamped with
   * that day (dimension `service` = the functions' service name).
   */
  metricActiveMembers(): Metric {
    return new Metric({
      namespace: this.defaults.metricsNamespace,
      metricName: METRICS.activeMembers,
      dimensionsMap: { service: this.defaults.serviceName },
      statistic: Stats.MAXIMUM,
      period: Duration.days(1),
      label: 'Active members',
    });
  }
}
