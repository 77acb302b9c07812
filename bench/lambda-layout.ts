/**
 * The built artefacts laid out as the Lambda layout test lays them out (test/layout/lambda-layout.ts:
 * scripts/build.ts into a temporary root outside the repository), plus the cold-start baseline:
 *
 *   <root>/opt/nodejs/node_modules/@wecom-contact/layer/   the layer
 *   <root>/task/<id>/index.mjs                               each function
 *   <root>/task/baseline/index.mjs                           the baseline (undici bundled in)
 *
 * Lambda finds the layer package from NODE_PATH; plain Node does not. Two ways to launch a function:
 *  - `hooked`: exactly as the layout test, with its resolve hook (`--import …/register-hooks.mjs`).
 *    `module.register` runs that hook in a loader thread of its own, which costs start-up time and
 *    memory that Lambda's own resolution does not.
 *  - `linked`: a copy of the folder whose `node_modules` links to the layer's: Node's own resolution,
 *    no extra thread; what the figures about the product alone use.
 * Subject and baseline are always launched the same way.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { layOut } from '#test/layout/lambda-layout.ts';
import { FUNCTION_IDS, type FunctionId, REPO_ROOT } from '../scripts/build.ts';

/** How to start Node on a function folder. */
export interface Launch {
  readonly name: 'hooked' | 'linked';
  /** Node arguments before the script. */
  readonly nodeArguments: readonly string[];
  /** The user-get function's folder. */
  readonly userGetDir: string;
  readonly baselineDir: string;
}

export interface LambdaLayout {
  /** NODE_PATH as Lambda sets it for this layout. */
  readonly nodePath: string;
  readonly hooked: Launch;
  readonly linked: Launch;
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
    const bundle = (dir: string) => path.join(dir, 'index.mjs');
    const functionBytes = Object.fromEntries(
      FUNCTION_IDS.map((id) => [id, statSync(bundle(layout.taskRoot(id))).size]),
    ) as Record<FunctionId, number>;
    const hooked: Launch = {
      name: 'hooked',
      nodeArguments: ['--import', RESOLVE_HOOKS],
      userGetDir: layout.taskRoot('user-get'),
      baselineDir: path.join(root, 'task', 'baseline'),
    };
    buildBaseline(bundle(hooked.baselineDir));
    const layerModules = path.join(root, 'opt', 'nodejs', 'node_modules');
    const linkedCopy = (from: string, name: string) => {
      const dir = path.join(root, 'linked', name);
      mkdirSync(dir, { recursive: true });
      copyFileSync(bundle(from), bundle(dir));
      symlinkSync(layerModules, path.join(dir, 'node_modules'), 'dir');
      return dir;
    };
    const linked: Launch = {
      name: 'linked',
      nodeArguments: [],
      userGetDir: linkedCopy(hooked.userGetDir, 'user-get'),
      baselineDir: linkedCopy(hooked.baselineDir, 'baseline'),
    };
    return {
      nodePath: layout.nodePath,
      hooked,
      linked,
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
