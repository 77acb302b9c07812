/**
 * The request pipeline, in this order: count the call; the concurrency gate (45033); an injected
 * fault; the per-minute limit (45009); then gettoken's credential checks, or for business calls the
 * token (41001/40014/42001), the trusted IPs (60020), the HTTP method (40058), the permission (48002),
 * the body (40033/40058) and the handler. Every outcome is a WeCom envelope with HTTP 200, except the
 * injected `reset` and `http` faults.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Credentials, Visibility } from './access.ts';
import { fail, formatErrmsg, invalidParameter, WeComFailure } from './envelope.ts';
import type { FaultPlan } from './faults.ts';
import { queryValue } from './fields.ts';
import {
  decodeJsonBody,
  describeCall,
  type IncomingCall,
  readBody,
  writeJson,
  writeProxyError,
} from './http.ts';
import type { ConcurrencyGate, RateLimiter } from './limits.ts';
import { type CorpState, ROUTES, type Route } from './routes/index.ts';
import type { TokenIssuer } from './tokens.ts';
import type { SandboxApi, SandboxOptions } from './types.ts';

export interface SandboxRuntime {
  readonly corp: CorpState;
  readonly settings: Readonly<Pick<SandboxOptions, 'trustedIps'>>;
  readonly credentials: Credentials;
  readonly tokens: TokenIssuer;
  readonly faults: FaultPlan;
  readonly rateLimiter: RateLimiter;
  readonly concurrency: ConcurrencyGate;
  readonly counters: Map<string, number>;
  readonly nextHint: () => string;
  /** Aborted on stop, so that injected delays do not hold the process. */
  readonly stopping: AbortSignal;
}

const API_PREFIX = '/cgi-bin/';

const isServed = (api: string): api is SandboxApi => api === 'gettoken' || Object.hasOwn(ROUTES, api);

export function requestListener(runtime: SandboxRuntime): RequestListener {
  return (request, response) => {
    serve(runtime, request, response).catch(() => {
      // A client that went away, or stop() during an injected delay: nobody is left to answer.
      response.destroy();
    });
  };
}

async function serve(
  runtime: SandboxRuntime,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const call = describeCall(request);
  const api = call.path.startsWith(API_PREFIX) ? call.path.slice(API_PREFIX.length) : call.path;
  runtime.counters.set(api, (runtime.counters.get(api) ?? 0) + 1);
  const body = await readBody(request);
  const route = Object.hasOwn(ROUTES, api) ? ROUTES[api as keyof typeof ROUTES] : undefined;
  const refuse = (failure: WeComFailure) => {
    const errmsg = formatErrmsg(failure.errcode, failure.text, runtime.nextHint(), call.ip);
    writeJson(response, { errcode: failure.errcode, errmsg, ...route?.errorFields });
  };

  if (!isServed(api)) {
    // WeCom's answer to an unknown cgi path is not documented: the sandbox keeps to its envelope.
    return refuse(new WeComFailure(40058, 'unknown api path. invalid Request Parameter'));
  }
  if (!runtime.concurrency.enter(api)) return refuse(new WeComFailure(45033));
  try {
    if (await playFault(runtime, api, request, response, refuse)) return;
    if (!runtime.rateLimiter.admit(api)) return refuse(new WeComFailure(45009));
    const result = route ? callRoute(runtime, route, call, body) : issueToken(runtime, call);
    writeJson(response, { errcode: 0, errmsg: 'ok', ...result });
  } catch (error) {
    if (runtime.stopping.aborted) throw error;
    // Anything but a WeCom error is a sandbox bug; WeCom's own answer to those is "system busy".
    refuse(error instanceof WeComFailure ? error : new WeComFailure(-1));
  } finally {
    runtime.concurrency.leave(api);
  }
}

/** Plays the fault injected for this api, if any; true when it answered (or cut) the request. */
async function playFault(
  runtime: SandboxRuntime,
  api: SandboxApi,
  request: IncomingMessage,
  response: ServerResponse,
  refuse: (failure: WeComFailure) => void,
): Promise<boolean> {
  const fault = runtime.faults.take(api);
  if (fault?.kind === 'delay') await sleep(fault.ms, undefined, { signal: runtime.stopping });
  if (fault?.kind === 'reset') request.socket.resetAndDestroy();
  else if (fault?.kind === 'http') writeProxyError(response, fault.status);
  else if (fault?.kind === 'errcode') refuse(new WeComFailure(fault.errcode, fault.errmsg));
  else return false;
  return true;
}

/** §2: 41002/41004 missing, 40013 wrong corp, 40001 unknown secret. Works from untrusted IPs (§1). */
function issueToken(runtime: SandboxRuntime, { method, query }: IncomingCall) {
  assertMethod(method, 'GET');
  const corpId = queryValue(query, 'corpid');
  const secret = queryValue(query, 'corpsecret');
  if (corpId === undefined) fail(41002);
  if (secret === undefined) fail(41004);
  if (corpId !== runtime.corp.corpId) fail(40013);
  const credential = runtime.credentials.credentialOf(secret);
  if (credential === undefined) fail(40001);
  return runtime.tokens.issue(credential);
}

function callRoute(runtime: SandboxRuntime, route: Route, call: IncomingCall, rawBody: Buffer | undefined) {
  // §0: the token is read from the query string only; a body or header token is "missing".
  const credential = runtime.tokens.verify(queryValue(call.query, 'access_token'));
  const trusted = runtime.settings.trustedIps;
  if (trusted !== undefined && !trusted.includes(call.ip)) fail(60020);
  assertMethod(call.method, route.method);
  const caller = runtime.credentials.callerOf(credential);
  if (route.access === 'contact' && caller.kind !== 'contact') fail(48002);
  const body = route.method === 'POST' ? decodeJsonBody(rawBody) : {};
  const visibility = new Visibility(runtime.corp.directory, caller);
  const result = route.handle({ query: call.query, body, caller, visibility, corp: runtime.corp });
  return { errmsg: route.success ?? 'ok', ...result };
}

/** §0: a wrong method is a business error, not a 405 (e.g. GET where POST is required → 40058). */
function assertMethod(method: string, expected: 'GET' | 'POST'): void {
  if (method !== expected) invalidParameter(`http method ${expected} required`);
}
