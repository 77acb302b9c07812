/**
 * One Lambda container, as far as the function can tell: loads `<task root>/index.mjs` (handler
 * `index.handler`) and invokes it once per event received over IPC, in order (a cold start, then
 * warm invocations), with a Lambda-shaped context. Answers over IPC, then exits like a container
 * that is frozen for good:
 *   { node, layerResolution, results: Array<{ value } | { error: { name, message } }>, needlessModules }
 *   or { node, layerResolution, loadError }.
 * `needlessModules`: which of Node's modules that the layer must never load got loaded: Node's own copy
 * of undici (the layer brings its own; loading both costs a cold start ~20 ms) and web streams (only
 * middy's streamed responses use them; ~2 ms). docs/performance.md, "Cold start".
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaContext, layerResolution } from './runtime.mjs';

const [taskRoot] = process.argv.slice(2);
const NEEDLESS_MODULES = ['NativeModule internal/deps/undici/undici', 'NativeModule stream/web'];

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
    answer.needlessModules = NEEDLESS_MODULES.filter((name) => process.moduleLoadList.includes(name));
  } catch (error) {
    answer.loadError = { code: error.code, message: error.message };
  }
  process.send(answer, () => process.exit(0));
});
