/** Fakes shared by the layer-core tests: a clock, a scripted WeCom transport, a counting store, output capture. */
import { vi } from 'vitest';
import { staticCredentialSource } from '#shared/credentials.ts';
import { logger } from '#shared/observability.ts';
import type { CredentialName } from '#shared/operations.ts';
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

/** A MemoryTokenStore that counts its operations and can be told to fail. */
export class CountingStore implements TokenStore {
  readonly inner = new MemoryTokenStore();
  readonly counts = { read: 0, write: 0, acquire: 0, release: 0 };
  failWith: Error | undefined;

  async read(credential: CredentialName) {
    this.counts.read++;
    this.#maybeFail();
    return this.inner.read(credential);
  }
  async write(credential: CredentialName, token: StoredToken) {
    this.counts.write++;
    this.#maybeFail();
    return this.inner.write(credential, token);
  }
  async acquireLease(credential: CredentialName, lease: Lease, now: number) {
    this.counts.acquire++;
    this.#maybeFail();
    return this.inner.acquireLease(credential, lease, now);
  }
  async releaseLease(credential: CredentialName, holder: string) {
    this.counts.release++;
    this.#maybeFail();
    return this.inner.releaseLease(credential, holder);
  }
  #maybeFail() {
    if (this.failWith) throw this.failWith;
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

/** How many EMF lines in captured output carry the metric `name`. */
export function metricCount(lines: ReadonlyArray<Record<string, unknown>>, name: string): number {
  return lines.filter((line) => '_aws' in line && name in line).length;
}
