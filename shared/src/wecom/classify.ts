/**
 * The one place that decides what an HTTP exchange with WeCom means: WeCom's answer, or a named error
 * (transport.ts makes the exchange, exchange.ts runs it).
 */
import {
  type ServiceError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  WeComError,
} from '../errors.ts';
import { rememberAnswerText } from './answer-text.ts';
import type { WeComApi, WeComResponse } from './apis.ts';
import type { Exchange } from './exchange.ts';
import { redactText, redactValue } from './redact.ts';

/**
 * The one place that decides what an exchange means. Returns WeCom's answer when errcode is 0, and
 * throws otherwise:
 *  - the attempt's time (or the call's deadline) running out, or undici's backstop timeouts →
 *    UpstreamTimeoutError;
 *  - any other transport failure → UpstreamNetworkError, `sent` false only when the request provably
 *    never left (refused, DNS, connect timeout);
 *  - a non-2xx status, or a body that is not a WeCom envelope → UpstreamHttpError;
 *  - errcode ≠ 0 → WeComError (the errmsg scrubbed of the token and of personal data).
 * With `passOn` (CallOptions.passOn), a success in WeCom's own form is returned as an envelope that
 * carries the text, unparsed (`isPlainSuccess`); anything else is classified as above.
 */
export function classify<A extends WeComApi>(
  api: A,
  exchange: Exchange,
  accessToken?: string,
  passOn = false,
): WeComResponse<A> {
  if ('error' in exchange) throw classifyFailure(api, exchange.error, exchange.timedOut);
  const { statusCode, body } = exchange;
  if (statusCode < 200 || statusCode > 299) throw new UpstreamHttpError(api, statusCode);
  if (passOn && isPlainSuccess(body)) {
    // Only the envelope of a passed-on answer is read (CallOptions.passOn: the client's overload).
    return rememberAnswerText({ errcode: 0 }, body) as WeComResponse<A>;
  }
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
 * How WeCom's own encoder opens a success: `errcode` first, no spaces (the sandbox writes it the same
 * way). Any other opening is parsed, as is every answer the service reads itself.
 */
const SUCCESS_OPENING = '{"errcode":0,';

/**
 * A success whose text can go to the caller as it is without parsing it (~2.5 µs for a 1 KiB member,
 * ~1 ms for a 10,000-userid page): it opens as WeCom's successes do and closes its object (a body cut
 * short would not).
 */
function isPlainSuccess(body: string): boolean {
  return body.startsWith(SUCCESS_OPENING) && body.endsWith('}');
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
