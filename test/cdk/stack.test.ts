/**
 * The synthesized template, one concern per test: one synth of the default deployment and one of a
 * deployment with every option on (variants.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { walksDepartments } from '#cdk/concurrency.ts';
import type { WeComFunction } from '#cdk/constructs/wecom-function.ts';
import { constructId } from '#cdk/names.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { METRICS } from '#shared/metric-names.ts';
import { OPERATIONS } from '#shared/operations.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import { parameterNames } from '#shared/stage-names.ts';
import {
  actionsOf,
  att,
  type CfnResourceJson,
  logicalId,
  parameterArn,
  ref,
  referencedId,
  render,
  resourcesOf,
  resourcesOfType,
  type Statement,
  type Synthesized,
  statementsOfRole,
  synthesize,
} from './synth.ts';
import { DEFAULTS, EVERYTHING } from './variants.ts';

const PREFIX = '/wecom-contact/dev';
const names = parameterNames(PREFIX);
const ANY_SSM_KEY = 'arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*';
const QUEUED = OPERATIONS.filter(({ queued }) => queued);

let defaults: Synthesized;
let everything: Synthesized;

beforeAll(() => {
  defaults = synthesize(DEFAULTS);
  everything = synthesize(EVERYTHING);
});

/** Every function of the stack by id: one per operation and the report. */
function functionsOf({ stack }: Synthesized): Map<string, WeComFunction> {
  return new Map<string, WeComFunction>([...stack.functions, [REPORT_FUNCTION.id, stack.report.reporter]]);
}

function resource(synthesized: Synthesized, id: string): CfnResourceJson {
  const found = synthesized.resources[id];
  if (!found) throw new Error(`No resource ${id}`);
  return found;
}

describe('functions', () => {
  it('runs every function on nodejs24.x, arm64, with the layer, JSON logs and its own log group', () => {
    const layer = resourcesOfType(defaults, 'AWS::Lambda::LayerVersion');
    expect(layer).toHaveLength(1);
    const [layerId] = layer[0] ?? [];
    for (const fn of functionsOf(defaults).values()) {
      const { Properties } = resource(defaults, logicalId(fn.function));
      expect(Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Layers: [{ Ref: layerId }],
        MemorySize: 512,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
      const logGroup = render((Properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
      expect(resource(defaults, referencedId(logGroup)).Properties.RetentionInDays).toBe(30);
    }
    expect(
      resource(defaults, logicalId(defaults.stack.functions.get('user-get')?.function ?? missing()))
        .Properties.Timeout,
    ).toBe(25);
  });

  it('sets each function the SSM prefix, its credential and the Powertools settings, and nothing else', () => {
    const environment = (synthesized: Synthesized, id: string) =>
      (
        resource(synthesized, logicalId(functionsOf(synthesized).get(id)?.function ?? missing())).Properties
          .Environment as { Variables: Record<string, string> }
      ).Variables;
    const expected = (credentials: string, more: Record<string, string> = {}) => ({
      WECOM_SSM_PREFIX: PREFIX,
      WECOM_CREDENTIALS: credentials,
      POWERTOOLS_SERVICE_NAME: 'wecom-contact-dev',
      POWERTOOLS_METRICS_NAMESPACE: 'WeComContact',
      // A 512 MB function's young generation and glibc's mmap threshold (cdk/node-options.ts).
      NODE_OPTIONS: '--max-semi-space-size=2',
      MALLOC_MMAP_THRESHOLD_: '32768',
      ...more,
    });
    // Source maps only with the `sourceMaps` context key: Node reads them on every cold start.
    const sourceMaps = { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=2' };
    // The corp id as a value when the stack knows it (`corpId` context), never a parameter to conflict with.
    const corpId = { WECOM_CORP_ID: EVERYTHING.corpId };
    for (const operation of OPERATIONS) {
      // The listings take their walk budget (call-budget.ts).
      const walk: Record<string, string> = walksDepartments(operation)
        ? { WECOM_FETCH_CHILD_MAX_DEPARTMENTS: '100' }
        : {};
      expect(environment(defaults, operation.id)).toEqual(expected('contact', walk));
      // With an app credential, the read operations take it (docs/architecture.md §6).
      expect(environment(everything, operation.id)).toEqual(
        expected(operation.credential === 'read' ? 'app' : 'contact', { ...sourceMaps, ...corpId, ...walk }),
      );
    }
    expect(environment(defaults, REPORT_FUNCTION.id)).toEqual(expected('contact'));
  });
});

describe('IAM', () => {
  const ssmStatements = (statements: Statement[]) =>
    statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ssm:')));

  /** Action → the parameter ARNs it is granted on, over all statements. */
  function ssmGrants(statements: Statement[]): Record<string, string[]> {
    const grants: Record<string, string[]> = {};
    for (const statement of ssmStatements(statements)) {
      for (const action of actionsOf(statement))
        grants[action] = [...(grants[action] ?? []), ...resourcesOf(statement)];
    }
    return Object.fromEntries(Object.entries(grants).map(([action, arns]) => [action, arns.sort()]));
  }

  function kmsGrants(statements: Statement[]): Record<string, string[]> {
    const grants: Record<string, string[]> = {};
    for (const statement of statements.filter((candidate) =>
      actionsOf(candidate).some((a) => a.startsWith('kms:')),
    )) {
      expect(resourcesOf(statement)).toEqual([ANY_SSM_KEY]);
      const equals = statement.Condition?.StringEquals ?? {};
      expect(render(equals['kms:ViaService'])).toBe('ssm.<AWS::Region>.amazonaws.com');
      const arns = (equals['kms:EncryptionContext:PARAMETER_ARN'] as unknown[]).map(render);
      for (const action of actionsOf(statement)) grants[action] = [...(grants[action] ?? []), ...arns].sort();
    }
    return grants;
  }

  const expectedSsm = (credential: 'contact' | 'app', extraReads: string[] = [], corpIdParameter = true) => {
    const reads = [
      ...(corpIdParameter ? [names.corpId] : []),
      names.secret(credential),
      names.token(credential),
      names.lease(credential),
      ...extraReads,
    ]
      .map(parameterArn)
      .sort();
    return {
      'ssm:GetParameter': reads,
      'ssm:GetParameters': reads,
      'ssm:PutParameter': [names.token(credential), names.lease(credential)].map(parameterArn).sort(),
      'ssm:DeleteParameter': [parameterArn(names.lease(credential))],
    };
  };

  it('grants each function exactly its credential’s parameters, by ARN', () => {
    for (const [synthesized, appCredential] of [
      [defaults, false],
      [everything, true],
    ] as const) {
      for (const [id, fn] of functionsOf(synthesized)) {
        const credential =
          appCredential && OPERATIONS.find((o) => o.id === id)?.credential === 'read' ? 'app' : 'contact';
        const webhook =
          synthesized === everything && id === REPORT_FUNCTION.id ? [names.reportWebhookUrl] : [];
        const statements = statementsOfRole(synthesized, logicalId(fn.role));
        // With the `corpId` context (everything), no function reads the corp-id parameter.
        expect(ssmGrants(statements), id).toEqual(expectedSsm(credential, webhook, !appCredential));
        expect(kmsGrants(statements), id).toEqual({
          'kms:Decrypt': [names.secret(credential), names.token(credential), ...webhook]
            .map(parameterArn)
            .sort(),
          'kms:Encrypt': [parameterArn(names.token(credential))],
        });
      }
    }
  });

  it('has no SSM statement with a wildcard resource anywhere in the template', () => {
    for (const synthesized of [defaults, everything]) {
      const statements = resourcesOfType(synthesized, 'AWS::IAM::Policy').flatMap(
        ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      const ssmResources = ssmStatements(statements).flatMap(resourcesOf);
      expect(ssmResources.length).toBeGreaterThan(0);
      expect(ssmResources.filter((arn) => arn.includes('*'))).toEqual([]);
    }
  });

  it('lets only the report function read the webhook parameter (the doctor sees that it exists), and only when it is configured', () => {
    const webhookArn = parameterArn(names.reportWebhookUrl);
    const rolesMentioning = (synthesized: Synthesized) =>
      resourcesOfType(synthesized, 'AWS::IAM::Policy')
        .filter(([, policy]) =>
          JSON.stringify(policy.Properties.PolicyDocument).includes(names.reportWebhookUrl),
        )
        .flatMap(([, policy]) => (policy.Properties.Roles as unknown[]).map(render));
    expect(rolesMentioning(everything).sort()).toEqual(
      [everything.stack.report.reporter.role, everything.stack.doctor.doctor.role]
        .map((role) => ref(logicalId(role)))
        .sort(),
    );
    const doctorOnWebhook = statementsOfRole(
      everything,
      logicalId(everything.stack.doctor.doctor.role),
    ).filter((statement) => JSON.stringify(statement).includes(names.reportWebhookUrl));
    expect(doctorOnWebhook.map(actionsOf)).toEqual([['ssm:GetParameters']]);
    expect(webhookArn).toContain('/report/webhook-url');
    const reporterEnv = (synthesized: Synthesized) =>
      (
        resource(synthesized, logicalId(synthesized.stack.report.reporter.function)).Properties
          .Environment as {
          Variables: Record<string, string>;
        }
      ).Variables;
    expect(reporterEnv(everything).WECOM_REPORT_WEBHOOK_PARAMETER).toBe(names.reportWebhookUrl);

    expect(rolesMentioning(defaults)).toEqual([]);
    expect(reporterEnv(defaults)).not.toHaveProperty('WECOM_REPORT_WEBHOOK_PARAMETER');
  });

  it('creates no SSM parameter, whether or not the corpId context is given (nothing to conflict with)', () => {
    expect(resourcesOfType(defaults, 'AWS::SSM::Parameter')).toEqual([]);
    expect(resourcesOfType(everything, 'AWS::SSM::Parameter')).toEqual([]);
  });
});

describe('HTTP API', () => {
  /** Route key → [authorisation type, the logical id of the function its integration calls]. */
  function routesOf(synthesized: Synthesized, apiLogicalId: string): Map<string, [string, string]> {
    return new Map(
      resourcesOfType(synthesized, 'AWS::ApiGatewayV2::Route')
        .filter(([, route]) => render(route.Properties.ApiId) === ref(apiLogicalId))
        // The callback routes (no IAM: WeCom cannot sign) are tested in contact-events.test.ts.
        .filter(([, route]) => !String(route.Properties.RouteKey).endsWith(` ${CALLBACK_FUNCTION.path}`))
        .map(([, { Properties }]) => {
          const integrationId = referencedId(render(Properties.Target).replace('integrations/', ''));
          const target = render(resource(synthesized, integrationId).Properties.IntegrationUri);
          return [Properties.RouteKey as string, [Properties.AuthorizationType as string, target]];
        }),
    );
  }

  it('has one route per operation, each with AWS_IAM, each calling its own function', () => {
    const routes = routesOf(defaults, logicalId(defaults.stack.api.api));
    expect(routes.size).toBe(OPERATIONS.length);
    for (const operation of OPERATIONS) {
      const fn = defaults.stack.functions.get(operation.id)?.function ?? missing();
      expect(routes.get(`${operation.http.method} ${operation.http.path}`)).toEqual([
        'AWS_IAM',
        att(logicalId(fn), 'Arn'),
      ]);
    }
  });

  it('adds a second API with the same routes behind the JWT authoriser, the IAM API unchanged', () => {
    const apis = resourcesOfType(everything, 'AWS::ApiGatewayV2::Api').map(([id]) => id);
    expect(apis).toHaveLength(2);
    const iamApi = logicalId(everything.stack.api.api);
    const jwtApi = apis.find((id) => id !== iamApi) ?? missing();
    expect([...routesOf(everything, iamApi).values()].map(([auth]) => auth)).toEqual(
      Array(OPERATIONS.length).fill('AWS_IAM'),
    );
    expect([...routesOf(everything, jwtApi).values()].map(([auth]) => auth)).toEqual(
      Array(OPERATIONS.length).fill('JWT'),
    );
    expect(resourcesOfType(everything, 'AWS::ApiGatewayV2::Authorizer').map(([, a]) => a.Properties)).toEqual(
      [
        expect.objectContaining({
          AuthorizerType: 'JWT',
          JwtConfiguration: { Issuer: EVERYTHING.jwt.issuer, Audience: EVERYTHING.jwt.audience },
        }),
      ],
    );
    expect(resourcesOfType(defaults, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it('logs every request as JSON and throttles each route on the stage', () => {
    for (const [synthesized, throttle] of [
      [defaults, { rateLimit: 50, burstLimit: 100 }],
      [everything, EVERYTHING.apiThrottle],
    ] as const) {
      const stages = resourcesOfType(synthesized, 'AWS::ApiGatewayV2::Stage');
      expect(stages.length).toBeGreaterThan(0);
      for (const [, { Properties }] of stages) {
        const { DestinationArn, Format } = Properties.AccessLogSettings as {
          DestinationArn: unknown;
          Format: string;
        };
        expect(resource(synthesized, referencedId(render(DestinationArn))).Type).toBe('AWS::Logs::LogGroup');
        expect(JSON.parse(Format)).toMatchObject({
          requestId: '$context.requestId',
          caller: '$context.identity.userArn',
        });
        expect(Properties.DefaultRouteSettings).toEqual({
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
        });
      }
    }
  });

  it('outputs the API URL', () => {
    expect(render(defaults.template.toJSON().Outputs.ApiUrl.Value)).toBe(
      `https://<${logicalId(defaults.stack.api.api)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/`,
    );
  });
});

describe('write queues', () => {
  it('feeds each queued write function from its own encrypted queue with partial batch responses', () => {
    for (const [synthesized, concurrency] of [
      [defaults, 4],
      [everything, EVERYTHING.writeConcurrency],
    ] as const) {
      const mappings = resourcesOfType(synthesized, 'AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(QUEUED.length);
      for (const operation of QUEUED) {
        const fn = synthesized.stack.functions.get(operation.id)?.function ?? missing();
        const [, mapping] =
          mappings.find(
            ([, candidate]) => render(candidate.Properties.FunctionName) === ref(logicalId(fn)),
          ) ?? missing();
        expect(mapping.Properties).toMatchObject({
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: concurrency },
          BatchSize: 10,
        });
        const queueId = referencedId(render(mapping.Properties.EventSourceArn));
        const queue = resource(synthesized, queueId).Properties;
        expect(queue).toMatchObject({ SqsManagedSseEnabled: true, VisibilityTimeout: 150 });
        const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
        expect(redrive.maxReceiveCount).toBe(5);
        const deadLetterQueue = resource(
          synthesized,
          referencedId(render(redrive.deadLetterTargetArn)),
        ).Properties;
        expect(deadLetterQueue).toMatchObject({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        });
        expect(
          render(synthesized.template.toJSON().Outputs[`${constructId(operation.id)}QueueUrl`].Value),
        ).toBe(ref(queueId));
      }
    }
  });

  it('refuses every queue connection without TLS', () => {
    const queues = resourcesOfType(defaults, 'AWS::SQS::Queue').map(([id]) => ref(id));
    const guarded = resourcesOfType(defaults, 'AWS::SQS::QueuePolicy')
      .filter(([, { Properties }]) =>
        (Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
          (statement) =>
            statement.Effect === 'Deny' &&
            JSON.stringify(statement.Condition) ===
              JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
        ),
      )
      .flatMap(([, { Properties }]) => (Properties.Queues as unknown[]).map(render));
    expect(guarded.sort()).toEqual(queues.sort());
    // 5 write queues, their 5 dead-letter queues, the report's dead-letter queue.
    expect(queues).toHaveLength(11);
  });
});

describe('scheduled report', () => {
  it('invokes the report daily in Asia/Shanghai time, with retries and a dead-letter queue', () => {
    for (const [synthesized, expression] of [
      [defaults, 'cron(0 9 * * ? *)'],
      [everything, EVERYTHING.reportSchedule],
    ] as const) {
      const { report } = synthesized.stack;
      const schedules = resourcesOfType(synthesized, 'AWS::Scheduler::Schedule');
      expect(schedules).toHaveLength(1);
      const [, schedule] = schedules[0] ?? missing();
      const deadLetterQueue = att(logicalId(report.deadLetterQueue), 'Arn');
      expect(schedule.Properties).toMatchObject({
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: 'Asia/Shanghai',
        State: 'ENABLED',
      });
      const target = schedule.Properties.Target as Record<string, unknown>;
      expect(render(target.Arn)).toBe(att(logicalId(report.reporter.function), 'Arn'));
      expect(target.Input).toBe('{}');
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 3600 });
      expect(render((target.DeadLetterConfig as { Arn: unknown }).Arn)).toBe(deadLetterQueue);

      // Runs that raise are retried by Lambda, then land in the same dead-letter queue.
      const [, invokeConfig] = resourcesOfType(synthesized, 'AWS::Lambda::EventInvokeConfig')[0] ?? missing();
      expect(invokeConfig.Properties).toMatchObject({ MaximumRetryAttempts: 2, Qualifier: '$LATEST' });
      expect(
        render(
          (invokeConfig.Properties as { DestinationConfig: { OnFailure: { Destination: unknown } } })
            .DestinationConfig.OnFailure.Destination,
        ),
      ).toBe(deadLetterQueue);
    }
  });

  it('lets the schedule’s role invoke the report function and nothing else', () => {
    const { report } = defaults.stack;
    const [, schedule] = resourcesOfType(defaults, 'AWS::Scheduler::Schedule')[0] ?? missing();
    const roleId = referencedId(render((schedule.Properties.Target as { RoleArn: unknown }).RoleArn));
    const reporterArn = att(logicalId(report.reporter.function), 'Arn');
    const statements = statementsOfRole(defaults, roleId);
    expect(statements.map((statement) => [actionsOf(statement), resourcesOf(statement)])).toEqual([
      [['lambda:InvokeFunction'], [reporterArn, `${reporterArn}:*`]],
      [['sqs:SendMessage'], [att(logicalId(report.deadLetterQueue), 'Arn')]],
    ]);
  });
});

describe('monitoring', () => {
  type Alarm = Record<string, unknown>;
  const alarmsOf = (synthesized: Synthesized): Alarm[] =>
    resourcesOfType(synthesized, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const dimension = (alarm: Alarm, name: string) =>
    render(
      (alarm.Dimensions as Array<{ Name: string; Value: unknown }> | undefined)?.find((d) => d.Name === name)
        ?.Value ?? '',
    );

  const isServerErrorRate = (alarm: Alarm) => JSON.stringify(alarm.Metrics ?? []).includes('"5xx"');

  /** The APIs a 5xx-rate alarm reads its two metrics (requests and 5xx answers) from. */
  const serverErrorRateApis = (alarm: Alarm): string[] => {
    const metrics = (
      alarm.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string } & Alarm } }>
    ).flatMap(({ MetricStat }) => (MetricStat ? [MetricStat.Metric] : []));
    expect(metrics.map(({ MetricName }) => MetricName).sort()).toEqual(['5xx', 'Count']);
    return [...new Set(metrics.map((metric) => dimension(metric, 'ApiId')))];
  };

  it('alarms on the API 5xx rate, each function’s throttles (the contact callback’s too), every dead-letter queue and report failures', () => {
    const alarms = alarmsOf(defaults);
    const { stack } = defaults;

    const rate = alarms.filter(isServerErrorRate);
    expect(rate).toHaveLength(1);
    expect(rate[0]).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(serverErrorRateApis(rate[0] ?? missing())).toEqual([ref(logicalId(stack.api.api))]);

    const throttled = alarms
      .filter((alarm) => alarm.MetricName === 'Throttles')
      .map((a) => dimension(a, 'FunctionName'));
    expect(throttled.sort()).toEqual(
      [...functionsOf(defaults).values(), stack.contactEvents.callback]
        .map((fn) => ref(logicalId(fn.function)))
        .sort(),
    );

    const deadLetters = alarms
      .filter((alarm) => alarm.MetricName === 'ApproximateNumberOfMessagesVisible')
      .map((alarm) => dimension(alarm, 'QueueName'));
    const deadLetterQueues = resourcesOfType(defaults, 'AWS::SQS::Queue')
      .filter(([id]) => id.includes('DeadLetterQueue'))
      .map(([id]) => att(id, 'QueueName'));
    expect(deadLetters.sort()).toEqual(deadLetterQueues.sort());
    expect(deadLetters).toHaveLength(QUEUED.length + 1);

    const reportErrors = alarms.filter((alarm) => alarm.MetricName === 'Errors');
    expect(reportErrors.map((alarm) => dimension(alarm, 'FunctionName'))).toEqual([
      ref(logicalId(stack.report.reporter.function)),
    ]);
    expect(alarms.every((alarm) => alarm.AlarmActions === undefined)).toBe(true);
  });

  it('alarms on the JWT API’s 5xx rate too, when there is one', () => {
    const rates = alarmsOf(everything).filter(isServerErrorRate);
    const apis = resourcesOfType(everything, 'AWS::ApiGatewayV2::Api').map(([id]) => ref(id));
    expect(apis).toHaveLength(2);
    expect(rates.flatMap(serverErrorRateApis).sort()).toEqual(apis.sort());
    for (const rate of rates) {
      expect(rate).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    }
  });

  it('sends every alarm to the mail topic when alarmEmail is set', () => {
    const [topicId] = resourcesOfType(everything, 'AWS::SNS::Topic')[0] ?? missing();
    for (const alarm of alarmsOf(everything)) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(resourcesOfType(everything, 'AWS::SNS::Subscription').map(([, s]) => s.Properties)).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: EVERYTHING.alarmEmail }),
    ]);
    expect(resourcesOfType(defaults, 'AWS::SNS::Topic')).toEqual([]);
  });

  it('shows daily active members next to API traffic, errors and latency on the dashboard', () => {
    const [, dashboard] = resourcesOfType(defaults, 'AWS::CloudWatch::Dashboard')[0] ?? missing();
    const body = JSON.parse(render(dashboard.Properties.DashboardBody)) as {
      widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }>;
    };
    const widget = (title: string) =>
      body.widgets.find((candidate) => candidate.properties.title === title)?.properties ?? missing();
    // The metric the report emits: namespace and `service` from the report function's Powertools settings.
    expect(widget('Active members per day').metrics?.[0]?.slice(0, 4)).toEqual([
      'WeComContact',
      METRICS.activeMembers,
      'service',
      'wecom-contact-dev',
    ]);
    expect(JSON.stringify(widget('API requests').metrics)).toContain('"AWS/ApiGateway","Count"');
    expect(JSON.stringify(widget('API errors').metrics)).toContain('"5xx"');
    expect(JSON.stringify(widget('API latency (ms)').metrics)).toContain('"Latency"');
  });
});

describe('egress', () => {
  it('with fixed-ip, runs every function in private subnets behind NAT gateways on Elastic IPs, and outputs the IPs', () => {
    expect(resourcesOfType(everything, 'AWS::EC2::VPC')).toHaveLength(1);
    const ips = resourcesOfType(everything, 'AWS::EC2::EIP').map(([id]) => id);
    expect(ips).toHaveLength(2);
    const natAllocations = resourcesOfType(everything, 'AWS::EC2::NatGateway').map(([, nat]) =>
      render(nat.Properties.AllocationId),
    );
    expect(natAllocations.sort()).toEqual(ips.map((id) => att(id, 'AllocationId')).sort());

    const outputs = everything.template.toJSON().Outputs as Record<
      string,
      { Value: unknown; Description: string }
    >;
    expect(['EgressIp1', 'EgressIp2'].map((key) => render(outputs[key]?.Value)).sort()).toEqual(
      ips.map((id) => att(id, 'PublicIp')).sort(),
    );
    expect(outputs.EgressIp1?.Description).toContain('企业可信IP');

    const privateSubnets = resourcesOfType(everything, 'AWS::EC2::Subnet')
      .filter(([, subnet]) => subnet.Properties.MapPublicIpOnLaunch === false)
      .map(([id]) => ref(id));
    for (const fn of functionsOf(everything).values()) {
      const vpcConfig = resource(everything, logicalId(fn.function)).Properties.VpcConfig as {
        SubnetIds: unknown[];
      };
      expect(vpcConfig.SubnetIds.map(render).sort()).toEqual(privateSubnets.sort());
    }
    const [, securityGroup] = resourcesOfType(everything, 'AWS::EC2::SecurityGroup')[0] ?? missing();
    expect(securityGroup.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
  });

  it('by default, creates no network: functions use Lambda’s own egress', () => {
    expect(resourcesOfType(defaults, 'AWS::EC2::VPC')).toEqual([]);
    expect(resourcesOfType(defaults, 'AWS::EC2::EIP')).toEqual([]);
    for (const fn of functionsOf(defaults).values()) {
      expect(resource(defaults, logicalId(fn.function)).Properties.VpcConfig).toBeUndefined();
    }
    expect(
      Object.keys(defaults.template.toJSON().Outputs).filter((key) => key.startsWith('EgressIp')),
    ).toEqual([]);
  });
});

describe('names', () => {
  it('sets no physical name', () => {
    const physicalNameKeys = [
      'FunctionName',
      'RoleName',
      'QueueName',
      'LogGroupName',
      'TopicName',
      'DashboardName',
      'AlarmName',
    ];
    // These name another resource (by reference), not themselves.
    const referencing = new Set([
      'AWS::Lambda::EventSourceMapping',
      'AWS::Lambda::Permission',
      'AWS::Lambda::EventInvokeConfig',
      'AWS::EC2::FlowLog',
    ]);
    const named = Object.values(everything.resources)
      .filter(({ Type }) => !referencing.has(Type))
      // EventBridge writes only to log groups named /aws/events/… (contact-events.test.ts).
      .filter(({ Properties }) => !String(Properties?.LogGroupName).startsWith('/aws/events/'))
      .filter(({ Properties }) => physicalNameKeys.some((key) => Properties?.[key] !== undefined))
      .map(({ Type }) => Type);
    expect(named).toEqual([]);
  });
});

function missing(): never {
  throw new Error('expected to find it');
}
