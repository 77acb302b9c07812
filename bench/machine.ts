/** The machine a run happened on, and the Node binary that runs the Lambda bundles. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { lambdaNode as layoutTestNode } from '#test/layout/lambda-layout.ts';

export interface LambdaNode {
  readonly path: string;
  readonly version: string;
  /** How the report names it. */
  readonly description: string;
}

/**
 * The Node that runs the built bundles (cold starts, peak RSS) for the subject and its baseline alike:
 * the one the Lambda layout test uses (the Lambda runtime's major when installed, else this machine's).
 */
export function lambdaNode(): LambdaNode {
  const { path, label } = layoutTestNode();
  const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
  return { path, version, description: `Node ${version}, ${label}` };
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
