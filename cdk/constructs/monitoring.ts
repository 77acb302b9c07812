/**
 * Alarms (API 5xx rate, Lambda throttles, dead letters, report failures), optionally mailed through an
 * SNS topic, and the dashboard: API traffic, errors and latency next to the daily active members.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { constructId } from '../names.ts';

export interface WatchedQueue {
  readonly queue?: IQueue;
  readonly deadLetterQueue: IQueue;
}

export interface MonitoringProps {
  readonly api: HttpApi;
  /** Every function, by function id. */
  readonly functions: ReadonlyMap<string, IFunction>;
  /** Queues by the id of what they feed (a write function, the report). */
  readonly queues: ReadonlyMap<string, WatchedQueue>;
  readonly reporter: IFunction;
  readonly activeMembers: IMetric;
  /** Subscribe this address to a new alarm topic. */
  readonly alarmEmail?: string;
}

const PERIOD = Duration.minutes(5);

/** Percentage of 5xx answers from which the API alarms, in two of three 5-minute periods. */
const SERVER_ERROR_RATE_PERCENT = 5;

export class Monitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    if (props.alarmEmail !== undefined) {
      this.topic = new Topic(this, 'AlarmTopic', { displayName: 'WeCom contact alarms', enforceSSL: true });
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names and states only; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key.',
      });
    }

    const { api } = props;
    const requests = api.metricCount({ period: PERIOD, statistic: Stats.SUM });
    const serverErrors = api.metricServerError({ period: PERIOD, statistic: Stats.SUM });
    const serverErrorRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: PERIOD,
      label: '5xx rate (%)',
    });
    this.alarm('ApiServerErrorRate', {
      metric: serverErrorRate,
      threshold: SERVER_ERROR_RATE_PERCENT,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `${SERVER_ERROR_RATE_PERCENT}% or more of API requests answered 5xx (WeCom unreachable, misconfiguration: see the functions' logs).`,
    });

    for (const [functionId, fn] of props.functions) {
      this.alarm(`${constructId(functionId)}Throttles`, {
        metric: fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM }),
        threshold: 1,
        description: `Lambda throttled ${functionId}: raise the account's concurrency or lower the API throttling.`,
      });
    }
    for (const [name, { deadLetterQueue }] of props.queues) {
      this.alarm(`${constructId(name)}DeadLetters`, {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: Stats.MAXIMUM,
        }),
        threshold: 1,
        description: `Messages for ${name} failed for good and wait in its dead-letter queue: inspect, fix, redrive.`,
      });
    }
    this.alarm('ReportFailures', {
      metric: props.reporter.metricErrors({ period: PERIOD, statistic: Stats.SUM }),
      threshold: 1,
      description:
        'The active-member report failed (its log says which days and why); Lambda retries it twice.',
    });

    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    const lambdaMetrics = (metric: (fn: IFunction) => IMetric) => [...props.functions.values()].map(metric);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Active members per day',
        left: [props.activeMembers],
        leftYAxis: { min: 0 },
        start: '-P30D',
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'API requests', left: [requests] }),
      new GraphWidget({
        title: 'API errors',
        left: [api.metricClientError({ period: PERIOD, statistic: Stats.SUM, label: '4xx' }), serverErrors],
        right: [serverErrorRate],
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [Stats.p(50), Stats.p(99)].map((statistic) => api.metricLatency({ period: PERIOD, statistic })),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: lambdaMetrics((fn) => fn.metricErrors({ period: PERIOD, statistic: Stats.SUM })),
      }),
      new GraphWidget({
        title: 'Function throttles',
        left: lambdaMetrics((fn) => fn.metricThrottles({ period: PERIOD, statistic: Stats.SUM })),
      }),
      new GraphWidget({
        title: 'Queued and dead-letter messages',
        left: [...props.queues.values()].flatMap(({ queue, deadLetterQueue }) =>
          [queue, deadLetterQueue]
            .filter((candidate) => candidate !== undefined)
            .map((candidate) => candidate.metricApproximateNumberOfMessagesVisible({ period: PERIOD })),
        ),
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }

  private alarm(
    id: string,
    props: {
      metric: IMetric;
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
    },
  ): void {
    const alarm = new Alarm(this, id, {
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      datapointsToAlarm: props.datapointsToAlarm,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    });
    if (this.topic) alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
