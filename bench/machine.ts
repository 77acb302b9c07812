/** The machine a run happened on, and the Node binary that runs the Lambda bundles. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './processes.ts';

/** The Lambda runtime's Node (tools/lambda-node: an optional, x64-only devDependency). */
const LAMBDA_NODE = path.join(REPO_ROOT, 'node_modules', 'node-lambda-runtime', 'bin', 'node');

export interface LambdaNode {
  readonly path: string;
  readonly version: string;
  /** How the report names it. */
  readonly description: string;
}

/**
 * The Node that runs the built bundles (cold starts, peak RSS), for the subject and its baseline
 * alike: the Lambda runtime's major when installed, else the one running the benchmark.
 */
export function lambdaNode(): LambdaNode {
  if (existsSync(LAMBDA_NODE)) {
    const version = execFileSync(LAMBDA_NODE, ['--version'], { encoding: 'utf8' }).trim();
    return { path: LAMBDA_NODE, version, description: `Node ${version} (the Lambda runtime's major, node-lambda-runtime)` };
  }
  return {
    path: process.execPath,
    version: process.version,
    description: `Node ${process.version} (this machine's: node-lambda-runtime is not installed)`,
  };
}

export interface Machine {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
}

export function describeMachine(): Machine {
  return { node: process.version, cpu: cpuModel(), cores: availableParallelism() };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
