/**
 * What the Lambda runtime hands a function, for the two harnesses that play the runtime in a child
 * process: test/layout/lambda/invoke.mjs and bench/lambda/driver.mjs. Those children run under plain
 * Node (the Lambda runtime's, or Node 20 without type stripping) and must load nothing but the
 * function, so this is JavaScript, not test/support/lambda-context.ts, which only vitest can load.
 */
import { randomUUID } from 'node:crypto';

/** Where register-hooks.mjs records how it installed the layer resolution. */
export const LAYER_RESOLUTION = Symbol.for('wecom-contact.layer-resolution');

/** `module.registerHooks`, `module.register`, or `none` (started without register-hooks.mjs). */
export const layerResolution = () => globalThis[LAYER_RESOLUTION] ?? 'none';

/** A context as Lambda builds it per invocation, from the variables Lambda sets. */
export function lambdaContext(env = process.env) {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  const region = env.AWS_REGION ?? 'ap-east-1';
  const deadline = Date.now() + Number(env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? '25') * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:${functionName}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
