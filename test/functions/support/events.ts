/**
 * Real-shaped events of each invocation source, modelled on the samples in the AWS documentation
 * (API Gateway HTTP API payload 2.0, SQS, EventBridge), with only what a test varies as parameters.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import { getOperation, type OperationId } from '#shared/operations.ts';

export interface HttpEventOptions {
  method: string;
  /** The request path as the client sent it (API Gateway hands it over decoded). */
  path: string;
  /** Default: `${method} ${path}`; `$default` for a catch-all route. */
  routeKey?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  stage?: string;
}

export function httpEvent(options: HttpEventOptions): APIGatewayProxyEventV2 {
  const { method, path, query, body, stage = '$default' } = options;
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: options.routeKey ?? `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers: {
      accept: '*/*',
      'content-length': String(body === undefined ? 0 : Buffer.byteLength(body)),
      host: 'abcdef1234.execute-api.ap-east-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-5e66d96f-7491f09xmpl79d18acf3d050',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(query === undefined ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      domainName: 'abcdef1234.execute-api.ap-east-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent: 'curl/8.5.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: options.routeKey ?? `${method} ${path}`,
      stage,
      time: '10/Mar/2026:12:00:00 +0000',
      timeEpoch: 1_773_144_000_000,
    },
    ...(options.pathParameters === undefined ? {} : { pathParameters: options.pathParameters }),
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

export interface RouteEventOptions {
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The event API Gateway sends an operation's function for its own route. */
export function routeEvent(id: OperationId, options: RouteEventOptions = {}): APIGatewayProxyEventV2 {
  const { method, path: template } = getOperation(id).http;
  const pathParameters = options.pathParameters ?? {};
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => pathParameters[name] ?? '');
  return httpEvent({
    method,
    path,
    routeKey: `${method} ${template}`,
    pathParameters: options.pathParameters,
    query: options.query,
    headers: options.headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

export function sqsRecord(body: string, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `AQEB${messageId.replaceAll('-', '')}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1773144000000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1773144000001',
    },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:ap-east-1:123456789012:wecom-contact-dev-user-create',
    awsRegion: 'ap-east-1',
  };
}

export const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

export function eventBridgeEvent<T>(detail: T): EventBridgeEvent<'WeCom member request', T> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'WeCom member request',
    source: 'com.example.hr',
    account: '123456789012',
    time: '2026-03-10T12:00:00Z',
    region: 'ap-east-1',
    resources: [],
    detail,
  };
}
