/**
 * `egress: fixed-ip`: WeCom accepts business calls of apps created since 2022 only from the company's
 * trusted IPs (企业可信IP; errcode 60020 otherwise), and Lambda's own egress addresses are not fixed.
 * Here the functions run in private subnets whose only way out is NAT gateways on Elastic IPs: those
 * addresses (`egressIps`) are stack outputs, to be added to 企业可信IP.
 */
import {
  CfnEIP,
  FlowLogDestination,
  FlowLogTrafficType,
  NatProvider,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionNetwork } from './wecom-function.ts';

export interface FixedEgressProps {
  /**
   * One NAT gateway (and Elastic IP) per zone used, 1 or 2; 2 survives the loss of a zone.
   * @example 2
   */
  readonly natGateways: number;
  /**
   * Of the VPC's flow logs (rejected traffic).
   * @example RetentionDays.ONE_MONTH
   */
  readonly logRetention: RetentionDays;
}

export class FixedEgress extends Construct {
  readonly vpc: Vpc;
  readonly network: FunctionNetwork;
  readonly egressIps: readonly CfnEIP[];

  constructor(scope: Construct, id: string, props: FixedEgressProps) {
    super(scope, id);
    this.egressIps = Array.from(
      { length: props.natGateways },
      (_, index) => new CfnEIP(this, `Ip${index + 1}`, { domain: 'vpc' }),
    );
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: props.natGateways,
      natGatewayProvider: NatProvider.gateway({
        eipAllocationIds: this.egressIps.map((ip) => ip.attrAllocationId),
      }),
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'FlowLogs', { retention: props.logRetention }),
          ),
          trafficType: FlowLogTrafficType.REJECT,
        },
      },
    });
    // The functions only call out over HTTPS (WeCom, SSM, CloudWatch) and accept no connection.
    const securityGroup = new SecurityGroup(this, 'FunctionsSecurityGroup', {
      vpc: this.vpc,
      description: 'WeCom contact functions: HTTPS out only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to WeCom and AWS APIs');
    this.network = {
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
    };
  }
}
