/**
 * What makes the layer cheap to start, as esbuild aliases (the build is synchronous for CDK, and
 * esbuild plugins need its asynchronous API); docs/performance.md measures each:
 *
 * - Node built-ins without their ESM facade: an ES `import … from 'node:http'` makes Node build the
 *   module's ESM namespace, which reads every export, lazy ones included (`http.WebSocket` loads Node's
 *   own copy of undici: ~20 ms of a cold start). Each built-in resolves instead to a one-line module
 *   that hands over the CommonJS object (`process.getBuiltinModule`, as `require` would); esbuild
 *   reads named imports from it as properties where they are used, so nothing lazy is touched.
 * - undici by the modules the layer uses: its main entry loads all of undici (fetch, WebSocket,
 *   caches, cookies, mocks: half a MiB). `undici` resolves to a module exporting only `Agent`; an
 *   import of any other name fails the build, so this cannot silently fall behind the sources.
 * - Built-ins a dependency imports for a path the layer never takes, loaded on first use instead
 *   (`LAZY_BUILTINS`): middy imports `node:stream/web` for streamed responses only (~2 ms of a cold
 *   start on the Lambda Node binary).
 * - Lambda's credentials only: the SDK's default chain bundles every way of finding credentials (SSO,
 *   profiles, processes, web identity, IMDS, with the STS/SSO clients they need: ~90 KiB to compile on
 *   each cold start). A Lambda function gets its role's credentials in its environment; the chain
 *   here reads them there, then from a container endpoint (AWS_CONTAINER_CREDENTIALS_*), and fails
 *   with the SDK's own error otherwise.
 *
 * The alias targets are files: they are written to `<repo>/node_modules/.cache/layer-shims/`.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';

/** A module per built-in; `node:`-only ones (node:test, node:sqlite) are not used by the layer. */
const builtinShim = (name: string) =>
  `module.exports = process.getBuiltinModule(${JSON.stringify(`node:${name}`)});\n`;

/** Built-ins the layer's dependencies import but its functions never use: see the header. */
const LAZY_BUILTINS: ReadonlySet<string> = new Set(['stream/web']);

/**
 * The same object, its exports as getters that load the module on first read. The names are this
 * Node's (the build's): a name only a newer Node has would read as undefined, which the layout test
 * would catch for the one use there is (middy's `ReadableStream`, on a path the layer never takes).
 */
const lazyBuiltinShim = (name: string) => {
  const names = Object.keys(process.getBuiltinModule(`node:${name}`) as object);
  return `let loaded;
const load = () => (loaded ??= process.getBuiltinModule(${JSON.stringify(`node:${name}`)}));
for (const name of ${JSON.stringify(names)}) {
  Object.defineProperty(module.exports, name, { enumerable: true, get: () => load()[name] });
}
`;
};

/**
 * `Agent#request` is the layer's one use of undici. undici's main entry installs `request` (and
 * stream, pipeline… which the layer never calls) on every dispatcher; this installs `request` alone.
 */
const undiciShim = (resolve: (id: string) => string) => `
import Agent from ${JSON.stringify(resolve('undici/lib/dispatcher/agent.js'))};
import Dispatcher from ${JSON.stringify(resolve('undici/lib/dispatcher/dispatcher.js'))};
import request from ${JSON.stringify(resolve('undici/lib/api/api-request.js'))};
Dispatcher.prototype.request ??= request;
export { Agent };
`;

const credentialsShim = `
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
export const defaultProvider = (init = {}) => {
  const environment = fromEnv(init);
  return async (properties) => {
    try {
      return await environment(properties);
    } catch (error) {
      if (error?.tryNextLink === false) throw error;
      return fromHttp(init)(properties);
    }
  };
};
`;

/**
 * The aliases of the layer build, for a package whose dependencies resolve from `packageDir`. Shim
 * files are (re)written atomically, so concurrent builds never read a half-written one.
 */
export function layerAliases(repoRoot: string, packageDir: string): Record<string, string> {
  const dir = path.join(repoRoot, 'node_modules', '.cache', 'layer-shims');
  mkdirSync(dir, { recursive: true });
  const aliases: Record<string, string> = {};
  const shim = (file: string, contents: string) => {
    const target = path.join(dir, file);
    if (readIfPresent(target) !== contents) {
      const temporary = `${target}.${process.pid}.tmp`;
      writeFileSync(temporary, contents);
      renameSync(temporary, target);
    }
    return target;
  };
  for (const name of builtinModules) {
    if (name.startsWith('_')) continue; // Node's deprecated internals (_http_agent…)
    const contents = LAZY_BUILTINS.has(name) ? lazyBuiltinShim(name) : builtinShim(name);
    const target = shim(`node-${name.replaceAll('/', '-')}.cjs`, contents);
    aliases[name] = target;
    aliases[`node:${name}`] = target;
  }
  const resolve = createRequire(path.join(packageDir, 'package.json')).resolve;
  aliases.undici = shim('undici.mjs', undiciShim(resolve));
  aliases['@aws-sdk/credential-provider-node'] = shim('lambda-credentials.mjs', credentialsShim);
  return aliases;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
