/**
 * The template against two outside checkers: cdk-nag's AwsSolutions rules (wired into the app, so
 * any synth fails on an unacknowledged finding) and cfn-lint, CloudFormation's own linter.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { defineApp } from '#cdk/wecom-contact-app.ts';
import { type Synthesized, synthesize } from './synth.ts';
import { VARIANTS } from './variants.ts';

const synthesized = new Map<string, Synthesized>();
/** Each variant synthesized once (which runs cdk-nag), shared by the tests below. */
function variant(name: keyof typeof VARIANTS): Synthesized {
  const found = synthesized.get(name) ?? synthesize(VARIANTS[name]);
  synthesized.set(name, found);
  return found;
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in any variant', () => {
    for (const name of Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>) {
      expect(() => variant(name), name).not.toThrow();
    }
  });

  it('fails the synth on a finding nobody acknowledged', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = defineApp(app);
    new Queue(stack, 'PlainQueue'); // no TLS enforcement, no dead-letter queue
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS[34]/);
  });

  it('acknowledges only findings it can explain, each with its reason', () => {
    const acknowledged = variant('everything')
      .app.node.findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter(({ type }) => type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap(({ data }) => Object.entries(data as Record<string, string>))
      // CDK's own constructs acknowledge some CloudFormation checks themselves.
      .filter(([id]) => id.includes('::AwsSolutions-'));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      // Wildcards only where AWS leaves no choice (the aws/ssm key id, function qualifiers), the VPC
      // policy Lambda documents, DLQs that are DLQs, an alarm topic CloudWatch can publish to, and the
      // callback route, which WeCom's msg_signature authenticates.
      expect(id).toMatch(/::AwsSolutions-(IAM5\[Resource::|IAM4\[Policy::|SQS3$|SNS2$|APIG4$)/);
      expect(reason.split(' ').length, id).toBeGreaterThan(8);
    }
  });
});

describe.skipIf(!cfnLintAvailable())('cfn-lint', () => {
  const directory = mkdtempSync(join(tmpdir(), 'wecom-contact-templates-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('reports no error or warning in any synthesized template', () => {
    const files = (Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>).map((name) => {
      const file = join(directory, `${name}.template.json`);
      writeFileSync(file, JSON.stringify(variant(name).template.toJSON(), null, 1));
      return file;
    });
    // W3005 (an explicit DependsOn that a reference already implies) is how CDK orders resources.
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', ...files], { encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });
});

/** cfn-lint is on the machine image; elsewhere the suite says it skipped, and on CI it must not. */
function cfnLintAvailable(): boolean {
  const onPath = (process.env.PATH ?? '').split(delimiter).some((directory) => {
    try {
      accessSync(join(directory, 'cfn-lint'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (onPath) return true;
  const message = 'cfn-lint is not on PATH: the template lint needs it (pip install cfn-lint)';
  if (process.env.CI === 'true') throw new Error(`${message}. CI must run it.`);
  console.warn(`SKIPPED: ${message}.`);
  return false;
}
