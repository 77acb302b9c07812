/**
 * Alarms (each API's 5xx rate, Lambda throttles, durations near the timeout, dead letters, the age of
 * queued writes, report failures, the token path's signals), optionally mailed through an SNS topic,
 * and the dashboard: API traffic, errors and latency next to the daily active members, and every alarm.
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
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { constructId } from '../names.ts';
import {
  DURATION_ALARM_SHARE,
  durationNearTimeout,
  healthWidgets,
  METRIC_PERIOD,
  OLDEST_MESSAGE_ALARM,
  oldestMessageAge,
  tokenSignals,
} from './health-signals.ts';

export interface WatchedQueue {
  readonly queue?: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** An HTTP API to watch. */
export interface WatchedApi {
  /** Prefix of its alarm's construct id (`Api` → `ApiServerErrorRate`). */
  readonly id: string;
  /** How alarms and graphs name it (`IAM API`). */
  readonly label: string;
  readonly api: HttpApi;
}

export interface MonitoringProps {
  /** The IAM API, and the JWT API when there is one: each gets its own 5xx alarm. */
  readonly apis: readonly WatchedApi[];
  /** Every function, by function id: each gets a throttle and a duration alarm. */
  readonly functions: ReadonlyMap<string, LambdaFunction>;
  /** Queues by the id of what they feed (a write function, the report). @example new Map([[id, queue]]) */
  readonly queues: ReadonlyMap<string, WatchedQueue>;
  /** The report function: its failed runs alarm. */
  readonly reporter: IFunction;
  /** The daily active members, graphed on the dashboard. @example report.metricActiveMembers() */
  readonly activeMembers: IMetric;
  /**
   * Where the layer's EMF metrics go: namespace and the `service` dimension.
   * @example { namespace: METRICS.namespace, service: 'wecom-contact-prod' }
   */
  readonly metrics: { readonly namespace: string; readonly service: string };
  /**
   * Subscribe this address to a new alarm topic.
   * @default unset: no topic, the alarms notify no one
   * @example 'ops@example.com'
   */
  readonly alarmEmail?: string;
}

/** The queues that feed a function (the report has a dead-letter queue only). */
const queues = (props: MonitoringProps): IQueue[] =>
  [...props.queues.values()].flatMap(({ queue }) => (queue ? [queue] : []));

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

    const apis = props.apis.map(({ id, label, api }) => {
      const requests = api.metricCount({
        period: METRIC_PERIOD,
        statistic: Stats.SUM,
        label: `${label} requests`,
      });
      const serverErrors = api.metricServerError({
        period: METRIC_PERIOD,
        statistic: Stats.SUM,
        label: `${label} 5xx`,
      });
      // Metric ids must be unique within a graph, and the errors graph shows every API's rate.
      const [requestsId, errorsId] = [`requests${id}`, `errors${id}`];
      const serverErrorRate = new MathExpression({
        expression: `IF(${requestsId} > 0, 100 * ${errorsId} / ${requestsId}, 0)`,
        usingMetrics: { [requestsId]: requests, [errorsId]: serverErrors },
        period: METRIC_PERIOD,
        label: `${label} 5xx rate (%)`,
      });
      this.alarm(`${id}ServerErrorRate`, {
        metric: serverErrorRate,
        threshold: SERVER_ERROR_RATE_PERCENT,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `${SERVER_ERROR_RATE_PERCENT}% or more of ${label} requests answered 5xx (WeCom unreachable, misconfiguration: see the functions' logs).`,
      });
      return { label, api, requests, serverErrors, serverErrorRate };
    });

    for (const [functionId, fn] of props.functions) {
      this.alarm(`${constructId(functionId)}Throttles`, {
        metric: fn.metricThrottles({ period: METRIC_PERIOD, statistic: Stats.SUM }),
        threshold: 1,
        description: `Lambda throttled ${functionId}: its reserved concurrency is spent (context keys reservedConcurrency, listingConcurrency; docs/operations.md, Concurrency), or the account's quota is.`,
      });
    }
    for (const [functionId, fn] of props.functions) {
      this.alarm(`${constructId(functionId)}NearTimeout`, {
        metric: durationNearTimeout(fn),
        threshold: fn.timeout ? fn.timeout.toMilliseconds() * DURATION_ALARM_SHARE : 0,
        description: `${functionId} ran for ${DURATION_ALARM_SHARE * 100}% of its timeout or more: WeCom or SSM is slow, or a fetch_child walk is too wide; the function's log says which calls took the time.`,
      });
    }
    const signals = tokenSignals(props.metrics);
    this.alarm('TokenStoreDegraded', {
      metric: signals.storeDegraded,
      threshold: 1,
      description:
        'SSM Parameter Store was throttled or unreachable: tokens came from gettoken and memory (calls still work, gettoken is rate-limited). Check SSM throttling and the functions’ network path.',
    });
    this.alarm('TokenRefreshFailed', {
      metric: signals.refreshFailed,
      threshold: 1,
      description:
        'A token refresh (gettoken) failed; the `class` dimension says why (e.g. a wrong secret, WeCom unreachable). Run the doctor: docs/operations.md.',
    });
    for (const [name, { queue, deadLetterQueue }] of props.queues) {
      if (queue) {
        this.alarm(`${constructId(name)}OldestMessage`, {
          metric: oldestMessageAge(queue),
          threshold: OLDEST_MESSAGE_ALARM.toSeconds(),
          description: `A message for ${name} has waited ${OLDEST_MESSAGE_ALARM.toMinutes()} minutes or more: records are being retried (batch item failures are not Lambda errors) or the consumer is throttled. See the function's WARN/ERROR log lines.`,
        });
      }
      this.alarm(`${constructId(name)}DeadLetters`, {
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: METRIC_PERIOD,
          statistic: Stats.MAXIMUM,
        }),
        threshold: 1,
        description: `Messages for ${name} failed for good and wait in its dead-letter queue: inspect, fix, redrive.`,
      });
    }
    this.alarm('ReportFailures', {
      metric: props.reporter.metricErrors({ period: METRIC_PERIOD, statistic: Stats.SUM }),
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
      new GraphWidget({ title: 'API requests', left: apis.map(({ requests }) => requests) }),
      new GraphWidget({
        title: 'API errors',
        left: apis.flatMap(({ label, api, serverErrors }) => [
          api.metricClientError({ period: METRIC_PERIOD, statistic: Stats.SUM, label: `${label} 4xx` }),
          serverErrors,
        ]),
        right: apis.map(({ serverErrorRate }) => serverErrorRate),
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: apis.flatMap(({ label, api }) =>
          [Stats.p(50), Stats.p(99)].map((statistic) =>
            api.metricLatency({ period: METRIC_PERIOD, statistic, label: `${label} ${statistic}` }),
          ),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: lambdaMetrics((fn) => fn.metricErrors({ period: METRIC_PERIOD, statistic: Stats.SUM })),
      }),
      new GraphWidget({
        title: 'Function throttles',
        left: lambdaMetrics((fn) => fn.metricThrottles({ period: METRIC_PERIOD, statistic: Stats.SUM })),
      }),
      new GraphWidget({
        title: 'Queued and dead-letter messages',
        left: [...props.queues.values()].flatMap(({ queue, deadLetterQueue }) =>
          [queue, deadLetterQueue]
            .filter((candidate) => candidate !== undefined)
            .map((candidate) =>
              candidate.metricApproximateNumberOfMessagesVisible({ period: METRIC_PERIOD }),
            ),
        ),
      }),
    );
    this.dashboard.addWidgets(
      ...healthWidgets({ functions: [...props.functions.values()], queues: queues(props), signals }),
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
