/**
 * Loaded with `node --import` before the function's code: installs Lambda's layer resolution
 * (node-path-hooks.mjs), and records which way for the harness to report.
 *  - `module.registerHooks` (Node ≥ 22.15, the Lambda runtime's 24 among them): synchronously, in the
 *    loading thread, with no thread to start, so a cold start costs what it costs on Lambda.
 *  - `module.register` (older Node, e.g. 20): in a loader thread of its own, which costs start-up time
 *    and memory that Lambda does not spend.
 */
import module from 'node:module';
import { resolveSync } from './node-path-hooks.mjs';
import { LAYER_RESOLUTION } from './runtime.mjs';

if (typeof module.registerHooks === 'function') {
  module.registerHooks({ resolve: resolveSync });
  globalThis[LAYER_RESOLUTION] = 'module.registerHooks';
} else {
  module.register('./node-path-hooks.mjs', import.meta.url);
  globalThis[LAYER_RESOLUTION] = 'module.register';
}
