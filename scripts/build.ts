/**
 * The one build path of the Lambda artefacts, used by `npm run build` (everything into `dist/`), by the
 * CDK stack's local bundling (cdk/bundling.ts) and by the Lambda layout test.
 *
 * - A function bundle is its entry alone: the layer package stays an external import, which Lambda
 *   resolves from the layer (`/opt/nodejs/node_modules`). One copy of the layer per container means
 *   one token cache and one undici pool, and function bundles of a few KiB. The entry of a table
 *   operation is generated from its row (`operationEntry`); other functions have `functions/<id>.ts`.
 * - The layer bundles `shared/index.ts` with all its runtime dependencies into
 *   `nodejs/node_modules/<layer package>/index.mjs`, next to a package.json that makes it an ES module
 *   importable by its bare name.
 *
 * Builds are synchronous (esbuild's `buildSync`) because CDK's local bundling hook is.
 *
 *   tsx scripts/build.ts [--source-maps]                  everything into dist/
 *   tsx scripts/build.ts --layer <dir> [--source-maps]    the layer alone into <dir>
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { FUNCTION_IDS, type FunctionId } from '#shared/function-ids.ts';
import { OPERATIONS, type OperationId } from '#shared/operations.ts';
import layerManifest from '../shared/package.json' with { type: 'json' };
import { layerAliases } from './layer-shims.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The bare name the functions import the layer by (`@wecom-contact/layer`). */
export const LAYER_PACKAGE = layerManifest.name;

/**
 * Functions that bundle their own dependencies and run without the layer: the contact callback, whose
 * XML parser and EventBridge/DynamoDB clients would otherwise add ~120 KiB and ~7 ms of import to every
 * endpoint's cold start (docs/events.md, "Packaging").
 */
export const STANDALONE_FUNCTION_IDS: ReadonlySet<FunctionId> = new Set([CALLBACK_FUNCTION.id]);

const OPERATION_IDS: ReadonlySet<string> = new Set(OPERATIONS.map((operation) => operation.id));
const isOperationId = (id: string): id is OperationId => OPERATION_IDS.has(id);

/**
 * The entry of an operation's function, generated from its table row: it names its operation, nothing
 * else, so a new row needs no file. The local API serves the same call (`createOperationHandler`).
 */
export const operationEntry = (id: OperationId) =>
  `import { createOperationHandler } from '${LAYER_PACKAGE}';\nexport const handler = createOperationHandler('${id}');\n`;

/** Where a function's entry comes from: generated for a table operation, `functions/<id>.ts` otherwise. */
function entryOf(id: FunctionId): Pick<BuildOptions, 'entryPoints' | 'stdin'> {
  const file = `functions/${id}.ts`;
  if (!isOperationId(id)) return { entryPoints: [path.join(REPO_ROOT, file)] };
  return { stdin: { contents: operationEntry(id), sourcefile: file, resolveDir: REPO_ROOT, loader: 'ts' } };
}

/** The handler Lambda calls: `index.mjs`, export `handler`. */
export const HANDLER = 'index.handler';

export interface BuildOutput {
  /** Absolute path of the built ES module. */
  readonly entry: string;
  /** Its size in bytes (source map excluded). */
  readonly bytes: number;
  /** The source files that contribute code to it (tree-shaken ones left out), relative to the repository root. */
  readonly inputs: readonly string[];
}

export interface LayerBuildOptions {
  /**
   * Also write `index.mjs.map` (file names and lines, without the sources, which would triple its
   * size) for functions run with NODE_OPTIONS=--enable-source-maps: the stack's `sourceMaps` context
   * key turns both on. Off by default: nothing reads a map then, so the layer does not carry one.
   */
  readonly sourceMap?: boolean;
}

const COMMON: BuildOptions = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // ESM entry points of dependencies first: they tree-shake (the AWS SDK ships both).
  mainFields: ['module', 'main'],
  minify: true,
  metafile: true,
  logLevel: 'warning',
};

/**
 * esbuild bundles to ESM, but CommonJS dependencies still call `require` (undici for Node built-ins,
 * optional packages probed in a try/catch); without a real `require` in scope those calls crash
 * (`Dynamic require of … is not supported`). The usual banner, which bench/ uses for the functions it
 * compares the layer with; the alias keeps it from colliding with a bundled `import { createRequire }`.
 */
const REQUIRE_SHIM =
  "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);";

/** The layer's banner: the same `require`, without an ES import of `node:module` (scripts/layer-shims.ts says why). */
const LEAN_REQUIRE_SHIM =
  "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);";

export interface DependencyBuildOptions extends LayerBuildOptions {
  /**
   * `lean`: Node built-ins and undici resolved the cheap way (scripts/layer-shims.ts), as the layer is
   * built. `standard`: a plain esbuild bundle, as a team would build a function (bench/).
   * @default 'standard'
   */
  readonly startUp?: 'standard' | 'lean';
}

/**
 * Bundles `entryPoint` with every dependency inside (the layer; bench/'s comparison functions) into
 * `outfile`: with a `require` banner, and a linked source map if asked.
 */
export function buildWithDependencies(
  entryPoint: string,
  outfile: string,
  { sourceMap = false, startUp = 'standard' }: DependencyBuildOptions = {},
): BuildOutput {
  const lean = startUp === 'lean';
  const { metafile } = buildSync({
    ...COMMON,
    entryPoints: [entryPoint],
    outfile,
    banner: { js: lean ? LEAN_REQUIRE_SHIM : REQUIRE_SHIM },
    ...(lean && { alias: layerAliases(REPO_ROOT, path.dirname(entryPoint)) }),
    sourcemap: sourceMap ? 'linked' : false,
    sourcesContent: false,
  });
  return builtOutput(outfile, metafile);
}

/**
 * Bundles the function's entry (`entryOf`) into `<outDir>/index.mjs`, importing the layer package at
 * run time. The entry is two lines with no dependency: it needs no `require` banner, and a map of it
 * would say nothing.
 */
export function buildFunction(id: FunctionId, outDir: string): BuildOutput {
  const entry = path.join(outDir, 'index.mjs');
  if (STANDALONE_FUNCTION_IDS.has(id)) {
    return buildWithDependencies(path.join(REPO_ROOT, 'functions', `${id}.ts`), entry);
  }
  const { metafile } = buildSync({
    ...COMMON,
    ...entryOf(id),
    outfile: entry,
    external: [LAYER_PACKAGE],
  });
  const output = builtOutput(entry, metafile);
  assertOnlyFunctionCode(id, output.inputs);
  return output;
}

/**
 * Bundles the layer into `<outDir>/nodejs/node_modules/<layer package>/`: index.mjs, package.json, and
 * the source map if asked.
 */
export function buildLayer(outDir: string, options: LayerBuildOptions = {}): BuildOutput {
  const packageDir = path.join(outDir, 'nodejs', 'node_modules', ...LAYER_PACKAGE.split('/'));
  const output = buildWithDependencies(
    path.join(REPO_ROOT, 'shared', 'index.ts'),
    path.join(packageDir, 'index.mjs'),
    { ...options, startUp: 'lean' },
  );
  const manifest = {
    name: LAYER_PACKAGE,
    version: layerManifest.version,
    type: 'module',
    exports: { '.': './index.mjs' },
  };
  writeFileSync(path.join(packageDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return output;
}

function builtOutput(entry: string, metafile: Metafile | undefined): BuildOutput {
  const contributions = Object.values(metafile?.outputs ?? {}).flatMap((output) =>
    Object.entries(output.inputs),
  );
  const inputs = contributions.filter(([, { bytesInOutput }]) => bytesInOutput > 0).map(([input]) => input);
  return { entry, bytes: statSync(entry).size, inputs };
}

/**
 * A function that imports layer code by path (or a dependency) would ship a second copy of it, with its
 * own token cache and connection pool: refuse to build it rather than deploy it.
 */
function assertOnlyFunctionCode(id: FunctionId, inputs: readonly string[]): void {
  const foreign = inputs.filter((input) => !input.startsWith('functions/'));
  if (foreign.length > 0) {
    throw new Error(
      `functions/${id}.ts bundles ${foreign.join(', ')}; import layer code from '${LAYER_PACKAGE}' instead`,
    );
  }
}

/** `npm run build`: every function and the layer into `dist/`, with their sizes. */
function buildAll(distDir: string, options: LayerBuildOptions): void {
  rmSync(distDir, { recursive: true, force: true });
  const outputs: Array<[string, BuildOutput]> = [['layer', buildLayer(path.join(distDir, 'layer'), options)]];
  for (const id of FUNCTION_IDS) {
    const outDir = path.join(distDir, 'functions', id);
    mkdirSync(outDir, { recursive: true });
    outputs.push([`functions/${id}`, buildFunction(id, outDir)]);
  }
  for (const [name, { entry, bytes }] of outputs) {
    console.log(
      `${name.padEnd(40)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${path.relative(REPO_ROOT, entry)}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { layer: { type: 'string' }, 'source-maps': { type: 'boolean', default: false } },
  });
  const options = { sourceMap: values['source-maps'] };
  if (values.layer === undefined) buildAll(path.join(REPO_ROOT, 'dist'), options);
  else buildLayer(path.resolve(values.layer), options);
}
