/**
 * A real AWS emulator for the SSM tests: `moto_server` on 127.0.0.1 and a free port, one per test
 * file. When moto_server is not installed the suites that need it are skipped with a message saying
 * so — except on CI (`CI=true`), where a missing emulator fails the run instead of hiding the tests.
 *
 * Usage:
 *   describe.skipIf(!motoAvailable())('…', () => {
 *     const moto = useMoto();          // starts in beforeAll, stops in afterAll
 *     await putStageParameters(moto, prefix, sandbox);   // the operator's corp id and secret
 *     … new SSMClient(moto.clientConfig()) …
 *   });
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { ParameterType, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { parameterNames } from '#shared/stage-names.ts';

const COMMAND = 'moto_server';

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((directory) => {
    try {
      accessSync(join(directory, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Whether the SSM suites can run; throws on CI when they cannot. */
export function motoAvailable(): boolean {
  if (onPath(COMMAND)) return true;
  const message = `${COMMAND} is not on PATH: the SSM token-store tests need it (pip install 'moto[server]')`;
  if (process.env.CI === 'true') throw new Error(`${message}. CI must run them.`);
  console.warn(`SKIPPED: ${message}.`);
  return false;
}

export interface Moto {
  readonly endpoint: string;
  /** Configuration for an SDK v3 client talking to this emulator. */
  clientConfig(): {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Drops every resource (between tests). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(COMMAND, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  try {
    await waitUntilAnswering(endpoint, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${COMMAND} did not start: ${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    clientConfig: () => ({
      endpoint,
      region: 'ap-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    }),
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}`);
    },
    stop: () => stop(child),
  };
}

/** Starts moto before the suite, resets it before each test, stops it after the suite. */
export function useMoto(): Moto {
  let moto: Moto | undefined;
  const running = () => {
    if (!moto) throw new Error('moto_server is not running (useMoto() must be called inside a describe)');
    return moto;
  };
  beforeAll(async () => {
    moto = await startMoto();
  });
  beforeEach(async () => {
    await running().reset();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  return {
    get endpoint() {
      return running().endpoint;
    },
    clientConfig: () => running().clientConfig(),
    reset: () => running().reset(),
    stop: () => running().stop(),
  };
}

/** What an operator puts once per stage (docs/operations.md, Deploy). A Sandbox has these fields. */
export interface StageCredentials {
  readonly corpId: string;
  readonly contactSecret: string;
  readonly appSecret?: string;
  /** The contact callback's Token and EncodingAESKey (docs/events.md), when the test needs them. */
  readonly callback?: { readonly token: string; readonly encodingAesKey: string };
}

/** Puts a stage's corp id and secrets where the stack's functions read them: SSM, under `prefix`. */
export async function putStageParameters(
  moto: Pick<Moto, 'clientConfig'>,
  prefix: string,
  { corpId, contactSecret, appSecret, callback }: StageCredentials,
): Promise<void> {
  const names = parameterNames(prefix);
  const ssm = new SSMClient(moto.clientConfig());
  const put = (Name: string, Value: string, Type: ParameterType) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
  try {
    await put(names.corpId, corpId, ParameterType.STRING);
    await put(names.secret('contact'), contactSecret, ParameterType.SECURE_STRING);
    if (appSecret !== undefined) await put(names.secret('app'), appSecret, ParameterType.SECURE_STRING);
    if (callback !== undefined) {
      await put(`${prefix}/callback/token`, callback.token, ParameterType.SECURE_STRING);
      await put(`${prefix}/callback/encoding-aes-key`, callback.encodingAesKey, ParameterType.SECURE_STRING);
    }
  } finally {
    ssm.destroy();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Slow CI machines take a while to start moto_server's Python. */
const START_TIMEOUT_MS = 30_000;
const START_POLL_MS = 100;

async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < START_TIMEOUT_MS / START_POLL_MS; attempt++) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
    }
  }
  throw new Error(`no answer within ${START_TIMEOUT_MS / 1000} s`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
