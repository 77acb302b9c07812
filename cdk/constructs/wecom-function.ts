/**
 * The function defaults, in one place: every Lambda of the stack (13 endpoints and the report) is a
 * WeComFunction. It owns its role and log group, so its policy holds exactly its own grants.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  type ILayerVersion,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CredentialName } from '#shared/credential-roles.ts';
import { ENV } from '#shared/stage-names.ts';
import { HANDLER, STANDALONE_FUNCTION_IDS } from '../../scripts/build.ts';
import type { FunctionId } from '../../shared/src/function-ids.ts';
import { functionCode } from '../bundling.ts';
import { FUNCTION_MEMORY_MB, functionProcessEnvironment } from '../node-options.ts';
import type { StageParameters } from './stage-parameters.ts';

/** Where functions run with `egress: fixed-ip`: private subnets behind the NAT gateways' Elastic IPs. */
export interface FunctionNetwork {
  readonly vpc: IVpc;
  readonly vpcSubnets: SubnetSelection;
  readonly securityGroups: ISecurityGroup[];
}

/** What every function of a stage shares. */
export interface FunctionDefaults {
  readonly layer: ILayerVersion;
  readonly parameters: StageParameters;
  /** POWERTOOLS_SERVICE_NAME: the `service` key of every log line and the `service` metric dimension. */
  readonly serviceName: string;
  /** POWERTOOLS_METRICS_NAMESPACE of the EMF metrics. */
  readonly metricsNamespace: string;
  readonly logRetention: RetentionDays;
  readonly network?: FunctionNetwork;
  /** Run with NODE_OPTIONS=--enable-source-maps (the layer then ships its map): the `sourceMaps` key. */
  readonly sourceMaps: boolean;
  /** X-Ray active tracing: the `tracing` key. */
  readonly tracing: boolean;
  /** Reserved concurrency by function id (cdk/concurrency.ts); `undefined`: none. */
  readonly reservedConcurrency: (functionId: FunctionId) => number | undefined;
}

export interface WeComFunctionProps {
  /**
   * The operation's id (or another function's): its bundle, and its name in logs and metrics.
   * @example 'user-create'
   */
  readonly functionId: FunctionId;
  /** @example 'POST /users: Create a member' */
  readonly description: string;
  /**
   * The credentials it may use: WECOM_CREDENTIALS, and the SSM parameters it is granted.
   * @example ['contact', 'app']
   */
  readonly credentials: readonly CredentialName[];
  /** What every function of the stage shares (layer, parameters, logging, network). */
  readonly defaults: FunctionDefaults;
  /**
   * Added to the default variables (and overriding them).
   * @default none
   * @example { WECOM_FETCH_CHILD_MAX_DEPARTMENTS: '500' }
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default DEFAULT_TIMEOUT (25 s)
   * @example Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/**
 * 25 s: room for the layer's retries with backoff and a recursive department walk, yet under an HTTP
 * API's 30 s integration timeout, so a slow call ends as our own 504 rather than API Gateway's.
 */
export const DEFAULT_TIMEOUT = Duration.seconds(25);

export class WeComFunction extends Construct {
  readonly functionId: FunctionId;
  readonly function: LambdaFunction;
  /** Its own role: grants added here reach this function only. */
  readonly role: Role;

  constructor(scope: Construct, id: string, props: WeComFunctionProps) {
    super(scope, id);
    const { defaults } = props;
    this.functionId = props.functionId;

    const logGroup = new LogGroup(this, 'Logs', {
      retention: defaults.logRetention,
      // Member changes are an audit trail: the logs outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.functionId}`,
    });
    logGroup.grantWrite(this.role);
    defaults.parameters.grantCredentials(this.role, props.credentials);
    if (defaults.network) grantVpcAccess(this.role);

    this.function = new LambdaFunction(this, 'Function', {
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      handler: HANDLER,
      code: functionCode(props.functionId),
      // A standalone function bundles what it needs (scripts/build.ts).
      layers: STANDALONE_FUNCTION_IDS.has(props.functionId) ? [] : [defaults.layer],
      memorySize: FUNCTION_MEMORY_MB,
      timeout: props.timeout ?? DEFAULT_TIMEOUT,
      reservedConcurrentExecutions: defaults.reservedConcurrency(props.functionId),
      tracing: defaults.tracing ? Tracing.ACTIVE : undefined,
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      environment: {
        [ENV.ssmPrefix]: defaults.parameters.prefix,
        [ENV.credentials]: props.credentials.join(','),
        ...(defaults.parameters.corpId === undefined ? {} : { [ENV.corpId]: defaults.parameters.corpId }),
        POWERTOOLS_SERVICE_NAME: defaults.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: defaults.metricsNamespace,
        ...functionProcessEnvironment(FUNCTION_MEMORY_MB, { sourceMaps: defaults.sourceMaps }),
        ...props.environment,
      },
      ...defaults.network,
    });
    if (defaults.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray’s PutTraceSegments and PutTelemetryRecords have no resource to scope to.',
      });
    }
  }
}

/**
 * The network-interface actions Lambda needs for a function in a VPC: those of the managed
 * AWSLambdaVPCAccessExecutionRole without its logs on `*` (each function writes only its own log group).
 */
export const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/** Lambda manages the network interfaces itself; EC2's interface actions cannot be scoped to resources. */
function grantVpcAccess(role: Role): void {
  role.addToPrincipalPolicy(new PolicyStatement({ actions: VPC_ACCESS_ACTIONS, resources: ['*'] }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Lambda’s network-interface actions for a VPC function (the managed VPC policy’s EC2 actions, without its logs on *): EC2 cannot scope them to resources.',
  });
}
