/**
 * The built artefacts laid out as the Lambda layout test lays them out (test/layout/lambda-layout.ts:
 * scripts/build.ts into a temporary root outside the repository), plus the cold-start baseline:
 *
 *   <root>/opt/nodejs/node_modules/@wecom-contact/layer/   the layer
 *   <root>/task/<id>/index.mjs                               each function
 *   <root>/task/baseline/index.mjs                           the baseline (undici bundled in)
 *   <root>/task/conventional/index.mjs                       the conventional function (bench/conventional/)
 *
 * Lambda finds the layer package from NODE_PATH; plain Node does not. Two ways to launch a function:
 *  - `hooked`: exactly as the layout test, with its resolve hook (test/layout/lambda/register-hooks.mjs).
 *    On the Lambda runtime's Node 24 the hook runs in-thread (`module.registerHooks`); on an older Node
 *    it runs in a loader thread of its own (`module.register`), which costs start-up time and memory
 *    that Lambda's own resolution does not.
 *  - `linked`: a copy of the folder whose `node_modules` links to the layer's: Node's own resolution,
 *    no hook at all; the check that `hooked` adds nothing.
 * Subject and baseline are always launched the same way.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LAYER_RESOLUTION_ARGUMENTS, layOut } from '#test/layout/lambda-layout.ts';
import { buildWithDependencies, REPO_ROOT } from '../scripts/build.ts';
import { FUNCTION_IDS, type FunctionId } from '../shared/src/function-ids.ts';

/** How to start Node on a function folder. */
export interface Launch {
  readonly name: 'hooked' | 'linked';
  /** Node arguments before the script. */
  readonly nodeArguments: readonly string[];
  /** The user-get function's folder. */
  readonly userGetDir: string;
  readonly baselineDir: string;
  readonly conventionalDir: string;
}

export interface LambdaLayout {
  /** NODE_PATH as Lambda sets it for this layout. */
  readonly nodePath: string;
  readonly hooked: Launch;
  readonly linked: Launch;
  /** Minified bundle size (bytes) per function. */
  readonly functionBytes: Readonly<Record<FunctionId, number>>;
  /** Every file of the unpacked layer, as the stack deploys it by default (bundle and package.json). */
  readonly layerBytes: number;
  /** The conventional function's bundle (it has no layer). */
  readonly conventionalBytes: number;
  remove(): void;
}

/**
 * Functions with their dependencies bundled in (they have no layer to lean on), built the usual way
 * (a plain esbuild bundle, as a team would build them; the layer's start-up shims are ours alone).
 */
const BASELINE_ENTRY = path.join(REPO_ROOT, 'bench', 'lambda', 'baseline-function.ts');
const CONVENTIONAL_ENTRY = path.join(REPO_ROOT, 'bench', 'conventional', 'function.ts');

export async function buildLambdaLayout(): Promise<LambdaLayout> {
  const root = mkdtempSync(path.join(tmpdir(), 'wecom-bench-'));
  try {
    const layout = await layOut(root);
    const bundle = (dir: string) => path.join(dir, 'index.mjs');
    const functionBytes = Object.fromEntries(
      FUNCTION_IDS.map((id) => [id, statSync(bundle(layout.taskRoot(id))).size]),
    ) as Record<FunctionId, number>;
    const hooked: Launch = {
      name: 'hooked',
      nodeArguments: LAYER_RESOLUTION_ARGUMENTS,
      userGetDir: layout.taskRoot('user-get'),
      baselineDir: path.join(root, 'task', 'baseline'),
      conventionalDir: path.join(root, 'task', 'conventional'),
    };
    buildWithDependencies(BASELINE_ENTRY, bundle(hooked.baselineDir));
    const conventional = buildWithDependencies(CONVENTIONAL_ENTRY, bundle(hooked.conventionalDir));
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
      conventionalDir: linkedCopy(hooked.conventionalDir, 'conventional'),
    };
    return {
      nodePath: layout.nodePath,
      hooked,
      linked,
      functionBytes,
      layerBytes: folderBytes(path.join(root, 'opt')),
      conventionalBytes: conventional.bytes,
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

function folderBytes(folder: string): number {
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}
