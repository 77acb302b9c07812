/**
 * Lambda's resolution of the layer package, reproduced: Lambda sets
 * NODE_PATH=/opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:… and resolves a bare import the
 * function's own folder cannot satisfy from those folders. Node applies NODE_PATH to `require` only,
 * so this resolve hook retries a bare ESM import that was not found from each NODE_PATH
 * `node_modules` folder in order, with Node's own resolver (package.json `exports` and all). Nothing
 * else is changed.
 *
 * Two forms of the one hook (register-hooks.mjs picks): `resolveSync` for `module.registerHooks`, whose
 * chain is synchronous, and `resolve` for `module.register`, whose chain is asynchronous.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const folders = (process.env.NODE_PATH ?? '')
  .split(path.delimiter)
  .filter((folder) => path.basename(folder) === 'node_modules');

/** `pkg` or `@scope/pkg/sub`; not `./x`, `/x`, `node:x` or `file:…`. */
const isBare = (specifier) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

/** The contexts to resolve `specifier` in, in order: the importer's own, then one per NODE_PATH folder. */
function* attempts(specifier, context) {
  yield context;
  if (!isBare(specifier)) return;
  for (const folder of folders) {
    // Resolved as if imported from a file beside `folder`, Node looks in `folder` first.
    yield {
      ...context,
      parentURL: pathToFileURL(path.join(path.dirname(folder), 'node-path-import.mjs')).href,
    };
  }
}

const notFound = (error) => error?.code === 'ERR_MODULE_NOT_FOUND';

export function resolveSync(specifier, context, nextResolve) {
  let firstError;
  for (const attempt of attempts(specifier, context)) {
    try {
      return nextResolve(specifier, attempt);
    } catch (error) {
      if (!notFound(error)) throw error;
      firstError ??= error;
    }
  }
  throw firstError;
}

export async function resolve(specifier, context, nextResolve) {
  let firstError;
  for (const attempt of attempts(specifier, context)) {
    try {
      return await nextResolve(specifier, attempt);
    } catch (error) {
      if (!notFound(error)) throw error;
      firstError ??= error;
    }
  }
  throw firstError;
}
