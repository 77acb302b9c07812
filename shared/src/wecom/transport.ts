/**
 * The low-level WeCom transport: one HTTP exchange per `send`, no token logic and no retries (those
 * live in client.ts and retry.ts). The token provider calls `gettoken` through it too, so the client
 * and the provider do not depend on each other.
 *
 * - One keep-alive undici Agent per container (module scope), unless a Dispatcher is injected.
 * - GET parameters travel in the query string, POST bodies as raw UTF-8 JSON; the access_token only
 *   ever in the query (WeCom answers 41001 otherwise).
 * - Every attempt is bounded by a connect timeout, its own time budget and the call's deadline.
 * - `classify` is the one place that turns an exchange into a result or a named error.
 */
import { performance } from 'node:perf_hooks';
import { Agent, type Dispatcher } from 'undici';
import {
  type ServiceError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  ValidationError,
  WeComError,
} from '../errors.ts';
import { isDebugEnabled, logger } from '../observability.ts';
import { rememberAnswerText } from './answer-text.ts';
import {
  WECOM_DEFAULT_BASE_URL,
  WECOM_METHODS,
  type WeComApi,
  type WeComRequest,
  type WeComResponse,
} from './apis.ts';
import { unencodablePath } from './encoding.ts';
import { type Exchange, exchange } from './exchange.ts';
import { redactText, redactValue } from './redact.ts';

export interface TransportTimeouts {
  /** TCP (and TLS) connection set-up. */
  readonly connectMs: number;
  /** One attempt, from sending to the last byte of the answer; the call's deadline may cut it shorter. */
  readonly attemptMs: number;
}

/** WeCom answers in well under a second; these only bound a hung exchange so that a retry can happen. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 3_000, attemptMs: 10_000 };

export interface TransportOptions {
  /** Default WECOM_DEFAULT_BASE_URL; a fixed-IP forward proxy or the sandbox otherwise. */
  baseUrl?: string;
  /** Default: the container's shared keep-alive Agent. Tests inject a MockAgent. */
  dispatcher?: Dispatcher;
  timeouts?: Partial<TransportTimeouts>;
  /** Epoch milliseconds; deadlines are compared against it. */
  clock?: () => number;
}

export interface SendOptions {
  /** Absolute deadline (epoch ms) of this exchange. */
  deadline: number;
  /** Omitted only for `gettoken`. */
  accessToken?: string;
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
    async send(api, payload, { deadline, accessToken }) {
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
      if (!debug) return classify(api, result, accessToken);
      const durationMs = Math.round(performance.now() - started);
      try {
        const answer = classify(api, result, accessToken);
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

export type { Exchange } from './exchange.ts';

/**
 * The one place that decides what an exchange means. Returns WeCom's answer when errcode is 0, and
 * throws otherwise:
 *  - the attempt's time (or the call's deadline) running out, or undici's backstop timeouts →
 *    UpstreamTimeoutError;
 *  - any other transport failure → UpstreamNetworkError, `sent` false only when the request provably
 *    never left (refused, DNS, connect timeout);
 *  - a non-2xx status, or a body that is not a WeCom envelope → UpstreamHttpError;
 *  - errcode ≠ 0 → WeComError (the errmsg scrubbed of the token and of personal data).
 */
export function classify<A extends WeComApi>(
  api: A,
  exchange: Exchange,
  accessToken?: string,
): WeComResponse<A> {
  if ('error' in exchange) throw classifyFailure(api, exchange.error, exchange.timedOut);
  const { statusCode, body } = exchange;
  if (statusCode < 200 || statusCode > 299) throw new UpstreamHttpError(api, statusCode);
  const envelope = parseEnvelope(api, body);
  if (envelope === undefined) {
    throw new UpstreamHttpError(api, statusCode, { detail: 'the body is not a WeCom JSON envelope' });
  }
  if (envelope.errcode !== 0) {
    const errmsg = typeof envelope.errmsg === 'string' ? envelope.errmsg : '';
    throw new WeComError(api, envelope.errcode, redactValue(redactText(errmsg), accessToken));
  }
  return rememberAnswerText(envelope as WeComResponse<A>, body);
}

/**
 * WeCom's envelope: an object with an integer `errcode`. A gettoken answer with an `access_token` but
 * no `errcode` is a success too (some proxies and older answers leave errcode 0 out).
 */
function parseEnvelope(
  api: WeComApi,
  body: string,
): ({ errcode: number; errmsg?: unknown } & object) | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { errcode, access_token: token } = parsed as { errcode?: unknown; access_token?: unknown };
  if (errcode === undefined && api === 'gettoken' && typeof token === 'string')
    return { ...parsed, errcode: 0 };
  return typeof errcode === 'number' && Number.isInteger(errcode)
    ? (parsed as { errcode: number })
    : undefined;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Failures that happen before a single byte of the request was written: safe to re-send anything. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

function classifyFailure(api: WeComApi, error: unknown, timedOut: boolean): ServiceError {
  const code = errorCode(error);
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return new UpstreamTimeoutError(api, undefined, { cause: error });
  }
  // Anything else (ECONNRESET, UND_ERR_SOCKET, EPIPE, unknown) may have reached WeCom.
  const resolved = code ?? 'UNKNOWN';
  return new UpstreamNetworkError(api, resolved, !NOT_SENT_CODES.has(resolved), { cause: error });
}

/** undici puts the code on the error itself; fetch-style wrappers put it on `cause`. */
function errorCode(error: unknown): string | undefined {
  for (
    let current = error, depth = 0;
    depth < 3 && typeof current === 'object' && current !== null;
    depth++
  ) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    current = cause;
  }
  return undefined;
}
