/**
 * The stage's SSM parameters (docs/architecture.md §6) and the only grants on them. Names come from
 * `parameterNames` (the layer reads the same names), ARNs are built from those names: no wildcard.
 *
 * The secrets (and the optional webhook URL) are SecureStrings the operator puts once: CloudFormation
 * cannot create SecureStrings. The corp id is not secret: with the `corpId` context it reaches the
 * functions as an environment value and no parameter is created or read (a stack-owned parameter would
 * fail to create over a hand-made one: ParameterAlreadyExists); otherwise the operator puts it next to
 * the secret.
 */
import { Arn, ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import type { CredentialName } from '#shared/credential-roles.ts';
import { parameterNames } from '#shared/stage-names.ts';

export interface StageParametersProps {
  /** `/wecom-contact/<stage>`: no trailing slash. */
  readonly prefix: string;
  /** The corp id, when the stack knows it (the `corpId` context): then no function reads `<prefix>/corp-id`. */
  readonly corpId?: string;
}

const READ = ['ssm:GetParameter', 'ssm:GetParameters'];

/** A grantee whose policy can carry a cdk-nag acknowledgement (a role or a function). */
export type Grantee = IGrantable & IConstruct;

export class StageParameters extends Construct {
  readonly prefix: string;
  readonly names: ReturnType<typeof parameterNames>;
  /** The corp id given to the functions as an environment value, if the stack knows it. */
  readonly corpId?: string;

  constructor(scope: Construct, id: string, props: StageParametersProps) {
    super(scope, id);
    this.prefix = props.prefix;
    this.names = parameterNames(props.prefix);
    this.corpId = props.corpId;
  }

  /**
   * Read the corp id and the credentials' secrets (the layer reads both at once with GetParameters);
   * read and write their token and lease parameters (a lease is released by deleting it); decrypt the
   * SecureStrings and encrypt the token.
   */
  grantCredentials(grantee: Grantee, credentials: readonly CredentialName[]): void {
    const { corpId, secret, token, lease } = this.names;
    const read = [
      ...(this.corpId === undefined ? [corpId] : []),
      ...credentials.flatMap((credential) => [secret(credential), token(credential), lease(credential)]),
    ];
    this.grant(grantee, READ, read);
    this.grant(grantee, ['ssm:PutParameter'], credentials.map(token));
    this.grant(grantee, ['ssm:PutParameter', 'ssm:DeleteParameter'], credentials.map(lease));
    this.grantSsmKey(
      grantee,
      ['kms:Decrypt'],
      credentials.flatMap((credential) => [secret(credential), token(credential)]),
    );
    this.grantSsmKey(grantee, ['kms:Encrypt'], credentials.map(token));
  }

  /** See whether parameters exist (GetParameters without decryption): the doctor's check of the webhook. */
  grantPresence(grantee: Grantee, names: readonly string[]): void {
    this.grant(grantee, ['ssm:GetParameters'], names);
  }

  /** Read the report's group-robot webhook URL (a SecureString: the URL carries the robot's key). */
  grantReportWebhook(grantee: Grantee): void {
    this.grant(grantee, READ, [this.names.reportWebhookUrl]);
    this.grantSsmKey(grantee, ['kms:Decrypt'], [this.names.reportWebhookUrl]);
  }

  /** Read and decrypt these SecureStrings (the contact callback's Token and EncodingAESKey), nothing else. */
  grantSecureStrings(grantee: Grantee, names: readonly string[]): void {
    this.grant(grantee, READ, names);
    this.grantSsmKey(grantee, ['kms:Decrypt'], names);
  }

  private parameterArn(name: string): string {
    return Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: name.replace(/^\//, ''),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  private grant(grantee: Grantee, actions: string[], names: readonly string[]): void {
    Grant.addToPrincipal({ grantee, actions, resourceArns: names.map((name) => this.parameterArn(name)) });
  }

  /**
   * SecureStrings use the AWS-managed `aws/ssm` key, whose id is unknown before deployment: the key ARN
   * is a wildcard, narrowed to calls SSM makes on the caller's behalf for exactly these parameters.
   */
  private grantSsmKey(grantee: Grantee, actions: string[], names: readonly string[]): void {
    const anyKey = Arn.format({ service: 'kms', resource: 'key', resourceName: '*' }, Stack.of(this));
    Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [anyKey],
      conditions: {
        StringEquals: {
          'kms:ViaService': `ssm.${Aws.REGION}.amazonaws.com`,
          'kms:EncryptionContext:PARAMETER_ARN': names.map((name) => this.parameterArn(name)),
        },
      },
    });
    Validations.of(grantee).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
      reason:
        'The AWS-managed aws/ssm key has no id before deployment; use is limited by kms:ViaService to SSM and by the encryption context to this function’s own parameters.',
    });
  }
}
