/**
 * The HTTP API: one route per row of the operation table, each to its own function, every route behind
 * the one authoriser given (IAM, or JWT for the optional second API); access logs and throttling on the
 * stage.
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { OPERATIONS, type OperationId } from '#shared/operations.ts';
import { constructId } from '../names.ts';

export interface MemberApiProps {
  /**
   * Its name in the console and the CLI, per stage (`wecom-contact-<stage>`, `…-jwt`).
   * @example 'wecom-contact-prod'
   */
  readonly apiName: string;
  /** @example 'WeCom contact API (prod), IAM-authorised' */
  readonly description: string;
  /**
   * The default authoriser of every route.
   * @example new HttpIamAuthorizer()
   */
  readonly authorizer: IHttpRouteAuthorizer;
  /** The function of each operation: one is required per row of the table. */
  readonly handlers: ReadonlyMap<OperationId, IFunction>;
  /**
   * Applied to each route: each route calls one WeCom API, whose limit is per API.
   * @example { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle: ThrottleSettings;
  /**
   * Of the access logs.
   * @example RetentionDays.ONE_MONTH
   */
  readonly logRetention: RetentionDays;
}

/** One JSON line per request: who called (the IAM caller), what, and how it ended; no bodies. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
    authorizerError: '$context.authorizer.error',
    sourceIp: '$context.identity.sourceIp',
    caller: '$context.identity.userArn',
  }),
);

export class MemberApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: MemberApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: props.description,
      defaultAuthorizer: props.authorizer,
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    for (const operation of OPERATIONS) {
      const handler = props.handlers.get(operation.id);
      if (!handler) throw new Error(`No function for operation ${operation.id}`);
      this.api.addRoutes({
        path: operation.http.path,
        methods: [HttpMethod[operation.http.method]],
        integration: new HttpLambdaIntegration(`${constructId(operation.id)}Integration`, handler),
      });
    }
  }
}
