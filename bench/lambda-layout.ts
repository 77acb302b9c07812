/**
 * The built artefacts laid out and resolved exactly as the Lambda layout test does it
 * (test/layout/lambda-layout.ts: scripts/build.ts into a temporary root outside the repository):
 *
 *   <root>/opt/nodejs/node_modules/@wecom-contact/layer/   the layer
 *   <root>/task/<id>/index.mjs                               each function
 *   <root>/task/baseline/index.mjs                           the cold-start baseline (undici bundled in)
 *
 * Node is started with the layout test's resolve hook (`--import …/register-hooks.mjs`), which finds
 * the layer from NODE_PATH as Lambda does. The baseline gets the same hook and NODE_PATH, so both
 * sides pay the same start-up for it.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { layOut } from '#test/layout/lambda-layout.ts';
import { FUNCTION_IDS, type FunctionId } from '../scripts/build.ts';
import { REPO_ROOT } from './processes.ts';

export interface LambdaLayout {
  /** NODE_PATH as Lambda sets it for this layout. */
  readonly nodePath: string;
  /** Node arguments that install Lambda's layer resolution (before the script). */
  readonly nodeArguments: readonly string[];
  functionDir(id: FunctionId): string;
  readonly baselineDir: string;
  /** Minified bundle size (bytes, source map excluded) per function. */
  readonly functionBytes: Readonly<Record<FunctionId, number>>;
  /** Every file of the unpacked layer (bundle, source map, package.json). */
  readonly layerBytes: number;
  remove(): void;
}

const BASELINE_ENTRY = path.join(REPO_ROOT, 'bench', 'lambda', 'baseline-function.ts');
const RESOLVE_HOOKS = fileURLToPath(new URL('../test/layout/lambda/register-hooks.mjs', import.meta.url));

export function buildLambdaLayout(): LambdaLayout {
  const root = mkdtempSync(path.join(tmpdir(), 'wecom-bench-'));
  try {
    const layout = layOut(root);
    const functionBytes = Object.fromEntries(
      FUNCTION_IDS.map((id) => [id, statSync(path.join(layout.taskRoot(id), 'index.mjs')).size]),
    ) as Record<FunctionId, number>;
    const baselineDir = path.join(root, 'task', 'baseline');
    buildBaseline(path.join(baselineDir, 'index.mjs'));
    return {
      nodePath: layout.nodePath,
      nodeArguments: ['--import', RESOLVE_HOOKS],
      functionDir: layout.taskRoot,
      baselineDir,
      functionBytes,
      layerBytes: folderBytes(path.join(root, 'opt')),
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
