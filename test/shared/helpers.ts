/** Fakes shared by the layer-core tests: a clock, a scripted WeCom transport, a counting store, output capture. */
import { vi } from 'vitest';
import type { CredentialName } from '#shared/credential-roles.ts';
import { staticCredentialSource } from '#shared/credentials.ts';
import { logger } from '#shared/observability.ts';
import { MemoryTokenStore } from '#shared/token/memory-store.ts';
import type { Lease, StoredToken, TokenStore } from '#shared/token/store.ts';
import type { WeComApi, WeComRequest, WeComResponse } from '#shared/wecom/apis.ts';
import type { SendOptions, WeComTransport } from '#shared/wecom/transport.ts';

export const CORP_ID = 'ww-test-corp';
export const CONTACT_SECRET = 'contact-secret-0123456789abcdefghijklmnopqrstu';
export const APP_SECRET = 'app-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export const testCredentials = () =>
  staticCredentialSource({ corpId: CORP_ID, secrets: { contact: CONTACT_SECRET, app: APP_SECRET } });

/** A clock that only moves when told to. */
export class FakeClock {
  constructor(public now = Date.UTC(2026, 0, 1)) {}
  readonly read = () => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export interface SentCall {
  api: WeComApi;
  request: unknown;
  options: SendOptions;
}

type Script = (call: SentCall, index: number) => unknown | Promise<unknown>;

/**
 * A transport whose answers a test scripts. gettoken answers a new token per call (`token-1`, …) with
 * `expires_in` 7200 unless scripted otherwise; a thrown error is the transport's failure.
 */
export class ScriptedTransport implements WeComTransport {
  readonly baseUrl = 'http://scripted.invalid';
  readonly calls: SentCall[] = [];
  #scripts = new Map<WeComApi, Script>();

  on(api: WeComApi, script: Script): this {
    this.#scripts.set(api, script);
    return this;
  }

  count(api: WeComApi): number {
    return this.calls.filter((call) => call.api === api).length;
  }

  async send<A extends WeComApi>(
    api: A,
    request: WeComRequest<A>,
    options: SendOptions,
  ): Promise<WeComResponse<A>> {
    const call = { api, request: structuredClone(request), options };
    this.calls.push(call);
    const index = this.calls.filter((sent) => sent.api === api).length;
    const script = this.#scripts.get(api);
    if (script) return (await script(call, index)) as WeComResponse<A>;
    if (api === 'gettoken') {
      return {
        errcode: 0,
        errmsg: 'ok',
        access_token: `token-${index}`,
        expires_in: 7200,
      } as WeComResponse<A>;
    }
    return { errcode: 0, errmsg: 'ok' } as WeComResponse<A>;
  }
}

export type StoreOperation = 'read' | 'write' | 'acquire' | 'release';

/** What SSM answers a throttled call, as the SDK raises it. */
export const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * A MemoryTokenStore that counts its operations and can be told to fail: every call (`failWith`), or
 * the calls `failWhen` picks (it sees the operation and its count so far, this call included).
 */
export class CountingStore implements TokenStore {
  readonly inner = new MemoryTokenStore();
  readonly counts: Record<StoreOperation, number> = { read: 0, write: 0, acquire: 0, release: 0 };
  failWith: Error | undefined;
  failWhen: ((operation: StoreOperation, count: number) => Error | undefined) | undefined;

  async read(credential: CredentialName) {
    this.#count('read');
    return this.inner.read(credential);
  }
  async write(credential: CredentialName, token: StoredToken) {
    this.#count('write');
    return this.inner.write(credential, token);
  }
  async acquireLease(credential: CredentialName, lease: Lease, now: number, key: string) {
    this.#count('acquire');
    return this.inner.acquireLease(credential, lease, now, key);
  }
  async releaseLease(credential: CredentialName, lease: Lease, failure?: Lease) {
    this.#count('release');
    return this.inner.releaseLease(credential, lease, failure);
  }
  #count(operation: StoreOperation) {
    const count = ++this.counts[operation];
    const failure = this.failWith ?? this.failWhen?.(operation, count);
    if (failure) throw failure;
  }
}

/** Everything the process writes to stdout/stderr (Powertools' logger and EMF metrics) while capturing. */
export function captureOutput() {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return {
    text: () => chunks.join(''),
    /** The JSON lines written so far. */
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

/** Lets queued callbacks run: every pending promise chain that does not wait on I/O settles. */
export const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Keeps a test file's output readable; tests that inspect logs capture them explicitly. */
export async function silenceLogs(): Promise<() => void> {
  const previous = logger.getLevelName();
  logger.setLogLevel('SILENT');
  return () => logger.setLogLevel(previous);
}

/**
 * Runs `act` with the logger at `level` (files usually silence it), capturing what is printed; returns
 * the JSON lines and what `act` resolved with.
 */
export async function logsOf<T>(
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
  act: () => Promise<T>,
): Promise<{ lines: Array<Record<string, unknown>>; result: T }> {
  const previous = logger.getLevelName();
  const output = captureOutput();
  logger.setLogLevel(level);
  try {
    const result = await act();
    return { lines: output.lines(), result };
  } finally {
    logger.setLogLevel(previous);
    output.restore();
  }
}

/** How many EMF lines in captured output carry the metric `name`. */
export function metricCount(lines: ReadonlyArray<Record<string, unknown>>, name: string): number {
  return lines.filter((line) => '_aws' in line && name in line).length;
}
