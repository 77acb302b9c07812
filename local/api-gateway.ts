/**
 * What API Gateway's HTTP API does between a client and a function, for the local server: an HTTP
 * request becomes a payload 2.0 event (headers lower-cased, repeated values joined by commas, path and
 * query decoded, binary bodies in base64) and the function's result becomes the HTTP response.
 */

import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface RoutedRequest {
  readonly request: IncomingMessage;
  readonly url: URL;
  readonly body: Buffer;
  /** `METHOD /path/{param}` of the matched route. */
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

/** Bodies API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_CONTENT =
  /^(?:text\/|application\/(?:[\w.-]+\+)?(?:json|xml)|application\/x-www-form-urlencoded)/i;

export function toApiGatewayEvent({
  request,
  url,
  body,
  routeKey,
  pathParameters,
}: RoutedRequest): APIGatewayProxyEventV2 {
  const headers = joinedHeaders(request);
  // A text body that is not valid UTF-8 goes in base64, bytes intact, so that the function refuses it
  // rather than read U+FFFD where the bytes were; so does a compressed one (any Content-Encoding).
  const isText =
    TEXT_CONTENT.test(headers['content-type'] ?? '') &&
    headers['content-encoding'] === undefined &&
    isUtf8(body);
  const now = new Date();
  const rawPath = safeDecodePath(url.pathname);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: url.search.slice(1),
    ...(headers.cookie === undefined ? {} : { cookies: headers.cookie.split(/;\s*/) }),
    headers,
    ...queryParameters(url),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    ...(body.length > 0 ? { body: body.toString(isText ? 'utf8' : 'base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function joinedHeaders(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name.toLowerCase(), Array.isArray(value) ? value.join(',') : value]],
    ),
  );
}

function queryParameters(url: URL): Pick<APIGatewayProxyEventV2, 'queryStringParameters'> {
  if (url.search === '') return {};
  const parameters = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const previous = parameters.get(name);
    parameters.set(name, previous === undefined ? value : `${previous},${value}`);
  }
  return { queryStringParameters: Object.fromEntries(parameters) };
}

/** API Gateway hands functions the decoded path. */
function safeDecodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's `requestContext.time`. */
function apiGatewayTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

const isStructured = (result: unknown): result is APIGatewayProxyStructuredResultV2 =>
  typeof result === 'object' && result !== null && 'statusCode' in result;

/** Writes a function's result as API Gateway would: a structured result as is, anything else as a JSON 200. */
export function writeResult(response: ServerResponse, result: unknown): number {
  const structured: APIGatewayProxyStructuredResultV2 = isStructured(result)
    ? result
    : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const statusCode = structured.statusCode ?? 200;
  const body =
    structured.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    response.setHeader(name, String(value));
  if (structured.cookies !== undefined) response.setHeader('set-cookie', structured.cookies);
  response.setHeader('content-length', body.length);
  response.writeHead(statusCode).end(body);
  return statusCode;
}
