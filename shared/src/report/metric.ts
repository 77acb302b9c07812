/**
 * The daily metric, written as an Embedded Metric Format line by Powertools Metrics: CloudWatch Logs
 * turns it into a data point, with no PutMetricData call and no extra permission.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../metric-names.ts';
import { reportedDayTimestamp } from './window.ts';

/**
 * CloudWatch silently drops EMF data points older than 14 days. A back-fill may go back 30, so older
 * days are logged but not emitted; the hour of margin covers the delay before the log is ingested.
 */
const CLOUDWATCH_MAX_AGE_MS = (14 * 24 - 1) * 60 * 60 * 1000;

export type MetricOutcome = 'emitted' | 'too-old-for-cloudwatch';

export type MetricsSink = Pick<Metrics, 'setTimestamp' | 'addMetric' | 'publishStoredMetrics'>;

/** One EMF line per day, timestamped with the reported day (see reportedDayTimestamp), not the run. */
export function publishActiveMembers(
  metrics: MetricsSink,
  day: { date: string; activeMembers: number },
  now: number,
): MetricOutcome {
  const timestamp = reportedDayTimestamp(day.date);
  if (now - timestamp > CLOUDWATCH_MAX_AGE_MS) return 'too-old-for-cloudwatch';
  metrics.setTimestamp(timestamp);
  metrics.addMetric(METRICS.activeMembers, MetricUnit.Count, day.activeMembers);
  // Flushed per day: one EMF document carries one timestamp.
  metrics.publishStoredMetrics();
  return 'emitted';
}
