/**
 * The one build path of the Lambda artefacts, used by `npm run build` (everything into `dist/`), by the
 * CDK stack's local bundling (cdk/bundling.ts) and by the Lambda layout test.
 *
 * - A function bundle is `functions/<id>.ts` alone: the layer package stays an external import, which
 *   Lambda resolves from the layer (`/opt/nodejs/node_modules`). One copy of the layer per container
 *   means one token cache and one undici pool, and function bundles of a few KiB.
 * - The layer bundles `shared/index.ts` with all its runtime dependencies into
 *   `nodejs/node_modules/<layer package>/index.mjs`, next to a package.json that makes it an ES module
 *   importable by its bare name.
 *
 * The build is synchronous (esbuild's `buildSync`) because CDK's local bundling hook is.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { OPERATIONS, REPORT_FUNCTION } from '#shared/operations.ts';
import layerManifest from '../shared/package.json' with { type: 'json' };

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The bare name the functions import the layer by (`@wecom-contact/layer`). */
export const LAYER_PACKAGE = layerManifest.name;

/** Every Lambda: one per operation, plus the scheduled report. */
export const FUNCTION_IDS = [...OPERATIONS.map((operation) => operation.id), REPORT_FUNCTION.id] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];

/** The handler Lambda calls: `index.mjs`, export `handler`. */
export const HANDLER = 'index.handler';

export interface BuildOutput {
  /** Absolute path of the built ES module. */
  readonly entry: string;
  /** Its size in bytes (source map excluded). */
  readonly bytes: number;
}

/**
 * esbuild bundles to ESM, but some dependencies still call `require` for Node built-ins; without a real
 * `require` in scope those calls crash at import (`Dynamic require of "node:…" is not supported`).
 * The alias keeps the banner from colliding with a bundled `import { createRequire }`.
 */
const REQUIRE_SHIM =
  "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);";

const COMMON: BuildOptions = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  // ESM entry points of dependencies first: they tree-shake (the AWS SDK ships both).
  mainFields: ['module', 'main'],
  minify: true,
  // Stack traces map back to files and lines (with NODE_OPTIONS=--enable-source-maps); the sources
  // themselves stay out of the artefact, which would otherwise triple the layer's size.
  sourcemap: 'linked',
  sourcesContent: false,
  banner: { js: REQUIRE_SHIM },
  metafile: true,
  logLevel: 'warning',
};

/** Bundles `functions/<id>.ts` into `<outDir>/index.mjs` (+ source map), importing the layer package at run time. */
export function buildFunction(id: FunctionId, outDir: string): BuildOutput {
  const entry = path.join(outDir, 'index.mjs');
  const { metafile } = buildSync({
    ...COMMON,
    entryPoints: [path.join(REPO_ROOT, 'functions', `${id}.ts`)],
    outfile: entry,
    external: [LAYER_PACKAGE],
  });
  assertOnlyFunctionCode(id, metafile);
  return { entry, bytes: statSync(entry).size };
}

/** Bundles the layer into `<outDir>/nodejs/node_modules/<layer package>/` (index.mjs, source map, package.json). */
export function buildLayer(outDir: string): BuildOutput {
  const packageDir = path.join(outDir, 'nodejs', 'node_modules', ...LAYER_PACKAGE.split('/'));
  const entry = path.join(packageDir, 'index.mjs');
  buildSync({ ...COMMON, entryPoints: [path.join(REPO_ROOT, 'shared', 'index.ts')], outfile: entry });
  const manifest = {
    name: LAYER_PACKAGE,
    version: layerManifest.version,
    type: 'module',
    exports: { '.': './index.mjs' },
  };
  writeFileSync(path.join(packageDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { entry, bytes: statSync(entry).size };
}

/**
 * A function that imports layer code by path (or a dependency) would ship a second copy of it, with its
 * own token cache and connection pool: refuse to build it rather than deploy it.
 */
function assertOnlyFunctionCode(id: FunctionId, metafile: Metafile | undefined): void {
  const foreign = Object.keys(metafile?.inputs ?? {}).filter((input) => !input.startsWith('functions/'));
  if (foreign.length > 0) {
    throw new Error(
      `functions/${id}.ts bundles ${foreign.join(', ')}; import layer code from '${LAYER_PACKAGE}' instead`,
    );
  }
}

/** `npm run build`: every function and the layer into `dist/`, with their sizes. */
function buildAll(distDir: string): void {
  rmSync(distDir, { recursive: true, force: true });
  const outputs: Array<[string, BuildOutput]> = [['layer', buildLayer(path.join(distDir, 'layer'))]];
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
  buildAll(path.join(REPO_ROOT, 'dist'));
}
