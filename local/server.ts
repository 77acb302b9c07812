/**
 * The local API: every route of the operation table on a loopback HTTP server, each request turned
 * into an API Gateway HTTP API (2.0) event for the very function module that serves it in AWS
 * (functions/<id>.ts), plus GET /openapi.json. Routing is API Gateway's, with a JSON 405 added for a
 * known path and another method.
 *
 * The functions reach WeCom through the layer's runtime, injected here with `setRuntime`: one local
 * API per process.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  compileRoute,
  errorResponse,
  findRoute,
  generateOpenApi,
  jsonResponse,
  MAX_BODY_BYTES,
  OPERATIONS,
  type OperationDefinition,
  type OperationId,
  resetRuntime,
  setRuntime,
} from '@wecom-contact/layer';
import type { Context } from 'aws-lambda';
import type { Sandbox, SandboxOptions } from '#sandbox/types.ts';
import { toApiGatewayEvent, writeResult } from './api-gateway.ts';
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
}

export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly id: OperationId | 'openapi';
  readonly summary: string;
}

export interface LocalApi {
  readonly url: string;
  /** The embedded sandbox, when no real WeCom is configured. */
  readonly sandbox?: Sandbox;
  /** Which WeCom the API talks to (no secrets). */
  readonly wecom: string;
  readonly routes: readonly LocalRoute[];
  stop(): Promise<void>;
}

type FunctionHandler = (event: unknown, context: Context) => Promise<unknown>;

interface FunctionRoute {
  readonly method: OperationDefinition['http']['method'];
  readonly path: string;
  readonly operation: OperationDefinition;
  readonly handler: FunctionHandler;
}

export const OPENAPI_PATH = '/openapi.json';

/** The function modules themselves, loaded by id, as Lambda loads functions/<id>.ts's bundle. */
async function loadFunctions(): Promise<FunctionRoute[]> {
  return Promise.all(
    (OPERATIONS as readonly OperationDefinition[]).map(async (operation) => {
      const module: { handler: FunctionHandler } = await import(`../functions/${operation.id}.ts`);
      return { ...operation.http, operation, handler: module.handler };
    }),
  );
}

export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const functions = (await loadFunctions()).map((route) => compileRoute(route));
  const target = await resolveWeComTarget(options.env ?? process.env, options.sandbox);
  setRuntime(target.runtime);

  const routes: LocalRoute[] = [
    ...functions.map(({ route }) => ({
      ...route,
      id: route.operation.id as OperationId,
      summary: route.operation.summary,
    })),
    { method: 'GET', path: OPENAPI_PATH, id: 'openapi', summary: 'This API as an OpenAPI 3.1 document' },
  ];
  let openApi: unknown;
  const log = options.log ?? (() => undefined);

  const serve = async (request: IncomingMessage, response: ServerResponse, baseUrl: string) => {
    const startedAt = performance.now();
    const url = new URL(request.url ?? '/', baseUrl);
    const method = request.method ?? 'GET';
    const body = await readBody(request);
    let status: number;
    if (url.pathname === OPENAPI_PATH) {
      openApi ??= generateOpenApi({ serverUrl: baseUrl });
      status = writeResult(
        response,
        method === 'GET' ? jsonResponse(200, openApi) : methodNotAllowed(method, ['GET']),
      );
    } else {
      const match = findRoute(functions, method, url.pathname);
      if (match.kind === 'not-found') {
        status = writeResult(response, notFound(method, url.pathname));
      } else if (match.kind === 'method-not-allowed') {
        status = writeResult(response, methodNotAllowed(method, match.allow));
      } else {
        const { route, pathParameters } = match;
        const event = toApiGatewayEvent({
          request,
          url,
          body,
          routeKey: `${route.method} ${route.path}`,
          pathParameters,
        });
        const context = createLambdaContext({
          functionName: `wecom-contact-${route.operation.id}`,
          timeoutMs: options.functionTimeoutMs,
        });
        status = writeResult(response, await invoke(route.handler, event, context));
      }
    }
    log(
      `${method} ${url.pathname}${url.search} → ${status} (${Math.round(performance.now() - startedAt)} ms)`,
    );
  };

  const server = createServer((request, response) => {
    serve(request, response, url).catch((error: unknown) => {
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
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url,
    sandbox: target.sandbox,
    wecom: target.description,
    routes,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await target.stop();
      resetRuntime();
    },
  };
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

function notFound(method: string, path: string) {
  return errorResponse(
    { status: 404, message: `No route for ${method} ${path}`, retryable: false },
    randomUUID(),
  );
}

function methodNotAllowed(method: string, allow: readonly string[]) {
  const response = errorResponse(
    {
      status: 405,
      message: `This route does not accept ${method}; allowed: ${allow.join(', ')}`,
      retryable: false,
    },
    randomUUID(),
  );
  return { ...response, headers: { ...response.headers, allow: allow.join(', ') } };
}

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
