/**
 * One stack per stage (docs/architecture.md §8): the layer, one function and one route per row of the operation
 * table, a queue for each queued write, the scheduled report, monitoring and, with `egress: fixed-ip`,
 * the network whose Elastic IPs WeCom trusts.
 */
import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { Architecture, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { credentialsForRole } from '#shared/credential-roles.ts';
import { METRICS } from '#shared/metric-names.ts';
import { getOperation, OPERATIONS, type OperationId } from '#shared/operations.ts';
import { ENV } from '#shared/stage-names.ts';
import { layerCode } from './bundling.ts';
import {
  ConcurrencyPlan,
  DEFAULT_RESERVABLE_CONCURRENCY,
  WECOM_LIMIT_SHARE,
  walksDepartments,
} from './concurrency.ts';
import type { StackConfig } from './config.ts';
import { ActiveStatReport } from './constructs/active-stat-report.ts';
import { ContactEvents } from './constructs/contact-events.ts';
import { Doctor } from './constructs/doctor.ts';
import { FixedEgress } from './constructs/fixed-egress.ts';
import { LookupBudget } from './constructs/lookup-budget.ts';
import { MemberApi } from './constructs/member-api.ts';
import { Monitoring, type WatchedApi, type WatchedQueue } from './constructs/monitoring.ts';
import { StageParameters } from './constructs/stage-parameters.ts';
import { DEFAULT_TIMEOUT, type FunctionDefaults, WeComFunction } from './constructs/wecom-function.ts';
import { WriteQueue } from './constructs/write-queue.ts';
import { constructId } from './names.ts';

/**
 * Records per write invocation. It does not enter the scale arithmetic (cdk/concurrency.ts,
 * docs/operations.md): a write function works through its batch one record at a time, so the batch
 * size sets how many records an invocation carries, not how many calls are in flight.
 */
const WRITE_BATCH_SIZE = 10;

export interface WeComContactStackProps extends StackProps {
  readonly config: StackConfig;
}

export class WeComContactStack extends Stack {
  readonly functions: ReadonlyMap<OperationId, WeComFunction>;
  readonly api: MemberApi;
  readonly report: ActiveStatReport;
  readonly contactEvents: ContactEvents;
  readonly concurrency: ConcurrencyPlan;
  readonly doctor: Doctor;

  constructor(scope: Construct, id: string, props: WeComContactStackProps) {
    super(scope, id, props);
    const { config } = props;
    const serviceName = `wecom-contact-${config.stage}`;
    this.concurrency = new ConcurrencyPlan({ ...config, apis: config.jwt ? 2 : 1 });
    const reserved = this.concurrency.totalReserved();
    if (reserved > DEFAULT_RESERVABLE_CONCURRENCY) {
      Annotations.of(this).addWarningV2(
        'wecom-contact:reserved-concurrency',
        `The functions reserve ${reserved} concurrent executions; with Lambda's default quota (1,000, of which 100 stay unreserved) the deployment fails. Raise the account's quota to ${reserved + 100} or more, or set -c reservedConcurrency=<per function> or -c reservedConcurrency=off. See docs/operations.md, Concurrency.`,
      );
    }
    const overBudget = this.concurrency.overBudget();
    if (overBudget.length > 0) {
      Annotations.of(this).addWarningV2(
        'wecom-contact:call-budget',
        `The worst case of WeCom calls exceeds ${WECOM_LIMIT_SHARE * 100}% of WeCom's per-API limit (45009 for the whole company): ${overBudget.join('; ')}. See docs/operations.md, Scale.`,
      );
    }

    const egress =
      config.egress === 'fixed-ip'
        ? new FixedEgress(this, 'Egress', {
            natGateways: config.natGateways,
            logRetention: config.logRetention,
          })
        : undefined;
    const defaults: FunctionDefaults = {
      layer: new LayerVersion(this, 'Layer', {
        code: layerCode({ sourceMap: config.sourceMaps }),
        description: 'WeCom client, access_token provider, middleware and validation',
        compatibleRuntimes: [Runtime.NODEJS_24_X],
        compatibleArchitectures: [Architecture.ARM_64],
      }),
      parameters: new StageParameters(this, 'Parameters', {
        prefix: config.ssmPrefix,
        corpId: config.corpId,
      }),
      serviceName,
      metricsNamespace: METRICS.namespace,
      logRetention: config.logRetention,
      network: egress?.network,
      sourceMaps: config.sourceMaps,
      tracing: config.tracing,
      reservedConcurrency: (functionId) => this.concurrency.forFunction(functionId),
    };
    const functions = new Map(
      OPERATIONS.map((operation) => {
        const fn = new WeComFunction(this, constructId(operation.id), {
          functionId: operation.id,
          description: `${operation.http.method} ${operation.http.path}: ${operation.summary}`,
          credentials: credentialsForRole(operation.credential, config.appCredential),
          defaults,
          environment: walksDepartments(operation)
            ? { [ENV.fetchChildMaxDepartments]: String(config.fetchChildMaxDepartments) }
            : undefined,
        });
        return [operation.id, fn] as const;
      }),
    );
    this.functions = functions;
    const handlers = new Map([...functions].map(([operationId, fn]) => [operationId, fn.function]));

    this.api = new MemberApi(this, 'Http', {
      apiName: serviceName,
      description: `WeCom contact API (${config.stage}), IAM-authorised`,
      authorizer: new HttpIamAuthorizer(),
      handlers,
      throttle: config.apiThrottle,
      logRetention: config.logRetention,
    });
    new CfnOutput(this, 'ApiUrl', {
      value: this.api.stage.url,
      description: 'Base URL (sign requests with SigV4)',
    });
    const watchedApis: WatchedApi[] = [{ id: 'Api', label: 'IAM API', api: this.api.api }];
    if (config.jwt) {
      const jwtApi = new MemberApi(this, 'JwtHttp', {
        apiName: `${serviceName}-jwt`,
        description: `WeCom contact API (${config.stage}), JWT-authorised`,
        authorizer: new HttpJwtAuthorizer('Jwt', config.jwt.issuer, { jwtAudience: config.jwt.audience }),
        handlers,
        throttle: config.apiThrottle,
        logRetention: config.logRetention,
      });
      new CfnOutput(this, 'JwtApiUrl', { value: jwtApi.stage.url, description: 'Base URL (Bearer JWT)' });
      watchedApis.push({ id: 'JwtApi', label: 'JWT API', api: jwtApi.api });
    }

    const queues = new Map<string, WatchedQueue>();
    for (const [operationId, { function: consumer }] of functions) {
      const operation = getOperation(operationId);
      if (!operation.queued) continue;
      const writeQueue = new WriteQueue(this, `${constructId(operation.id)}Queue`, {
        consumer,
        consumerTimeout: DEFAULT_TIMEOUT,
        maxConcurrency: config.writeConcurrency,
        batchSize: WRITE_BATCH_SIZE,
      });
      queues.set(operation.id, writeQueue);
      new CfnOutput(this, `${constructId(operation.id)}QueueUrl`, {
        value: writeQueue.queue.queueUrl,
        description: `One ${operation.wecomApi} request per message`,
      });
    }

    this.report = new ActiveStatReport(this, 'Report', {
      defaults,
      schedule: config.reportSchedule,
      webhook: config.reportWebhook,
    });
    queues.set(this.report.reporter.functionId, { deadLetterQueue: this.report.deadLetterQueue });

    this.contactEvents = new ContactEvents(this, 'ContactEvents', {
      defaults,
      stage: config.stage,
      api: this.api.api,
      apiStage: this.api.stage,
      appCredential: config.appCredential,
      enrich: config.callbackEnrichment,
      archiveRetentionDays: config.eventArchiveRetentionDays,
      throttle: config.callbackThrottle,
      schemaRegistry: config.eventSchemaRegistry,
    });

    this.doctor = new Doctor(this, 'Doctor', {
      stage: config.stage,
      defaults,
      credentials: config.appCredential ? ['contact', 'app'] : ['contact'],
      webhook: config.reportWebhook,
      deadLetterQueues: new Map([...queues].map(([name, { deadLetterQueue }]) => [name, deadLetterQueue])),
    });

    const monitoring = new Monitoring(this, 'Monitoring', {
      apis: watchedApis,
      functions: new Map([
        ...handlers,
        [this.report.reporter.functionId, this.report.reporter.function],
        [this.contactEvents.callback.functionId, this.contactEvents.callback.function],
      ]),
      queues,
      reporter: this.report.reporter.function,
      activeMembers: this.report.metricActiveMembers(),
      metrics: { namespace: METRICS.namespace, service: serviceName },
      alarmEmail: config.alarmEmail,
    });
    this.contactEvents.notify(monitoring.topic);
    if (config.corpSeats !== undefined) {
      new LookupBudget(this, 'LookupBudget', {
        seats: config.corpSeats,
        alarmPercent: config.lookupMissAlarmPercent,
        namespace: METRICS.namespace,
        serviceName: defaults.serviceName,
        topic: monitoring.topic,
      });
    }

    egress?.egressIps.forEach((ip, index) => {
      new CfnOutput(this, `EgressIp${index + 1}`, {
        value: ip.attrPublicIp,
        description: 'Fixed egress IP of the functions: add it to 企业可信IP in the WeCom admin console',
      });
    });
  }
}
