/**
 * The last steps: the answer in the shape each source expects. Success: API Gateway gets WeCom's JSON
 * with 200; a direct invoke or EventBridge gets WeCom's JSON itself; SQS gets `batchItemFailures`
 * naming the records worth retrying. Failure: ONE onError, fed by http-errors.ts.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { ServiceError } from '../errors.ts';
import { describeError, type ErrorDescription } from '../http-errors.ts';
import type { OperationDefinition, OperationId } from '../operations.ts';
import { MethodNotAllowedError } from './http-input.ts';
import { detectSource, type EventSource, Invocation, invocationOf } from './invocation.ts';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function shapeResponse(operation: OperationDefinition): MiddlewareObj {
  const operationId = operation.id as OperationId;
  return {
    name: 'shapeResponse',
    after: (request) => {
      const invocation = invocationOf(request.response);
      request.response = successResponse(invocation, operationId);
    },
  };
}

function successResponse(invocation: Invocation, operationId: OperationId) {
  switch (invocation.source) {
    case 'http':
      return jsonResponse(200, invocation.item.result);
    case 'direct':
    case 'eventbridge':
      return invocation.item.result;
    case 'sqs':
      return batchResponse(invocation, operationId);
  }
}

/** Records that failed permanently (a 4xx) are not retried: they are logged and dropped. */
function batchResponse(invocation: Invocation, operationId: OperationId): SQSBatchResponse {
  const retry = invocation.items.filter(
    (item) =>
      item.deferred === true ||
      (item.error !== undefined && describeError(item.error, operationId).retryable),
  );
  return { batchItemFailures: retry.map((item) => ({ itemIdentifier: item.messageId ?? '' })) };
}

/** What a direct invoker sees for a bug: the class name only, never our message or stack. */
export class InternalError extends ServiceError {
  override readonly name = 'InternalError';
}

export function mapErrors(operation: OperationDefinition): MiddlewareObj {
  const operationId = operation.id as OperationId;
  return {
    name: 'mapErrors',
    onError: (request) => {
      const description = describeError(request.error, operationId);
      if (sourceOf(request.event) === 'http') {
        request.response = errorResponse(description, request.context.awsRequestId, request.error);
      } else if (description.status === 500) {
        // Lambda returns an error's name, message and stack to the invoker: keep ours to ourselves.
        request.error = new InternalError(`Internal error (request ${request.context.awsRequestId})`);
      }
      // Otherwise the error itself is rethrown: its `name` is its class and its message carries the
      // errcode, which is what a Step Functions Catch or an SDK caller branches on.
    },
  };
}

/** The source, also when the event failed before it was normalised (a 404, a 413…). */
function sourceOf(event: unknown): EventSource {
  if (event instanceof Invocation) return event.source;
  const detected = detectSource(event);
  return detected === 'unsupported' ? 'direct' : detected;
}

export function errorResponse(
  description: ErrorDescription,
  requestId: string,
  error?: unknown,
): APIGatewayProxyStructuredResultV2 {
  const { status, errcode, errmsg, message, issues, retryAfterSeconds } = description;
  const headers: Record<string, string> = {};
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  return jsonResponse(status, { errcode, errmsg, message, issues, requestId }, headers);
}
