/**
 * The lookup budget's alarm (docs/userid-lookups.md): WeCom blocks user/getuserid or
 * user/get_userid_by_email for the rest of the day once its lookups err on more than 20 % of the
 * corp's seats. The functions count each miss (metric `LookupMisses`); this alarm fires when a day's
 * misses reach a configured share of the seats, before the block.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS } from '#shared/metric-names.ts';

/** WeCom's block: errors above this share of the seat cap in a day. */
export const WECOM_BLOCK_PERCENT = 20;

export interface LookupBudgetProps {
  /**
   * The corp's seat cap (企业人数上限), as the admin console shows it.
   * @example 500
   */
  readonly seats: number;
  /**
   * The share of the seats (percent) at which the alarm fires, below WeCom's 20.
   * @default 15
   * @example 10
   */
  readonly alarmPercent?: number;
  /**
   * The functions' metrics namespace and `service` dimension.
   * @example METRICS.namespace
   */
  readonly namespace: string;
  /** @example 'wecom-contact-prod' */
  readonly serviceName: string;
  /**
   * Where the alarm is sent, if anywhere.
   * @default unset: the alarm notifies no one
   */
  readonly topic?: ITopic;
}

export class LookupBudget extends Construct {
  /** Misses of both lookups over the trailing day. */
  readonly misses: Metric;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: LookupBudgetProps) {
    super(scope, id);
    const percent = props.alarmPercent ?? 15;
    // A trailing 24 hours holds at least the misses since Beijing midnight (WeCom's day), so the alarm
    // can only fire early; both lookups are summed, though WeCom may count each API on its own.
    this.misses = new Metric({
      namespace: props.namespace,
      metricName: METRICS.lookupMisses,
      dimensionsMap: { service: props.serviceName },
      statistic: Stats.SUM,
      period: Duration.days(1),
    });
    const threshold = Math.max(1, Math.floor((props.seats * percent) / 100));
    this.alarm = new Alarm(this, 'Alarm', {
      metric: this.misses,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `Userid lookups missed ${threshold} times in 24 h (${percent} % of ${props.seats} seats); above ` +
        `${WECOM_BLOCK_PERCENT} % WeCom blocks the lookup API until midnight Beijing time. Find the caller ` +
        'sending unknown mobiles or e-mails (the lookup functions log each 404).',
    });
    if (props.topic) this.alarm.addAlarmAction(new SnsAction(props.topic));
  }
}
