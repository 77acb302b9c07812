/**
 * The low-level WeCom transport: one HTTP exchange per `send`, no token logic and no retries (those
 * live in client.ts and retry.ts). The token provider calls `gettoken` through it too, so the client
 * and the provider do not depend on each other.
 *
 * - One keep-alive undici Agent per container (module scope), unless a Dispatcher is injected.
 * - GET parameters travel in the query string, POST bodies as raw UTF-8 JSON; the access_token only
 *   ever in the query (WeCom answers 41001 otherwise).
 * - Every attempt is bounded by a connect timeout, its own time budget and the call's deadline.
 * - `classify` (classify.ts) is the one place that turns an exchange into a result or a named error.
 */
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import { UpstreamTimeoutError, ValidationError } from '../errors.ts';
import { isDebugEnabled, logger } from '../observability.ts';
import {
  WECOM_DEFAULT_BASE_URL,
  WECOM_METHODS,
  type WeComApi,
  type WeComRequest,
  type WeComResponse,
} from './apis.ts';
import { classify } from './classify.ts';
import { unencodablePath } from './encoding.ts';
import { exchange } from './exchange.ts';

export interface TransportTimeouts {
  /** TCP (and TLS) connection set-up. */
  readonly connectMs: number;
  /** One attempt, from sending to the last byte of the answer; the call's deadline may cut it shorter. */
  readonly attemptMs: number;
}

/** WeCom answers in well under a second; these only bound a hung exchange so that a retry can happen. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 3_000, attemptMs: 10_000 };

export interface TransportOptions {
  /**
   * WeCom's origin, or a fixed-IP forward proxy, or the sandbox.
   * @default WECOM_DEFAULT_BASE_URL (`https://qyapi.weixin.qq.com`)
   * @example 'http://127.0.0.1:4010'
   */
  baseUrl?: string;
  /**
   * Where requests go. Tests inject a MockAgent.
   * @default the container's shared keep-alive undici Agent
   */
  dispatcher?: Dispatcher;
  /**
   * Bounds of one attempt; each field falls back to its default.
   * @default DEFAULT_TIMEOUTS (connect 3 s, attempt 10 s)
   * @example { attemptMs: 5_000 }
   */
  timeouts?: Partial<TransportTimeouts>;
  /**
   * Epoch milliseconds; deadlines are compared against it.
   * @default Date.now
   */
  clock?: () => number;
}

export interface SendOptions {
  /** Absolute deadline (epoch ms) of this exchange. */
  deadline: number;
  /** Omitted only for `gettoken`. */
  accessToken?: string;
  /** The answer is passed on untouched (CallOptions.passOn, classify.ts). @default false */
  passOn?: boolean;
}

export interface WeComTransport {
  readonly baseUrl: string;
  send<A extends WeComApi>(api: A, request: WeComRequest<A>, options: SendOptions): Promise<WeComResponse<A>>;
}

let sharedAgent: Agent | undefined;

/** The container's one keep-alive pool (created on first use, reused while the container is warm). */
function containerAgent(): Agent {
  // undici's own headers/body timeouts are a backstop (they tick at a 1 s resolution); each attempt
  // is bounded precisely by its own timer in `send`.
  sharedAgent ??= new Agent({
    connect: { timeout: DEFAULT_TIMEOUTS.connectMs },
    headersTimeout: DEFAULT_TIMEOUTS.attemptMs,
    bodyTimeout: DEFAULT_TIMEOUTS.attemptMs,
    keepAliveTimeout: 15_000,
    keepAliveMaxTimeout: 60_000,
  });
  return sharedAgent;
}

export function createTransport(options: TransportOptions = {}): WeComTransport {
  const baseUrl = (options.baseUrl ?? WECOM_DEFAULT_BASE_URL).replace(/\/+$/, '');
  // Split once: each send hands undici an origin and a ready path, so no URL is parsed per call.
  const { origin, pathname } = new URL(baseUrl);
  const pathPrefix = `${pathname.replace(/\/+$/, '')}/cgi-bin/`;
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const clock = options.clock ?? Date.now;

  return {
    baseUrl,
    async send(api, payload, { deadline, accessToken, passOn = false }) {
      const method = WECOM_METHODS[api];
      const path = buildPath(pathPrefix, api, method === 'GET' ? payload : undefined, accessToken);
      const body = method === 'POST' ? encodeJsonBody(payload) : undefined;
      const remaining = deadline - clock();
      if (remaining <= 0) throw new UpstreamTimeoutError(api);

      const debug = isDebugEnabled();
      const started = debug ? performance.now() : 0;
      // One precise bound on the whole attempt (connect, headers, body): exchange.ts.
      const result = await exchange(
        options.dispatcher ?? containerAgent(),
        { origin, path, method, headers: body === undefined ? ACCEPT_JSON : SEND_JSON, body },
        Math.min(remaining, timeouts.attemptMs),
      );
      if (!debug) return classify(api, result, accessToken, passOn);
      const durationMs = Math.round(performance.now() - started);
      try {
        const answer = classify(api, result, accessToken, passOn);
        logger.debug('WeCom exchange', { api, errcode: 0, durationMs });
        return answer;
      } catch (error) {
        logger.debug('WeCom exchange failed', { api, error, durationMs });
        throw error;
      }
    },
  };
}

const ACCEPT_JSON = { accept: 'application/json' };
const SEND_JSON = { ...ACCEPT_JSON, 'content-type': 'application/json; charset=utf-8' };

/** `/cgi-bin/<api>?access_token=…&<query>`, every value percent-encoded once. */
function buildPath(
  prefix: string,
  api: WeComApi,
  query: object | undefined,
  accessToken: string | undefined,
): string {
  let path = prefix + api;
  let separator = '?';
  if (accessToken !== undefined) {
    path += `?access_token=${encodeURIComponent(accessToken)}`;
    separator = '&';
  }
  if (query === undefined) return path;
  for (const name in query) {
    const value: unknown = (query as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') {
      throw new ValidationError(`${name} must be a single value for ${api}`, [
        { path: name, message: 'must be a string or a number' },
      ]);
    }
    path += `${separator}${encodeURIComponent(name)}=${encodeQueryValue(api, name, String(value))}`;
    separator = '&';
  }
  return path;
}

function encodeQueryValue(api: WeComApi, name: string, value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate has no UTF-8 form (URIError).
    throw new ValidationError(`${name} contains a character WeCom cannot accept`, [
      { path: name, message: `contains a lone surrogate (${api})` },
    ]);
  }
}

/**
 * WeCom wants raw UTF-8 and rejects `\uXXXX` escapes with 40033. JSON.stringify writes every
 * character as itself except lone surrogates and C0 control characters, which it escapes: refuse
 * those here, before anything is sent, naming the offending field.
 */
export function encodeJsonBody(payload: object): string {
  const found = unencodablePath(payload);
  if (found !== undefined) {
    const path = found.join('.');
    const where = path === '' ? 'the request' : path;
    throw new ValidationError(`${where} contains a character WeCom cannot accept`, [
      { path, message: 'contains a lone surrogate or a control character' },
    ]);
  }
  return JSON.stringify(payload);
}
