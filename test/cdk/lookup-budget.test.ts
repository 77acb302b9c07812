/** The lookup budget's alarm: present with `corpSeats`, at the configured share, on the metric the layer emits. */
import { describe, expect, it } from 'vitest';
import { METRICS } from '#shared/metric-names.ts';
import { type CfnResourceJson, logicalId, resourcesOfType, synthesize } from './synth.ts';

const alarmsOnMisses = (context: Record<string, unknown>) => {
  const synthesized = synthesize(context);
  const alarms = resourcesOfType(synthesized, 'AWS::CloudWatch::Alarm')
    .map(([, alarm]: [string, CfnResourceJson]) => alarm.Properties)
    .filter(({ MetricName }) => MetricName === METRICS.lookupMisses);
  return { synthesized, alarms };
};

describe('the lookup budget alarm', () => {
  it('warns at 15 % of the seats by default: misses summed over a day, on the functions’ metric', () => {
    const { alarms, synthesized } = alarmsOnMisses({ corpSeats: 1000, alarmEmail: 'it-ops@example.com' });
    const topic = synthesized.stack.node
      .findAll()
      .find((node) => node.node.path.endsWith('Monitoring/AlarmTopic'));

    expect(alarms).toEqual([
      expect.objectContaining({
        Namespace: METRICS.namespace,
        Dimensions: [{ Name: 'service', Value: 'wecom-contact-dev' }],
        Statistic: 'Sum',
        Period: 86_400,
        Threshold: 150,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topic && logicalId(topic) }],
      }),
    ]);
  });

  it('takes another share from `lookupMissAlarmPercent`, and is absent without `corpSeats`', () => {
    expect(alarmsOnMisses({ corpSeats: 200, lookupMissAlarmPercent: 10 }).alarms).toEqual([
      expect.objectContaining({ Threshold: 20 }),
    ]);
    expect(alarmsOnMisses({}).alarms).toEqual([]);
    expect(() => synthesize({ corpSeats: 200, lookupMissAlarmPercent: 25 })).toThrow(
      /lookupMissAlarmPercent/,
    );
  });
});
