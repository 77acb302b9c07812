/**
 * Lambda's resolution of the layer package, reproduced: Lambda sets
 * NODE_PATH=/opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:… and resolves a bare import the
 * function's own folder cannot satisfy from those folders. Node applies NODE_PATH to `require` only,
 * so this resolve hook retries a failed bare ESM import from each NODE_PATH `node_modules` folder in
 * order, with Node's own resolver (package.json `exports` and all). Nothing else is changed.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const folders = (process.env.NODE_PATH ?? '')
  .split(path.delimiter)
  .filter((folder) => path.basename(folder) === 'node_modules');

/** `pkg` or `@scope/pkg/sub`; not `./x`, `/x`, `node:x` or `file:…`. */
const isBare = (specifier) => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
    for (const folder of folders) {
      // Resolved as if imported from a file beside `folder`, Node looks in `folder` first.
      const parentURL = pathToFileURL(path.join(path.dirname(folder), 'node-path-import.mjs')).href;
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch {
        // Not in this folder: the next one.
      }
    }
    throw error;
  }
}
