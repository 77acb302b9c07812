/**
 * The built artefacts laid out as Lambda lays them out, in a temporary folder:
 *
 *   <root>/opt/nodejs/node_modules/@wecom-contact/layer/   the layer (scripts/build.ts buildLayer)
 *   <root>/functions/<id>/index.mjs                          each function (buildFunction)
 *   <root>/functions/<id>/node_modules → <root>/opt/nodejs/node_modules
 *   <root>/baseline/index.mjs                                the cold-start baseline (undici bundled in)
 *
 * Lambda resolves a function's bare ESM imports from the layer's nodejs/node_modules; plain Node does
 * not, so each function folder gets a `node_modules` link to it (Node's own resolution, no loader
 * hook that would add start-up work to the subject only). NODE_PATH is set as Lambda sets it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { buildFunction, buildLayer, FUNCTION_IDS, type FunctionId } from '../scripts/build.ts';
import { REPO_ROOT } from './processes.ts';

export interface LambdaLayout {
  readonly root: string;
  /** NODE_PATH as Lambda sets it for this layout. */
  readonly nodePath: string;
  functionDir(id: FunctionId): string;
  readonly baselineDir: string;
  /** Minified bundle size (bytes, source map excluded) per function. */
  readonly functionBytes: Readonly<Record<FunctionId, number>>;
  /** Every file of the unpacked layer (bundle, source map, package.json). */
  readonly layerBytes: number;
  remove(): void;
}

const BASELINE_ENTRY = path.join(REPO_ROOT, 'bench', 'lambda', 'baseline-function.ts');

export function buildLambdaLayout(): LambdaLayout {
  const root = mkdtempSync(path.join(tmpdir(), 'wecom-bench-'));
  try {
    const opt = path.join(root, 'opt');
    buildLayer(opt);
    const layerModules = path.join(opt, 'nodejs', 'node_modules');
    const functionDir = (id: FunctionId) => path.join(root, 'functions', id);
    const functionBytes = {} as Record<FunctionId, number>;
    for (const id of FUNCTION_IDS) {
      mkdirSync(functionDir(id), { recursive: true });
      functionBytes[id] = buildFunction(id, functionDir(id)).bytes;
      symlinkSync(layerModules, path.join(functionDir(id), 'node_modules'), 'dir');
    }
    const baselineDir = path.join(root, 'baseline');
    buildBaseline(path.join(baselineDir, 'index.mjs'));
    return {
      root,
      nodePath: [path.join(opt, 'nodejs', 'node20', 'node_modules'), layerModules].join(path.delimiter),
      functionDir,
      baselineDir,
      functionBytes,
      layerBytes: folderBytes(opt),
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** Bundled and minified like a function, but with undici inside (it has no layer to lean on). */
function buildBaseline(outfile: string): void {
  buildSync({
    absWorkingDir: REPO_ROOT,
    entryPoints: [BASELINE_ENTRY],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    minify: true,
    banner: {
      js: "import { createRequire as __bundleCreateRequire } from 'node:module'; const require = __bundleCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
