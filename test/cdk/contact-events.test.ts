/** The directory-change events part of the template (cdk/constructs/contact-events.ts). */
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_METRICS } from '#shared/callback/delivery.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { CALLBACK_ENV } from '#shared/callback/handler.ts';
import { callbackParameterNames } from '#shared/callback/secrets.ts';
import {
  actionsOf,
  att,
  logicalId,
  parameterArn,
  ref,
  render,
  resourcesOf,
  resourcesOfType,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth.ts';
import { DEFAULTS, EVERYTHING } from './variants.ts';

let defaults: Synthesized;
let variant: Synthesized;

beforeAll(() => {
  defaults = synthesize(DEFAULTS);
  variant = synthesize({ ...EVERYTHING, callbackEnrichment: false, eventArchiveRetentionDays: 0 });
});

const only = <T>(items: readonly T[]): T => {
  expect(items).toHaveLength(1);
  return items[0] as T;
};
const properties = (synthesized: Synthesized, type: string) =>
  only(resourcesOfType(synthesized, type).map(([, resource]) => resource.Properties));

describe('callback route', () => {
  it('serves GET and POST /callbacks/contact without IAM, from the callback function; every other route keeps IAM', () => {
    const fn = logicalId(defaults.stack.contactEvents.callback.function);
    const routes = resourcesOfType(defaults, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    const open = routes.filter(({ AuthorizationType }) => AuthorizationType !== 'AWS_IAM');
    expect(open.map(({ RouteKey, AuthorizationType }) => [RouteKey, AuthorizationType]).sort()).toEqual([
      [`GET ${CALLBACK_FUNCTION.path}`, 'NONE'],
      [`POST ${CALLBACK_FUNCTION.path}`, 'NONE'],
    ]);
    expect(routes.length).toBeGreaterThan(open.length);
    for (const route of open) {
      const integration = defaults.resources[render(route.Target).replace('integrations/', '').slice(1, -1)];
      expect(render(integration?.Properties.IntegrationUri)).toBe(att(fn, 'Arn'));
    }
  });

  it('throttles the callback route on its own', () => {
    const stage = properties(defaults, 'AWS::ApiGatewayV2::Stage');
    for (const method of ['GET', 'POST']) {
      expect((stage.RouteSettings as Record<string, unknown>)[`${method} ${CALLBACK_FUNCTION.path}`]).toEqual(
        {
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        },
      );
    }
  });
});

describe('bus, archive, sample rule', () => {
  it('creates the bus wecom-contact-<stage> with an archive of every event for the configured retention', () => {
    expect(properties(defaults, 'AWS::Events::EventBus').Name).toBe('wecom-contact-dev');
    const archive = properties(defaults, 'AWS::Events::Archive');
    expect(archive).toMatchObject({ EventPattern: { source: ['wecom.contact'] }, RetentionDays: 365 });
    // 0: kept forever.
    expect(properties(variant, 'AWS::Events::Archive').RetentionDays ?? 0).toBe(0);
  });

  it('sends every event of the bus to the audit log group, which lets EventBridge write', () => {
    const bus = logicalId(defaults.stack.contactEvents.bus);
    const log = logicalId(defaults.stack.contactEvents.auditLog);
    const rule = properties(defaults, 'AWS::Events::Rule');
    expect(render(rule.EventBusName)).toBe(ref(bus));
    expect(rule.EventPattern).toEqual({ source: ['wecom.contact'] });
    expect((rule.Targets as Array<{ Arn: unknown }>).map(({ Arn }) => render(Arn))).toEqual([
      att(log, 'Arn'),
    ]);
    expect(JSON.stringify(properties(defaults, 'AWS::Logs::ResourcePolicy').PolicyDocument)).toContain(
      'events.amazonaws.com',
    );
  });
});

describe('dedup table', () => {
  it('is on-demand, with TTL on expiresAt and point-in-time recovery', () => {
    expect(properties(defaults, 'AWS::DynamoDB::Table')).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('callback function', () => {
  it('runs standalone (no layer) with the bus, table and enrichment switch, on a timeout inside WeCom’s 5 s', () => {
    for (const [synthesized, enrich] of [
      [defaults, 'true'],
      [variant, 'false'],
    ] as const) {
      const { contactEvents } = synthesized.stack;
      const fn = synthesized.resources[logicalId(contactEvents.callback.function)]?.Properties ?? {};
      expect(fn.Layers).toBeUndefined();
      expect(fn.Timeout).toBeLessThanOrEqual(5);
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(render(variables[CALLBACK_ENV.busName])).toBe(ref(logicalId(contactEvents.bus)));
      expect(render(variables[CALLBACK_ENV.dedupTable])).toBe(ref(logicalId(contactEvents.dedupTable)));
      expect(variables[CALLBACK_ENV.enrich]).toBe(enrich);
    }
  });

  it('may put events on its bus, claim and release in its table, and read the callback parameters, nothing more', () => {
    const { contactEvents } = defaults.stack;
    const statements = statementsOfRole(defaults, logicalId(contactEvents.callback.role));
    const granted = (prefix: string) =>
      statements
        .filter((statement) => actionsOf(statement).some((action) => action.startsWith(prefix)))
        .flatMap((statement) => actionsOf(statement).map((action) => [action, resourcesOf(statement)]));
    expect(granted('events:')).toEqual([['events:PutEvents', [att(logicalId(contactEvents.bus), 'Arn')]]]);
    expect(
      granted('dynamodb:')
        .map(([action]) => action)
        .sort(),
    ).toEqual(['dynamodb:DeleteItem', 'dynamodb:PutItem']);
    const names = callbackParameterNames('/wecom-contact/dev');
    const reads = granted('ssm:GetParameters').flatMap(([, arns]) => arns as string[]);
    expect(reads).toEqual(expect.arrayContaining([names.token, names.encodingAesKey].map(parameterArn)));
  });

  it('is the only function that may read the callback parameters (the doctor sees that they exist)', () => {
    const names = callbackParameterNames('/wecom-contact/dev');
    const secret = [names.token, names.encodingAesKey].map(parameterArn);
    const callbackRole = logicalId(defaults.stack.contactEvents.callback.role);
    const doctorRole = logicalId(defaults.stack.doctor.doctor.role);
    const mentioning = resourcesOfType(defaults, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties).includes('/callback/'),
    );
    const readers = mentioning.flatMap(([, policy]) => (policy.Properties.Roles as unknown[]).map(render));
    expect(readers.sort()).toEqual([ref(callbackRole), ref(doctorRole)].sort());
    // The doctor: GetParameters (without decryption) on them, no kms:Decrypt.
    const doctorStatements = mentioning
      .filter(([, policy]) => (policy.Properties.Roles as unknown[]).map(render).includes(ref(doctorRole)))
      .flatMap(
        ([, policy]) =>
          (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown }> }).Statement,
      )
      .filter((statement) => JSON.stringify(statement).includes('/callback/'));
    expect(doctorStatements.map(({ Action }) => Action)).toEqual(['ssm:GetParameters']);
    expect(secret).toHaveLength(2);
  });
});

describe('alarms', () => {
  it('alarms on refusals and on publish failures, to the alarm topic when there is one', () => {
    const alarms = resourcesOfType(variant, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    for (const metric of [CALLBACK_METRICS.refused, CALLBACK_METRICS.publishFailed]) {
      const alarm = only(alarms.filter(({ MetricName }) => MetricName === metric));
      expect(alarm).toMatchObject({ Namespace: 'WeComContact', Statistic: 'Sum' });
      expect(alarm.AlarmActions).toHaveLength(1);
    }
  });

  it('is watched like every function: throttles and time near its timeout alarmed, duration on the dashboard', () => {
    const id = logicalId(defaults.stack.contactEvents.callback.function);
    const watching = resourcesOfType(defaults, 'AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter(({ Dimensions }) => JSON.stringify(Dimensions ?? []).includes(`{"Ref":"${id}"}`))
      .map(({ MetricName }) => MetricName);
    expect(watching.sort()).toEqual(['Duration', 'Throttles']);
    const [[, dashboard] = []] = resourcesOfType(defaults, 'AWS::CloudWatch::Dashboard');
    expect(render(dashboard?.Properties.DashboardBody)).toContain(ref(id));
  });
});
