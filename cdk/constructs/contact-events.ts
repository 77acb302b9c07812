/**
 * Directory change events (docs/events.md): the `contact-callback` function on GET and POST
 * /callbacks/contact of the HTTP API **without IAM auth** (WeCom cannot sign requests: the
 * msg_signature check is the authentication) and throttled on its own; the custom bus
 * `wecom-contact-<stage>` with an archive for replays; a sample rule sending every event to a log
 * group (audit trail); the dedup table; grants for the callback's own parameters only; alarms on
 * refusals and publish failures.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  type CfnStage,
  type HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpStage,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, ResourcePolicy } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CALLBACK_METRICS } from '#shared/callback/delivery.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { CALLBACK_ENV } from '#shared/callback/handler.ts';
import { callbackParameterNames } from '#shared/callback/secrets.ts';
import { credentialsForRole } from '#shared/credential-roles.ts';
import { EventSchemas } from './event-schemas.ts';
import { METRIC_PERIOD } from './health-signals.ts';
import { type FunctionDefaults, WeComFunction } from './wecom-function.ts';

export interface ContactEventsProps {
  readonly defaults: FunctionDefaults;
  /**
   * Names the bus (`wecom-contact-<stage>`) and the audit log group.
   * @example 'prod'
   */
  readonly stage: string;
  /** The IAM-authorised API: the callback route is added to it with no authoriser. */
  readonly api: HttpApi;
  /** That API's stage: its URL makes the `CallbackUrl` output; the route's throttle is set on it. */
  readonly apiStage: HttpStage;
  /**
   * The `app` credential is configured (enrichment reads with it).
   * @example false
   */
  readonly appCredential: boolean;
  /**
   * Read each created/updated member into `detail.member`.
   * @example true
   */
  readonly enrich: boolean;
  /**
   * Days the archive keeps events; 0 keeps them forever.
   * @example 365
   */
  readonly archiveRetentionDays: number;
  /**
   * The callback route's own throttle.
   * @example { rateLimit: 20, burstLimit: 40 }
   */
  readonly throttle: ThrottleSettings;
  /**
   * Publish the event schemas to the EventBridge schema registry.
   * @example false
   */
  readonly schemaRegistry: boolean;
}

/**
 * WeCom waits 5 s for an answer, then retries: past that, an answer is wasted. The function's own
 * deadline leaves it time to answer 503 before then.
 */
const CALLBACK_TIMEOUT = Duration.seconds(5);
/** A few refusals are noise (a scanner); this many in 5 minutes means a wrong token or key, or an attack. */
const REFUSALS_ALARM_THRESHOLD = 10;

export class ContactEvents extends Construct {
  readonly callback: WeComFunction;
  readonly bus: EventBus;
  readonly archive: Archive;
  readonly auditRule: Rule;
  readonly auditLog: LogGroup;
  readonly dedupTable: Table;
  readonly alarms: readonly Alarm[];
  readonly schemas?: EventSchemas;

  constructor(scope: Construct, id: string, props: ContactEventsProps) {
    super(scope, id);
    const { defaults } = props;
    const source = CALLBACK_FUNCTION.eventSource;

    // The bus name is the contract subscribers write rules against.
    const busName = `wecom-contact-${props.stage}`;
    this.bus = new EventBus(this, 'Bus', { eventBusName: busName });
    if (props.schemaRegistry) this.schemas = new EventSchemas(this, 'Schemas', { registryName: busName });
    this.archive = this.bus.archive('Archive', {
      description: `Every ${source} event, for replays`,
      eventPattern: { source: [source] },
      retention: props.archiveRetentionDays > 0 ? Duration.days(props.archiveRetentionDays) : undefined,
    });
    this.auditLog = new LogGroup(this, 'AuditLog', {
      // EventBridge writes only to log groups under /aws/events/.
      logGroupName: `/aws/events/wecom-contact-${props.stage}/directory-changes`,
      retention: defaults.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.auditRule = new Rule(this, 'AuditRule', {
      description: 'Sample subscription: every directory change to a log group (audit trail)',
      eventBus: this.bus,
      eventPattern: { source: [source] },
    });
    // The target and its log-group policy written natively: CDK's CloudWatchLogGroup target would add a
    // Lambda-backed custom resource (with a wildcard policy) only to put this one resource policy.
    this.auditRule.addTarget({ bind: () => ({ arn: this.auditLog.logGroupArn }) });
    new ResourcePolicy(this, 'AuditLogPolicy', {
      policyStatements: [
        new PolicyStatement({
          principals: [
            new ServicePrincipal('events.amazonaws.com'),
            new ServicePrincipal('delivery.logs.amazonaws.com'),
          ],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.auditLog.logGroupArn}:*`],
        }),
      ],
    });

    this.dedupTable = new Table(this, 'DedupTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Claims live a day: nothing worth keeping after the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.callback = new WeComFunction(this, 'Callback', {
      functionId: CALLBACK_FUNCTION.id,
      description: `GET, POST ${CALLBACK_FUNCTION.path}: ${CALLBACK_FUNCTION.summary}`,
      credentials: credentialsForRole(CALLBACK_FUNCTION.credential, props.appCredential),
      defaults,
      environment: {
        [CALLBACK_ENV.busName]: this.bus.eventBusName,
        [CALLBACK_ENV.dedupTable]: this.dedupTable.tableName,
        [CALLBACK_ENV.enrich]: String(props.enrich),
      },
      timeout: CALLBACK_TIMEOUT,
    });
    const fn = this.callback.function;
    this.bus.grantPutEventsTo(fn);
    this.dedupTable.grant(fn, 'dynamodb:PutItem', 'dynamodb:DeleteItem');
    const names = callbackParameterNames(defaults.parameters.prefix);
    defaults.parameters.grantSecureStrings(this.callback.role, [names.token, names.encodingAesKey]);

    const routes = props.api.addRoutes({
      path: CALLBACK_FUNCTION.path,
      methods: [HttpMethod.GET, HttpMethod.POST],
      integration: new HttpLambdaIntegration('CallbackIntegration', fn),
      authorizer: new HttpNoneAuthorizer(),
    });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'WeCom cannot sign requests: the callback authenticates each request by its msg_signature (SHA-1 over the secret Token), checked in constant time before anything is decrypted or published (docs/events.md, Security model).',
      });
    }
    new CfnOutput(this, 'CallbackUrl', {
      // The $default stage's URL ends with a slash.
      value: `${props.apiStage.url}${CALLBACK_FUNCTION.path.slice(1)}`,
      description: 'URL of 接收事件服务器 in the WeCom console (通讯录同步)',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.bus.eventBusName,
      description: 'Directory change events',
    });
    const cfnStage = props.apiStage.node.defaultChild as CfnStage;
    for (const method of ['GET', 'POST']) {
      cfnStage.addPropertyOverride(`RouteSettings.${method} ${CALLBACK_FUNCTION.path}`, {
        ThrottlingRateLimit: props.throttle.rateLimit,
        ThrottlingBurstLimit: props.throttle.burstLimit,
      });
    }

    const metric = (metricName: string) =>
      new Metric({
        namespace: defaults.metricsNamespace,
        metricName,
        dimensionsMap: { service: defaults.serviceName },
        statistic: Stats.SUM,
        period: METRIC_PERIOD,
      });
    this.alarms = [
      new Alarm(this, 'RefusalsAlarm', {
        alarmDescription: `Contact callbacks refused (bad signature, receive id, padding, XML): check the callback Token and EncodingAESKey in SSM against the WeCom console, or look for probing in ${fn.functionName}'s logs`,
        metric: metric(CALLBACK_METRICS.refused),
        threshold: REFUSALS_ALARM_THRESHOLD,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'PublishFailuresAlarm', {
        alarmDescription: `Directory events not published (bus or dedup table failing): WeCom retries 3 times, then the change is lost; reconcile with user/list_id (${Stack.of(this).stackName})`,
        metric: metric(CALLBACK_METRICS.publishFailed),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
  }

  /** Sends the alarms to the stack's alarm topic, when it has one. */
  notify(topic: ITopic | undefined): void {
    if (topic) for (const alarm of this.alarms) alarm.addAlarmAction(new SnsAction(topic));
  }
}
