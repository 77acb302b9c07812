/**
 * A small typed client for the sandbox's fidelity tests: raw requests (any method, query, body,
 * header) over real HTTP, plus shortcuts that fetch and attach a token the way WeCom expects it.
 */
import { onTestFinished } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox, SandboxApi, SandboxOptions } from '#sandbox/types.ts';
import type { Member } from '#shared/wecom/apis.ts';

export interface WeComAnswer {
  errcode: number;
  errmsg: string;
  [field: string]: unknown;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface RawRequest {
  method?: string;
  query?: Record<string, string | number>;
  /** A string is sent verbatim; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export class SandboxClient {
  constructor(readonly sandbox: Sandbox) {}

  /** One HTTP request to `/cgi-bin/<path>`, whatever it looks like. */
  async raw(path: string, request: RawRequest = {}): Promise<RawResponse> {
    const url = new URL(`/cgi-bin/${path}`, this.sandbox.url);
    for (const [name, value] of Object.entries(request.query ?? {}))
      url.searchParams.set(name, String(value));
    const body =
      request.body === undefined
        ? undefined
        : typeof request.body === 'string'
          ? request.body
          : JSON.stringify(request.body);
    const response = await fetch(url, {
      method: request.method ?? (body ? 'POST' : 'GET'),
      body,
      headers: request.headers,
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  /** A request whose answer must be a WeCom envelope with HTTP 200. */
  async call(path: string, request: RawRequest = {}): Promise<WeComAnswer> {
    const response = await this.raw(path, request);
    if (response.status !== 200) throw new Error(`HTTP ${response.status} from ${path}`);
    return JSON.parse(response.text) as WeComAnswer;
  }

  async gettoken(corpsecret: string = this.sandbox.contactSecret): Promise<WeComAnswer> {
    return this.call('gettoken', { query: { corpid: this.sandbox.corpId, corpsecret } });
  }

  /** A valid token for a secret (default: the contact-sync secret). */
  async token(corpsecret?: string): Promise<string> {
    const answer = await this.gettoken(corpsecret);
    if (answer.errcode !== 0) throw new Error(`gettoken failed: ${answer.errcode}`);
    return answer.access_token as string;
  }

  /** A GET business call with the token in the query. */
  async get(
    api: SandboxApi,
    query: Record<string, string | number> = {},
    token?: string,
  ): Promise<WeComAnswer> {
    return this.call(api, {
      method: 'GET',
      query: { access_token: token ?? (await this.token()), ...query },
    });
  }

  /** A POST business call with a JSON body and the token in the query. */
  async post(api: SandboxApi, body: unknown, token?: string): Promise<WeComAnswer> {
    return this.call(api, { method: 'POST', query: { access_token: token ?? (await this.token()) }, body });
  }
}

/** A controllable clock for token expiry and the statistics window (no fake timers needed). */
export function fakeClock(start = Date.parse('2026-03-10T04:00:00Z')) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms;
    },
  });
}

/** Starts a sandbox for the running test and stops it when the test finishes. */
export async function sandboxFor(
  options: SandboxOptions = {},
): Promise<{ sandbox: Sandbox; client: SandboxClient }> {
  const sandbox = await startSandbox(options);
  onTestFinished(() => sandbox.stop());
  return { sandbox, client: new SandboxClient(sandbox) };
}

/** A member body that passes user/create, with overrides (which may break it on purpose). */
export function newMember(overrides: Record<string, unknown> = {}): Member {
  return {
    userid: 'zhangwei',
    name: '张伟',
    mobile: '+86 13900000001',
    department: [1],
    ...overrides,
  } as Member;
}

/** The parts of an error errmsg (§0): text, hint digits, caller ip, errcode in the link. */
export const ERRMSG_FORMAT =
  /^(?<text>.+), hint: \[(?<hint>\d+)\], from ip: (?<ip>[\d.:a-f]+), more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=(?<code>-?\d+)$/;
