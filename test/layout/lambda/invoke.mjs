/**
 * One Lambda container, as far as the function can tell: loads `<task root>/index.mjs` (handler
 * `index.handler`) and invokes it once per event received over IPC, in order (a cold start, then
 * warm invocations), with a Lambda-shaped context. Answers over IPC, then exits like a container
 * that is frozen for good:
 *   { node, results: Array<{ value } | { error: { name, message } }> } or { node, loadError }.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [taskRoot] = process.argv.slice(2);
const timeoutMs = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? '25') * 1000;

process.once('message', async (events) => {
  let answer;
  try {
    const { handler } = await import(pathToFileURL(path.join(taskRoot, 'index.mjs')).href);
    const results = [];
    for (const event of events) {
      try {
        results.push({ value: await handler(event, lambdaContext()) });
      } catch (error) {
        results.push({ error: { name: error.name, message: error.message } });
      }
    }
    answer = { node: process.version, results };
  } catch (error) {
    answer = { node: process.version, loadError: { code: error.code, message: error.message } };
  }
  process.send(answer, () => process.exit(0));
});

function lambdaContext() {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}
