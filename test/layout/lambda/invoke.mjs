/**
 * One Lambda container, as far as the function can tell: loads `<task root>/index.mjs` (handler
 * `index.handler`) and invokes it once per event received over IPC, in order (a cold start, then
 * warm invocations), with a Lambda-shaped context. Answers over IPC, then exits like a container
 * that is frozen for good:
 *   { node, layerResolution, results: Array<{ value } | { error: { name, message } }>, nodeUndici }
 *   or { node, layerResolution, loadError }.
 * `nodeUndici`: whether Node's own copy of undici got loaded (the layer brings its own; loading both
 * costs a cold start ~20 ms, docs/performance.md).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaContext, layerResolution } from './runtime.mjs';

const [taskRoot] = process.argv.slice(2);

process.once('message', async (events) => {
  const answer = { node: process.version, layerResolution: layerResolution() };
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
    answer.results = results;
    answer.nodeUndici = process.moduleLoadList.includes('NativeModule internal/deps/undici/undici');
  } catch (error) {
    answer.loadError = { code: error.code, message: error.message };
  }
  process.send(answer, () => process.exit(0));
});
