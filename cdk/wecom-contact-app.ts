/**
 * The CDK app's composition, shared by the entry point (cdk/app.ts) and the tests: the stage's stack
 * from the validated context, checked by cdk-nag's AwsSolutions rules (an unacknowledged finding fails
 * the synth; every acknowledgement sits next to the construct it concerns, with its reason).
 */
import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config.ts';
import { WeComContactStack } from './wecom-contact-stack.ts';

export function defineApp(app: App): WeComContactStack {
  const config = readConfig((key) => app.node.tryGetContext(key));
  const stack = new WeComContactStack(app, `WeComContact-${config.stage}`, {
    config,
    description: `WeCom contact API (${config.stage}): member routes, write queues, daily active-member report`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
