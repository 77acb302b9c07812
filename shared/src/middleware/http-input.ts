/**
 * An API Gateway HTTP API (payload 2.0) request → one invocation item: the route is checked, the body
 * limited, typed and decoded, the path and query parameters collected. JSON parsing and validation
 * come next, in the steps every source shares.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpRequestError, MethodNotAllowedError, RouteNotFoundError, ValidationError } from '../errors.ts';
import type { InvocationItem, RawInput } from '../invocation.ts';
import type { OperationDefinition } from '../operations.ts';
import { type CompiledRoute, findRoute } from '../routing.ts';

/** Larger bodies are refused with 413; WeCom's biggest request (a 1000-user invite) is far smaller. */
export const MAX_BODY_BYTES = 256 * 1024;

/** JSON and its structured-syntax variants (`application/merge-patch+json`…), in UTF-8. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

export function httpItem(
  event: APIGatewayProxyEventV2,
  operation: OperationDefinition,
  route: CompiledRoute,
): InvocationItem<RawInput> {
  const pathParameters = routeParameters(event, route);
  const query = queryParameters(event, operation);
  return { input: { json: bodyText(event), parameters: { ...query, ...pathParameters } } };
}

/**
 * API Gateway sends a function only the routes it is wired to, with the path parameters extracted. An
 * event from another route (a catch-all `$default`, a stage with a base path) is matched here, so a
 * function never serves a request meant for another one.
 */
function routeParameters(event: APIGatewayProxyEventV2, route: CompiledRoute): Record<string, string> {
  if (event.routeKey === route.routeKey) return definedValues(event.pathParameters);
  const { method } = event.requestContext.http;
  for (const path of candidatePaths(event)) {
    const match = findRoute([route], method, path);
    if (match.kind === 'found') return match.pathParameters;
    if (match.kind === 'method-not-allowed') throw new MethodNotAllowedError(method, match.allow);
  }
  throw new RouteNotFoundError(method, event.rawPath);
}

/** The path as sent, and without the stage prefix API Gateway keeps for named stages. */
function candidatePaths(event: APIGatewayProxyEventV2): string[] {
  const { rawPath } = event;
  const prefix = `/${event.requestContext.stage}`;
  return rawPath.startsWith(`${prefix}/`) ? [rawPath, rawPath.slice(prefix.length)] : [rawPath];
}

function queryParameters(
  event: APIGatewayProxyEventV2,
  operation: OperationDefinition,
): Record<string, string> {
  const query = definedValues(event.queryStringParameters);
  const accepted = operation.http.query ?? [];
  const unknown = Object.keys(query).filter((name) => !accepted.includes(name));
  if (unknown.length > 0) {
    throw new ValidationError(
      `Unknown query parameter: ${unknown.join(', ')}`,
      unknown.map((name) => ({ path: name, message: 'is not a query parameter of this route' })),
    );
  }
  return query;
}

/** Own entries with a value. `fromEntries` defines properties, so even a `__proto__` name stays a key. */
function definedValues(values: Record<string, string | undefined> | undefined): Record<string, string> {
  // Object.fromEntries defines each name as an own property: `__proto__` stays a plain (refused) key.
  return Object.fromEntries(
    Object.entries(values ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or undefined when there is none. */
function bodyText(event: APIGatewayProxyEventV2): string | undefined {
  const { body } = event;
  if (body === undefined || body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : undefined;
  const size = bytes?.length ?? Buffer.byteLength(body, 'utf8');
  if (size > MAX_BODY_BYTES) {
    throw new HttpRequestError(`The body is larger than ${MAX_BODY_BYTES / 1024} KiB`, 413);
  }
  checkContentType(header(event, 'content-type'));
  checkContentEncoding(header(event, 'content-encoding'));
  if (bytes === undefined) return body;
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValidationError('The body is not valid UTF-8');
  }
}

function checkContentType(contentType: string | undefined): void {
  const [mediaType = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim());
  const charset = parameters.find((parameter) => /^charset=/i.test(parameter))?.slice('charset='.length);
  const isUtf8 = charset === undefined || /^"?utf-8"?$/i.test(charset);
  if (!JSON_MEDIA_TYPE.test(mediaType) || !isUtf8) {
    throw new HttpRequestError('The body must be JSON: send Content-Type: application/json', 415);
  }
}

/**
 * The body is read as sent: a compressed one (`Content-Encoding: gzip`…) would be parsed as garbage,
 * so any coding other than `identity` is a 415 that says so.
 */
function checkContentEncoding(contentEncoding: string | undefined): void {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  if (codings.length > 0) {
    throw new HttpRequestError(
      `Content-Encoding ${codings.join(', ')} is not supported: send the body uncompressed`,
      415,
    );
  }
}

/** API Gateway lower-cases header names in payload 2.0; other producers may not. */
function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}
