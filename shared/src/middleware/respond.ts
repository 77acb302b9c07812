/**
 * The last steps: the answer in the shape each source expects. Success: API Gateway gets WeCom's JSON
 * with 200; a direct invoke or EventBridge gets WeCom's JSON itself; SQS gets `batchItemFailures`
 * naming the records worth retrying. Failure: ONE onError, fed by http-errors.ts.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { ServiceError } from '../errors.ts';
import { describeError, type ErrorDescription } from '../http-errors.ts';
import type { OperationId } from '../operations.ts';
import { MethodNotAllowedError } from './http-input.ts';
import { type Invocation, invocationOf, type OperationRow, sourceOf } from './invocation.ts';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' } as const;

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function shapeResponse(operation: OperationRow): MiddlewareObj {
  return {
    name: 'shapeResponse',
    after: (request) => {
      request.response = successResponse(invocationOf(request.response), operation.id);
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

/**
 * What a direct invoker sees for a bug. Lambda hands the invoker an error's name, message and stack
 * trace: this one has none of the bug's (the log has them).
 */
export class InternalError extends ServiceError {
  override readonly name = 'InternalError';
  constructor(requestId: string) {
    super(`Internal error (request ${requestId})`);
    this.stack = `${this.name}: ${this.message}`;
  }
}

export function mapErrors(operation: OperationRow): MiddlewareObj {
  return {
    name: 'mapErrors',
    onError: (request) => {
      const description = describeError(request.error, operation.id);
      if (sourceOf(request.event) === 'http') {
        request.response = errorResponse(description, request.context.awsRequestId, request.error);
      } else if (description.status === 500) {
        request.error = new InternalError(request.context.awsRequestId);
      }
      // Otherwise the error itself is rethrown: its `name` is its class and its message carries the
      // errcode, which is what a Step Functions Catch or an SDK caller branches on.
    },
  };
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
