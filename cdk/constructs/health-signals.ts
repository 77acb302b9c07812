/**
 * The signals behind the health alarms that are not API Gateway's or Lambda's defaults: the layer's
 * token metrics (EMF, namespace and `service` from the functions' Powertools settings) and the
 * thresholds of durations and queued writes.
 */
import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IMetric, MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { METRICS } from '#shared/metric-names.ts';

/** A function alarms when one invocation ran this share of its timeout. */
export const DURATION_ALARM_SHARE = 0.8;

/**
 * A queued write older than this is being retried or starved: a record returned as a batch item
 * failure comes back after the visibility timeout (6 × 25 s) and is not a Lambda error, so without
 * this alarm retries show only once they reach the dead-letter queue (5 receives, about 12 minutes).
 */
export const OLDEST_MESSAGE_ALARM = Duration.minutes(10);

export interface TokenSignals {
  readonly storeDegraded: IMetric;
  /** Every `class` of refresh failure, summed. */
  readonly refreshFailed: IMetric;
}

/** The period of every alarm and dashboard metric of the stack. */
export const METRIC_PERIOD = Duration.minutes(5);

export const durationNearTimeout = (fn: LambdaFunction): IMetric =>
  fn.metricDuration({ period: METRIC_PERIOD, statistic: Stats.MAXIMUM });

export const oldestMessageAge = (queue: IQueue): IMetric =>
  queue.metricApproximateAgeOfOldestMessage({ period: METRIC_PERIOD, statistic: Stats.MAXIMUM });

/** The dashboard's row of these signals: durations, the age of queued writes, the token path. */
export function healthWidgets(props: {
  functions: readonly LambdaFunction[];
  queues: readonly IQueue[];
  signals: TokenSignals;
}): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Function duration, maximum (ms)',
      left: props.functions.map(durationNearTimeout),
    }),
    new GraphWidget({ title: 'Oldest queued message (s)', left: props.queues.map(oldestMessageAge) }),
    new GraphWidget({
      title: 'Token path',
      left: [props.signals.storeDegraded, props.signals.refreshFailed],
    }),
  ];
}

export function tokenSignals({ namespace, service }: { namespace: string; service: string }): TokenSignals {
  const period = METRIC_PERIOD;
  return {
    storeDegraded: new Metric({
      namespace,
      metricName: METRICS.tokenStoreDegraded,
      dimensionsMap: { service },
      statistic: Stats.SUM,
      period,
    }),
    // One alarm over every failure class, whatever classes the layer emits: a Metrics Insights query.
    refreshFailed: new MathExpression({
      expression: `SELECT SUM(${METRICS.tokenRefreshFailed}) FROM SCHEMA("${namespace}", class, service) WHERE service = '${service}'`,
      usingMetrics: {},
      period,
      label: 'Token refresh failures',
    }),
  };
}
