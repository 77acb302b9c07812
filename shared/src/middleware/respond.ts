/**
 * The last steps: the answer in the shape each source expects. Success: API Gateway gets WeCom's JSON
 * with 200; a direct invoke or EventBridge gets WeCom's JSON itself; SQS gets `batchItemFailures`
 * naming the records worth retrying. Failure: ONE onError, fed by error-mapping.ts.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { describeError, type ErrorDescription } from '../error-mapping.ts';
import { ConfigurationError, InternalError, MethodNotAllowedError, type ServiceError } from '../errors.ts';
import { type Invocation, invocationOf, type OperationRow, sourceOf } from '../invocation.ts';
import type { OperationId } from '../operations.ts';
import { answerText } from '../wecom/answer-text.ts';

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
      return answerResponse(invocation.item.result);
    case 'direct':
    case 'eventbridge':
      return invocation.item.result;
    case 'sqs':
      return batchResponse(invocation, operationId);
  }
}

/** WeCom's answer with 200: its own text when it is passed on untouched (wecom/answer-text.ts). */
function answerResponse(result: unknown): APIGatewayProxyStructuredResultV2 {
  const text = answerText(result);
  if (text === undefined) return jsonResponse(200, result);
  return { statusCode: 200, headers: { ...JSON_HEADERS }, body: text };
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
export function mapErrors(operation: OperationRow): MiddlewareObj {
  return {
    name: 'mapErrors',
    onError: (request) => {
      const description = describeError(request.error, operation.id);
      const requestId = request.context.awsRequestId;
      if (sourceOf(request.event) === 'http') {
        request.response = errorResponse(description, requestId, request.error);
      } else {
        request.error = invokerError(request.error, description, requestId);
      }
    },
  };
}

/**
 * The error a direct invoker (SDK, Step Functions, EventBridge) gets: Lambda hands it the error's
 * name, message and stack. Our own errors go as they are: `name` is their class and the message
 * carries the errcode, which is what a Step Functions Catch or an SDK caller branches on. A bug and a
 * misconfiguration keep their details (file paths, SSM parameter names) to the log.
 */
function invokerError<E>(error: E, description: ErrorDescription, requestId: string): E | ServiceError {
  if (description.status === 500) return new InternalError(requestId);
  if (error instanceof ConfigurationError) {
    const bare = new ConfigurationError(`${description.message} (request ${requestId})`);
    bare.stack = `${bare.name}: ${bare.message}`;
    return bare;
  }
  return error;
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
