/**
 * Synthesizes the app as cdk/app.ts does (validated context, cdk-nag), with bundling skipped so that a
 * synth takes milliseconds and needs no built code; plus readers that turn the template's intrinsics
 * into comparable strings.
 */
import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { defineApp } from '#cdk/wecom-contact-app.ts';
import type { WeComContactStack } from '#cdk/wecom-contact-stack.ts';

export interface Synthesized {
  readonly app: App;
  readonly stack: WeComContactStack;
  readonly template: Template;
  /** Resources by logical id. */
  readonly resources: Record<string, CfnResourceJson>;
}

export interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

/** cdk.json's context (stage defaults and feature flags), so tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** The context a variant adds to cdk.json's; bundling is skipped. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stack = defineApp(app);
  app.synth(); // runs cdk-nag: throws on an unacknowledged finding
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources };
}

export const logicalId = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/** Resources of one type, by logical id. */
export function resourcesOfType(synthesized: Synthesized, type: string): Array<[string, CfnResourceJson]> {
  return Object.entries(synthesized.resources).filter(([, resource]) => resource.Type === type);
}

/**
 * A value as a string, in cdk-nag's notation: `{Ref: X}` → `<X>`, `{Fn::GetAtt: [X, Y]}` → `<X.Y>`,
 * `Fn::Join` joined, so that `arn:<AWS::Partition>:ssm:<AWS::Region>:…` compares with `toEqual`.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const intrinsic = value as Record<string, unknown>;
  if ('Ref' in intrinsic) return ref(intrinsic.Ref);
  if ('Fn::GetAtt' in intrinsic) {
    const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
    return att(id, attribute);
  }
  if ('Fn::Join' in intrinsic) {
    const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

/** The ARN the stack grants for an SSM parameter name. */
export const parameterArn = (name: string): string =>
  `arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter${name}`;

/** How `render` shows a reference to a resource, and to one of its attributes. */
export const ref = (logicalId: unknown): string => `<${String(logicalId)}>`;
export const att = (logicalId: string, attribute: string): string => `<${logicalId}.${attribute}>`;

/** The logical id in a rendered `<Id>` or `<Id.Attribute>`. */
export const referencedId = (rendered: string): string => rendered.replace(/^<([^.>]+).*$/, '$1');

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of the policies attached to a role (its default policy and any other). */
export function statementsOfRole(synthesized: Synthesized, roleLogicalId: string): Statement[] {
  return resourcesOfType(synthesized, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.Roles as unknown[]).some((role) => render(role) === ref(roleLogicalId)),
    )
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

export const resourcesOf = (statement: Statement): string[] =>
  (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(render);
