/**
 * The local API: every route of the operation table on a loopback HTTP server, each request turned
 * into an API Gateway HTTP API (2.0) event for the handler that serves it in AWS (what the build's
 * generated entry creates: `createOperationHandler(<id>)`), plus GET /openapi.json and its interactive
 * page, GET /docs. Routing is API Gateway's, with a JSON 405 added for a
 * known path and another method.
 *
 * The functions reach WeCom through the layer's runtime, injected here with `setRuntime`: one local
 * API per process.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import { createOperationHandler } from '@wecom-contact/layer';
import type { Context } from 'aws-lambda';
import type { Sandbox, SandboxOptions } from '#sandbox/types.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { describeError } from '#shared/error-mapping.ts';
import {
  type HttpRequestError,
  MethodNotAllowedError,
  RouteNotFoundError,
  ValidationError,
} from '#shared/errors.ts';
import type { OperationRow } from '#shared/invocation.ts';
import { MAX_BODY_BYTES } from '#shared/middleware/http-input.ts';
import { errorResponse, jsonResponse } from '#shared/middleware/respond.ts';
import { generateOpenApi } from '#shared/openapi.ts';
import { OPERATIONS, type OperationId } from '#shared/operations.ts';
import { compileRoute, findRoute } from '#shared/routing.ts';
import { resetRuntime, setRuntime } from '#shared/runtime.ts';
import { toApiGatewayEvent, writeResult } from './api-gateway.ts';
import { CONSOLE_PATH, type LocalCallbacks, localCallbacks } from './callbacks.ts';
import { DOCS_PATH, docsAnswer, isDocsPath } from './docs.ts';
import { createLambdaContext } from './lambda-context.ts';
import { type Environment, resolveWeComTarget } from './wecom-target.ts';

export interface LocalApiOptions {
  /** Default 0 (an ephemeral port); `npm start` passes $PORT or 3000. */
  readonly port?: number;
  /** Loopback only. Default 127.0.0.1. */
  readonly host?: '127.0.0.1' | '::1';
  /** Where the WeCom settings are read (default process.env); `{}` always embeds the sandbox. */
  readonly env?: Environment;
  /** Options of the embedded sandbox (default: the demo directory). */
  readonly sandbox?: SandboxOptions;
  /** Each invocation's Lambda timeout (default 30 s, as deployed). */
  readonly functionTimeoutMs?: number;
  /** Receives one access-log line per request (default: none). */
  readonly log?: (line: string) => void;
  /** Receives each directory change event the callback route publishes (default: none). */
  readonly printEvent?: (text: string) => void;
}

export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly id: OperationId | 'openapi' | 'docs' | typeof CALLBACK_FUNCTION.id | 'sandbox-console';
  readonly summary: string;
}

export interface LocalApi {
  readonly url: string;
  /** The embedded sandbox, when no real WeCom is configured. */
  readonly sandbox?: Sandbox;
  /** Which WeCom the API talks to (no secrets). */
  readonly wecom: string;
  readonly routes: readonly LocalRoute[];
  /** Directory change events published by the callback route. */
  readonly events: LocalCallbacks['events'];
  stop(): Promise<void>;
}

type FunctionHandler = (event: unknown, context: Context) => Promise<unknown>;

interface FunctionRoute {
  readonly method: OperationRow['http']['method'];
  readonly path: string;
  readonly operation: OperationRow;
  readonly handler: FunctionHandler;
}

export const OPENAPI_PATH = '/openapi.json';

/** Each operation's handler, from the layer package by its bare name, as the built entry takes it. */
function loadFunctions(): FunctionRoute[] {
  return (OPERATIONS as readonly OperationRow[]).map((operation) => ({
    ...operation.http,
    operation,
    handler: createOperationHandler(operation.id),
  }));
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const functions = loadFunctions().map((route) => compileRoute(route));
  const scope = await invocationScope();
  const target = await resolveWeComTarget(options.env ?? process.env, options.sandbox);
  setRuntime(target.runtime);

  const routes: LocalRoute[] = [
    ...functions.map(({ route }) => ({
      ...route,
      id: route.operation.id,
      summary: route.operation.summary,
    })),
    { method: 'GET', path: OPENAPI_PATH, id: 'openapi', summary: 'This API as an OpenAPI 3.1 document' },
    { method: 'GET', path: DOCS_PATH, id: 'docs', summary: 'Read and try every route in a browser' },
    { method: 'GET', path: CALLBACK_FUNCTION.path, id: CALLBACK_FUNCTION.id, summary: 'WeCom URL check' },
    {
      method: 'POST',
      path: CALLBACK_FUNCTION.path,
      id: CALLBACK_FUNCTION.id,
      summary: 'WeCom contact events',
    },
    ...(target.sandbox
      ? [
          {
            method: 'POST',
            path: CONSOLE_PATH,
            id: 'sandbox-console' as const,
            summary: 'Sandbox admin console',
          },
        ]
      : []),
  ];
  const log = options.log ?? (() => undefined);
  /** Known once the server listens (port 0 picks one); requests arrive only after that. */
  let baseUrl = '';
  let openApi: unknown;
  const callbacks = localCallbacks({
    env: options.env ?? process.env,
    sandbox: target.sandbox,
    baseUrl: () => baseUrl,
    print: options.printEvent ?? (() => undefined),
    run: (requestId, invocation) => scope.run(requestId, invocation),
  });

  /** The OpenAPI document and the /docs page, or undefined for any other path. */
  const documentationAnswer = (method: string, pathname: string): unknown => {
    if (pathname === OPENAPI_PATH) {
      openApi ??= generateOpenApi({ serverUrl: baseUrl });
      return method === 'GET' ? jsonResponse(200, openApi) : methodNotAllowed(method, ['GET']);
    }
    if (!isDocsPath(pathname)) return undefined;
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(method, ['GET']);
    return docsAnswer(pathname, OPENAPI_PATH) ?? notFound(method, pathname);
  };

  /** What API Gateway, or the function behind it, answers. */
  const answer = async (request: IncomingMessage, url: URL, body: Buffer): Promise<unknown> => {
    const method = request.method ?? 'GET';
    const callbackAnswer = callbacks.answer(request, url, body);
    if (callbackAnswer) return callbackAnswer;
    const documentation = documentationAnswer(method, url.pathname);
    if (documentation) return documentation;
    const match = findRoute(functions, method, url.pathname);
    if (match.kind === 'not-found') return notFound(method, url.pathname);
    if (match.kind === 'method-not-allowed') return methodNotAllowed(method, match.allow);
    const { route, pathParameters } = match;
    const routeKey = `${route.method} ${route.path}`;
    const context = createLambdaContext({
      functionName: `wecom-contact-${route.operation.id}`,
      timeoutMs: options.functionTimeoutMs,
    });
    const event = toApiGatewayEvent({ request, url, body, routeKey, pathParameters });
    return scope.run(context.awsRequestId, () => invoke(route.handler, event, context));
  };

  const serve = async (request: IncomingMessage, response: ServerResponse) => {
    const startedAt = performance.now();
    const target = request.url ?? '/';
    const body = await readBody(request);
    // Concatenated, not resolved: a path starting with // must not be read as another host.
    const url = target.startsWith('/') ? new URL(`${baseUrl}${target}`) : undefined;
    const result =
      url === undefined ? targetError(request.method ?? 'GET', target) : await answer(request, url, body);
    const status = writeResult(response, result);
    const elapsed = Math.round(performance.now() - startedAt);
    log(
      `${request.method} ${url === undefined ? '(not a path)' : `${url.pathname}${url.search}`} → ${status} (${elapsed} ms)`,
    );
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      log(
        `${request.method} ${request.url} → failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!response.headersSent)
        writeResult(response, { statusCode: 500, body: '{"message":"Internal Server Error"}' });
    });
  });
  try {
    await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    await target.stop();
    resetRuntime();
    throw error;
  }
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: baseUrl,
    sandbox: target.sandbox,
    wecom: target.description,
    routes,
    events: callbacks.events,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await target.stop();
      resetRuntime();
      scope.restore();
    },
  };
}

/**
 * Each invocation runs in its own async context, as on a Lambda runtime that runs invocations
 * concurrently (AWS_LAMBDA_MAX_CONCURRENCY): the layer's logger (Powertools) then keeps each
 * invocation's request id, function name and keys apart, so an error's `requestId` finds its lines.
 */
async function invocationScope() {
  const previous = process.env.AWS_LAMBDA_MAX_CONCURRENCY;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
  const store = await InvokeStore.getInstanceAsync(true);
  return {
    run: <T>(requestId: string, invocation: () => Promise<T>) =>
      store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, invocation),
    restore: () => {
      if (previous === undefined) delete process.env.AWS_LAMBDA_MAX_CONCURRENCY;
    },
  };
}

/**
 * A request target that is not a path: the absolute form (`GET http://host/users/x`, meant for
 * proxies) is a 400, the asterisk form (`OPTIONS *`) names no route: a 404. Both carry a requestId.
 */
function targetError(method: string, target: string) {
  if (target === '*') return notFound(method, target);
  return routingError(
    new ValidationError('The request target must be a path (origin-form), such as /users/zhangsan'),
  );
}

/** API Gateway answers a function that throws with a bare 500; ours never throws for HTTP events. */
async function invoke(handler: FunctionHandler, event: unknown, context: Context): Promise<unknown> {
  try {
    return await handler(event, context);
  } catch {
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Internal Server Error"}',
    };
  }
}

/** API Gateway's own answers, as JSON like every other error of the API. */
function routingError(error: HttpRequestError | ValidationError) {
  return errorResponse(describeError(error), randomUUID(), error);
}

const notFound = (method: string, path: string) => routingError(new RouteNotFoundError(method, path));

const methodNotAllowed = (method: string, allow: readonly string[]) =>
  routingError(new MethodNotAllowedError(method, allow));

/**
 * Reads the body, keeping at most one byte more than the functions accept: they answer 413 for it,
 * and a huge upload cannot fill the memory.
 */
async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (size > MAX_BODY_BYTES) continue;
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
