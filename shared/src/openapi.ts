/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the operation table and its zod schemas
 * (zod 4's own JSON Schema output; OpenAPI 3.1 speaks JSON Schema 2020-12), so it cannot drift from
 * what the functions accept. Rules that JSON Schema cannot express (equal array lengths, the 30-day
 * window, "mobile or email") are enforced at run time and named in the schemas' descriptions.
 */
import * as z from 'zod';
import { ERRCODE_RULES, type ErrorStatus } from './errcode-rules.ts';
import { MAX_BODY_BYTES } from './middleware/http-input.ts';
import { OPERATIONS, type OperationDefinition } from './operations.ts';
import { compileRoute } from './routing.ts';

type JsonSchema = Record<string, unknown>;

export interface OpenApiOptions {
  /**
   * The server the document points at, e.g. the local API or the deployed stage's URL.
   * @default none: `servers` is empty
   * @example 'http://127.0.0.1:3000'
   */
  readonly serverUrl?: string;
  /**
   * `info.version`.
   * @default '0.1.0'
   * @example '1.2.0'
   */
  readonly version?: string;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { title: string; version: string; description: string };
  readonly servers: ReadonlyArray<{ url: string }>;
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components: Record<string, unknown>;
  readonly security: ReadonlyArray<Record<string, string[]>>;
}

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Invalid request (our validation, with `issues`) or refused by WeCom (with `errcode`/`errmsg`)',
  403: 'The credential has no privilege on this member or department',
  404: 'No such member or department',
  405: 'The path exists with another method',
  409: "Conflicts with an existing member (userid, mobile, email…) or the company's seat cap",
  413: `Body larger than ${MAX_BODY_BYTES / 1024} KiB`,
  415: 'Body is not JSON (send Content-Type: application/json)',
  429: "WeCom's rate limit is used up; retry after `Retry-After` seconds",
  500: 'Internal error',
  502: 'The service is misconfigured (the message says who must fix what), or WeCom cannot serve the request',
  503: 'WeCom, or a service this API depends on, is busy; retry after `Retry-After` seconds',
  504: 'WeCom did not answer in time or could not be reached',
};

const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

const COMPONENTS = {
  schemas: {
    WeComAnswer: {
      type: 'object',
      description: "WeCom's JSON as WeCom returned it (field names as in WeCom's documentation)",
      properties: { errcode: { const: 0 }, errmsg: { type: 'string' } },
      required: ['errcode', 'errmsg'],
      additionalProperties: true,
    },
    Error: {
      type: 'object',
      properties: {
        errcode: { type: 'integer', description: "WeCom's errcode, when WeCom refused the call" },
        errmsg: { type: 'string', description: "WeCom's errmsg, as WeCom wrote it" },
        message: { type: 'string' },
        issues: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
            required: ['path', 'message'],
          },
        },
        requestId: { type: 'string', description: 'The Lambda request id, to find the logs' },
      },
      required: ['message', 'requestId'],
    },
  },
  securitySchemes: {
    sigv4: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      description:
        'AWS Signature Version 4: every route uses IAM authorisation (the local server does not check it)',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    },
  },
};

/** The statuses every route can answer besides 200, from the errcode table and the other error classes. */
function errorStatuses(hasBody: boolean): ErrorStatus[] {
  const fromTable = ERRCODE_RULES.map((rule) => rule.status);
  const always: ErrorStatus[] = [400, 500, 502, 503, 504];
  const withBody: ErrorStatus[] = hasBody ? [413, 415] : [];
  return [...new Set([...always, ...withBody, ...fromTable])].sort((a, b) => a - b);
}

function errorResponse(status: ErrorStatus) {
  return {
    description: ERROR_DESCRIPTIONS[status],
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER_HEADER } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
}

function inputSchema(operation: OperationDefinition): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(operation.input, { io: 'input' }) as JsonSchema;
  return schema;
}

function describeOperation(operation: OperationDefinition) {
  const schema = inputSchema(operation);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  const pathNames = compileRoute(operation.http).parameterNames;
  const queryNames = operation.http.query ?? [];
  const inUrl = new Set([...pathNames, ...queryNames]);

  const parameter = (name: string, location: 'path' | 'query') => ({
    name,
    in: location,
    required: location === 'path' || required.includes(name),
    schema: properties[name] ?? { type: 'string' },
  });
  const bodyProperties = Object.fromEntries(Object.entries(properties).filter(([name]) => !inUrl.has(name)));
  const hasBody = Object.keys(bodyProperties).length > 0 || schema.additionalProperties !== false;
  const bodySchema = {
    ...schema,
    properties: bodyProperties,
    required: required.filter((name) => !inUrl.has(name)),
  };

  return {
    operationId: operation.id,
    summary: operation.summary,
    description: `Calls WeCom's \`${operation.wecomApi}\`.${operation.behaviour ? ` ${operation.behaviour.description}` : ''}`,
    parameters: [
      ...pathNames.map((name) => parameter(name, 'path')),
      ...queryNames.map((name) => parameter(name, 'query')),
    ],
    ...(hasBody
      ? { requestBody: { required: true, content: { 'application/json': { schema: bodySchema } } } }
      : {}),
    responses: {
      200: {
        description: "WeCom's answer",
        content: { 'application/json': { schema: { $ref: '#/components/schemas/WeComAnswer' } } },
      },
      ...Object.fromEntries(errorStatuses(hasBody).map((status) => [status, errorResponse(status)])),
    },
  };
}

export function generateOpenApi(options: OpenApiOptions = {}): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS as readonly OperationDefinition[]) {
    const { path, method } = operation.http;
    paths[path] = { ...paths[path], [method.toLowerCase()]: describeOperation(operation) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'WeCom contact API',
      version: options.version ?? '0.1.0',
      description:
        "Manage WeCom (企业微信) members through AWS: each route calls one WeCom member API. Bodies and answers keep WeCom's own field names.",
    },
    servers: options.serverUrl === undefined ? [] : [{ url: options.serverUrl }],
    security: [{ sigv4: [] }],
    paths,
    components: COMPONENTS,
  };
}
