/**
 * Child processes of the benchmark: long-lived servers (bench/server-main.ts) and one-shot Node
 * processes (the Lambda driver). Every child has a time limit, and servers die with their stdin, so a
 * crashed or interrupted benchmark leaves nothing running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../scripts/build.ts';
import type { ServerInfo, ServerKind } from './server-main.ts';

const SERVER_MAIN = fileURLToPath(new URL('./server-main.ts', import.meta.url));

const SERVER_START_MS = 30_000;

/** One-shot children still running: an interrupted benchmark kills them (servers stop with stdin). */
const running = new Set<ChildProcess>();

export function killRunningChildren(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface ServerProcess {
  readonly info: ServerInfo;
  stop(): Promise<void>;
}

/** Starts `kind` in its own process (through tsx, like `npm start`) and waits for its address. */
export async function startServerProcess(kind: ServerKind): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_MAIN, kind], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', resolve);
    child.once('exit', (code) =>
      reject(new Error(`the ${kind} process exited (${code}) before it listened`)),
    );
  });
  const info = JSON.parse(
    await withTimeout(firstLine, SERVER_START_MS, `the ${kind} process did not start`, child),
  );
  return { info: info as ServerInfo, stop: () => stopChild(child) };
}

export interface CompletedProcess {
  readonly exitCode: number | null;
  /** JSON lines the child printed, parsed. */
  readonly messages: unknown[];
  /** From spawn to exit. */
  readonly elapsedMs: number;
}

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Called for each JSON line as it arrives (progress). */
  readonly onMessage?: (message: unknown) => void;
}

/** Runs `node args…` to its end; stderr passes through, stdout is read as JSON lines. */
export async function runNode(
  node: string,
  args: readonly string[],
  options: RunOptions,
): Promise<CompletedProcess> {
  const started = performance.now();
  const child = spawn(node, args, { env: options.env, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const messages: unknown[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const message: unknown = JSON.parse(line);
    messages.push(message);
    options.onMessage?.(message);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const exitCode = await withTimeout(exited, options.timeoutMs, `${args[0] ?? node} did not finish`, child);
  return { exitCode, messages, elapsedMs: performance.now() - started };
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
  child: ChildProcess,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${message} within ${ms / 1000} s`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
