/**
 * What an operator meets on a first deployment (docs/operations.md): the corp id without a parameter
 * to conflict with, reserved concurrency on every function, WeCom's per-API limit kept in the worst
 * case, the health alarms, per-stage API names, the VPC grant without the managed policy, opt-in X-Ray,
 * and the doctor with exactly its grants.
 */
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyPlan, defaultListingConcurrency, WECOM_LIMIT_SHARE } from '#cdk/concurrency.ts';
import { readConfig } from '#cdk/config.ts';
import { VPC_ACCESS_ACTIONS, type WeComFunction } from '#cdk/constructs/wecom-function.ts';
import { WECOM_CALLS_PER_MINUTE_PER_API } from '#shared/call-budget.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { OPERATIONS } from '#shared/operations.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import { parameterNames } from '#shared/stage-names.ts';
import {
  actionsOf,
  type CfnResourceJson,
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
import { EVERYTHING } from './variants.ts';

const names = parameterNames('/wecom-contact/dev');
const LISTINGS = new Set(['user-simple-list', 'user-list']);

/** The concurrency plan of a stage with these context keys, as the stack makes it. */
const plan = (context: Record<string, unknown>) => {
  const config = readConfig((key) => context[key]);
  return new ConcurrencyPlan({ ...config, apis: config.jwt ? 2 : 1 });
};

let defaults: Synthesized;
let everything: Synthesized;
beforeAll(() => {
  defaults = synthesize();
  everything = synthesize(EVERYTHING);
});

const allFunctions = ({ stack }: Synthesized): Map<string, WeComFunction> =>
  new Map<string, WeComFunction>([
    ...stack.functions,
    [REPORT_FUNCTION.id, stack.report.reporter],
    ['doctor', stack.doctor.doctor],
    [CALLBACK_FUNCTION.id, stack.contactEvents.callback],
  ]);

const propertiesOf = (synthesized: Synthesized, fn: WeComFunction) =>
  (synthesized.resources[logicalId(fn.function)] as CfnResourceJson).Properties;

describe('the corp id', () => {
  it('with the corpId context: an environment value of every function, no parameter, no read of one', () => {
    for (const fn of allFunctions(everything).values()) {
      const { Variables } = propertiesOf(everything, fn).Environment as { Variables: Record<string, string> };
      expect(Variables.WECOM_CORP_ID).toBe(EVERYTHING.corpId);
      expect(JSON.stringify(statementsOfRole(everything, logicalId(fn.role)))).not.toContain('/corp-id');
    }
    expect(resourcesOfType(everything, 'AWS::SSM::Parameter')).toEqual([]);
  });

  it('without it: no environment value, and every function may read <prefix>/corp-id', () => {
    for (const fn of allFunctions(defaults).values()) {
      const { Variables } = propertiesOf(defaults, fn).Environment as { Variables: Record<string, string> };
      expect(Variables.WECOM_CORP_ID).toBeUndefined();
      const reads = statementsOfRole(defaults, logicalId(fn.role))
        .filter((statement) => actionsOf(statement).includes('ssm:GetParameters'))
        .flatMap(resourcesOf);
      expect(reads).toContain(parameterArn(names.corpId));
    }
    expect(resourcesOfType(defaults, 'AWS::SSM::Parameter')).toEqual([]);
  });
});

describe('reserved concurrency', () => {
  const reserved = (synthesized: Synthesized) =>
    new Map(
      [...allFunctions(synthesized)].map(([id, fn]) => [
        id,
        propertiesOf(synthesized, fn).ReservedConcurrentExecutions as number | undefined,
      ]),
    );

  it('caps every function: the route throttle for one second, the queue’s pollers on top, less for the walks', () => {
    const byId = reserved(defaults);
    for (const operation of OPERATIONS) {
      const expected = LISTINGS.has(operation.id)
        ? defaultListingConcurrency()
        : 50 + (operation.queued ? 4 : 0);
      expect(byId.get(operation.id), operation.id).toBe(expected);
    }
    expect(byId.get(REPORT_FUNCTION.id)).toBe(2);
    // The callback route's own throttle, 20 events/s, for a second each.
    expect(byId.get(CALLBACK_FUNCTION.id)).toBe(20);
    expect(byId.get('doctor')).toBe(2);
    // Far below throttle × timeout (50 req/s × 25 s = 1,250 executions for one route).
    expect(Math.max(...[...byId.values()].map(Number))).toBeLessThan(50 * 25);
  });

  it('follows the throttle of both APIs with the JWT API, and takes the context keys', () => {
    const byId = reserved(everything);
    // 20 req/s on each of two APIs.
    expect(byId.get('user-get')).toBe(40);
    expect(byId.get('user-create')).toBe(40 + EVERYTHING.writeConcurrency);
    const tuned = reserved(synthesize({ reservedConcurrency: 10, listingConcurrency: 1 }));
    expect(tuned.get('user-get')).toBe(10);
    expect(tuned.get('user-list')).toBe(1);
  });

  it('reserves 750 by default, and warns at synth when the JWT API doubles it past the default quota', () => {
    // docs/operations.md, Concurrency: 14 × 50 + 5 × 4 + 2 × 3 + 20 + 2 × 2.
    expect(plan({}).totalReserved()).toBe(750);
    expect(plan({ reservedConcurrency: 'off' }).totalReserved()).toBe(0);
    const jwt = { jwt: EVERYTHING.jwt };
    expect(plan(jwt).totalReserved()).toBe(1_450);
    const warnings = Annotations.fromStack(synthesize(jwt).stack).findWarning('*', Match.anyValue());
    expect(warnings.map(({ entry }) => String(entry.data)).join()).toContain(
      'reserve 1450 concurrent executions',
    );
    expect(Annotations.fromStack(defaults.stack).findWarning('*', Match.stringLikeRegexp('reserve'))).toEqual(
      [],
    );
  });

  it('is off everywhere with reservedConcurrency=off (accounts too small to reserve from)', () => {
    expect(
      [...reserved(synthesize({ reservedConcurrency: 'off' })).values()].every(
        (value) => value === undefined,
      ),
    ).toBe(true);
  });
});

describe('WeCom calls in the worst case', () => {
  it.each([
    ['defaults', {}],
    ['everything', EVERYTHING],
  ])('stays under %s of WeCom’s per-API limit for every API (%s)', (_name, context) => {
    const calls = plan(context).worstCaseCallsPerMinute();
    expect(Object.keys(calls)).toEqual(
      expect.arrayContaining(['user/get', 'user/list', 'department/simplelist']),
    );
    for (const [api, perMinute] of Object.entries(calls)) {
      expect(perMinute, api).toBeLessThanOrEqual(WECOM_CALLS_PER_MINUTE_PER_API * WECOM_LIMIT_SHARE);
    }
    expect(plan(context).overBudget()).toEqual([]);
  });

  it('counts calls, not requests: the listing walks are bounded by their concurrency, not the throttle', () => {
    const calls = plan({}).worstCaseCallsPerMinute();
    // 3 invocations × 2 calls in flight × 1,200 calls a minute each; the throttle alone would allow 50 × 60 × 100.
    expect(calls['user/list']).toBe(7_200);
    // The route, and the callback's enrichment (20 events/s, one user/get each).
    expect(calls['user/get']).toBe(3_000 + 1_200);
    expect(calls['user/create']).toBe(3_000 + 4 * 1_200);
  });

  it('warns at synth when the settings allow more, naming the API', () => {
    expect(plan({ listingConcurrency: 10 }).overBudget()).toEqual([
      expect.stringContaining('user/simplelist'),
      expect.stringContaining('user/list: 24000 calls/min'),
    ]);
    expect(plan({ reservedConcurrency: 'off' }).overBudget().join()).toContain('unbounded');
  });
});

describe('alarms', () => {
  type Alarm = Record<string, unknown>;
  const alarms = (synthesized: Synthesized): Alarm[] =>
    resourcesOfType(synthesized, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const dimension = (alarm: Alarm, name: string) =>
    render(
      (alarm.Dimensions as Array<{ Name: string; Value: unknown }>).find((d) => d.Name === name)?.Value ?? '',
    );

  it('on the age of the oldest message of every write queue', () => {
    const ages = alarms(defaults).filter((alarm) => alarm.MetricName === 'ApproximateAgeOfOldestMessage');
    const queues = [...defaults.stack.functions.keys()].filter(
      (id) => OPERATIONS.find((o) => o.id === id)?.queued,
    );
    expect(ages).toHaveLength(queues.length);
    for (const alarm of ages) {
      expect(alarm).toMatchObject({ Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 600 });
      expect(dimension(alarm, 'QueueName')).toMatch(/Queue[0-9A-F]{8}\.QueueName>$/);
      expect(dimension(alarm, 'QueueName')).not.toContain('DeadLetter');
    }
  });

  it('on TokenStoreDegraded and every class of TokenRefreshFailed, in the stage’s service', () => {
    const degraded = alarms(defaults).filter((alarm) => alarm.MetricName === 'TokenStoreDegraded');
    expect(degraded).toEqual([
      expect.objectContaining({ Namespace: 'WeComContact', Statistic: 'Sum', Threshold: 1 }),
    ]);
    expect(dimension(degraded[0] ?? {}, 'service')).toBe('wecom-contact-dev');
    const refresh = alarms(defaults).filter((alarm) =>
      JSON.stringify(alarm.Metrics ?? []).includes('TokenRefreshFailed'),
    );
    expect(refresh).toHaveLength(1);
    const [query] = (refresh[0]?.Metrics ?? []) as Array<{ Expression: string }>;
    expect(query?.Expression).toBe(
      `SELECT SUM(TokenRefreshFailed) FROM SCHEMA("WeComContact", class, service) WHERE service = 'wecom-contact-dev'`,
    );
  });

  it('on each function’s maximum duration at 80% of its timeout', () => {
    const durations = alarms(defaults).filter((alarm) => alarm.MetricName === 'Duration');
    // Every operation, the report and the contact callback.
    expect(durations).toHaveLength(OPERATIONS.length + 2);
    const endpoint = durations.find(
      (alarm) =>
        dimension(alarm, 'FunctionName') ===
        ref(logicalId(defaults.stack.functions.get('user-get')?.function ?? fail())),
    );
    expect(endpoint).toMatchObject({ Statistic: 'Maximum', Threshold: 20_000 });
    // The callback's 5 s is WeCom's own deadline: 4 s already means answers close to being retried.
    const callback = durations.find(
      (alarm) =>
        dimension(alarm, 'FunctionName') === ref(logicalId(defaults.stack.contactEvents.callback.function)),
    );
    expect(callback).toMatchObject({ Statistic: 'Maximum', Threshold: 4_000 });
  });

  it('shows the new signals on the dashboard', () => {
    const [, dashboard] = resourcesOfType(defaults, 'AWS::CloudWatch::Dashboard')[0] ?? fail();
    const body = render(dashboard.Properties.DashboardBody);
    for (const title of ['Function duration, maximum (ms)', 'Oldest queued message (s)', 'Token path']) {
      expect(body).toContain(`"title":"${title}"`);
    }
    expect(body).toContain('TokenRefreshFailed');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
  });
});

describe('smaller things', () => {
  it('names each HTTP API after its stage', () => {
    const apiNames = (synthesized: Synthesized) =>
      resourcesOfType(synthesized, 'AWS::ApiGatewayV2::Api').map(([, api]) => api.Properties.Name);
    expect(apiNames(defaults)).toEqual(['wecom-contact-dev']);
    expect(apiNames(everything).sort()).toEqual(['wecom-contact-dev', 'wecom-contact-dev-jwt']);
  });

  it('with fixed-ip, grants the network-interface actions inline instead of the managed VPC policy', () => {
    expect(JSON.stringify(everything.resources)).not.toContain('AWSLambdaVPCAccessExecutionRole');
    for (const fn of allFunctions(everything).values()) {
      const statements = statementsOfRole(everything, logicalId(fn.role));
      const ec2 = statements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('ec2:')),
      );
      const ec2Actions = ec2.flatMap(actionsOf).filter((action) => action.startsWith('ec2:'));
      expect(ec2Actions.sort()).toEqual([...VPC_ACCESS_ACTIONS].sort());
      // Lambda checks these permissions when it creates the function: the policy must exist first.
      const policies = resourcesOfType(everything, 'AWS::IAM::Policy')
        .filter(([, policy]) =>
          JSON.stringify(policy.Properties.PolicyDocument).includes('ec2:CreateNetworkInterface'),
        )
        .filter(([, policy]) =>
          (policy.Properties.Roles as unknown[]).some((role) => render(role) === ref(logicalId(fn.role))),
        )
        .map(([id]) => id);
      expect(policies).toHaveLength(1);
      expect(everything.resources[logicalId(fn.function)]?.DependsOn).toContain(policies[0]);
      // No logs statement on every log group: each function writes its own.
      const logs = statements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('logs:')),
      );
      expect(logs.flatMap(resourcesOf).filter((arn) => arn === '*')).toEqual([]);
    }
  });

  it('turns X-Ray active tracing on with the tracing key only', () => {
    const tracing = (synthesized: Synthesized) =>
      [...allFunctions(synthesized).values()].map((fn) => propertiesOf(synthesized, fn).TracingConfig);
    expect(tracing(defaults).every((config) => config === undefined)).toBe(true);
    expect(tracing(everything).every((config) => JSON.stringify(config) === '{"Mode":"Active"}')).toBe(true);
  });
});

describe('the doctor', () => {
  it('reads the depth of every dead-letter queue and nothing else of SQS', () => {
    const role = logicalId(defaults.stack.doctor.doctor.role);
    const sqs = statementsOfRole(defaults, role).filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('sqs:')),
    );
    expect(sqs.flatMap(actionsOf)).toEqual(['sqs:GetQueueAttributes']);
    const deadLetterQueues = resourcesOfType(defaults, 'AWS::SQS::Queue').filter(([id]) =>
      id.includes('DeadLetterQueue'),
    );
    expect(sqs.flatMap(resourcesOf).sort()).toEqual(deadLetterQueues.map(([id]) => `<${id}.Arn>`).sort());
    const { Variables } = propertiesOf(defaults, defaults.stack.doctor.doctor).Environment as {
      Variables: Record<string, unknown>;
    };
    const queuesVariable = JSON.stringify(Variables.WECOM_DOCTOR_DEAD_LETTER_QUEUES);
    for (const [id] of deadLetterQueues) expect(queuesVariable).toContain(`{"Ref":"${id}"}`);
  });

  it('checks every configured credential and outputs the command that runs it', () => {
    const credentials = (synthesized: Synthesized) =>
      (
        propertiesOf(synthesized, synthesized.stack.doctor.doctor).Environment as {
          Variables: Record<string, string>;
        }
      ).Variables.WECOM_CREDENTIALS;
    expect(credentials(defaults)).toBe('contact');
    expect(credentials(everything)).toBe('contact,app');
    const outputs = defaults.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(render(outputs.DoctorCommand?.Value)).toBe('npm run doctor -- --stage dev --region <AWS::Region>');
    expect(render(outputs.DoctorFunctionName?.Value)).toBe(
      ref(logicalId(defaults.stack.doctor.doctor.function)),
    );
  });
});

function fail(): never {
  throw new Error('missing from the template');
}
