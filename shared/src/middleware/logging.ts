/**
 * One structured log line per outcome, keyed by the request id, and never the event or a body (they
 * carry members' personal data): only the operation, the source, ids, the status, the errcode and our
 * own description of what went wrong. Success is DEBUG (API Gateway access logs and Lambda's REPORT
 * line already count requests); refusals are INFO, transient failures WARN, what needs a human ERROR.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import { describeError } from '../http-errors.ts';
import { Invocation, type InvocationItem, type OperationRow, sourceOf } from './invocation.ts';

export type InvocationLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export function logInvocation(operation: OperationRow, logger: InvocationLogger): MiddlewareObj {
  const operationId = operation.id;
  const startedAt = new WeakMap<Request, number>();

  const keys = (request: Request) => {
    const invocation = request.event instanceof Invocation ? request.event : undefined;
    return {
      operation: operationId,
      source: sourceOf(request.event),
      requestId: request.context.awsRequestId,
      apiRequestId: invocation?.http?.requestId,
      durationMs: Math.round(performance.now() - (startedAt.get(request) ?? performance.now())),
    };
  };

  const failure = (error: unknown) => {
    const { status, errcode, message } = describeError(error, operationId);
    return {
      status,
      errcode,
      errorName: error instanceof Error ? error.name : typeof error,
      reason: message,
    };
  };

  const logRecord = (item: InvocationItem, request: Request) => {
    const fields = { ...keys(request), messageId: item.messageId, ...failure(item.error) };
    const retried = describeError(item.error, operationId).retryable;
    logger.warn(retried ? 'SQS record left for a retry' : 'SQS record dropped: permanent failure', fields);
  };

  return {
    name: 'logInvocation',
    before: (request) => {
      startedAt.set(request, performance.now());
    },
    after: (request) => {
      const invocation = request.event instanceof Invocation ? request.event : undefined;
      if (invocation?.source === 'sqs') {
        for (const item of invocation.items) if (item.error !== undefined) logRecord(item, request);
        const deferred = invocation.items.filter((item) => item.deferred === true).length;
        if (deferred > 0)
          logger.info('SQS records deferred after a retryable failure', { ...keys(request), deferred });
      }
      logger.debug('Request served', keys(request));
    },
    onError: (request) => {
      const fields = { ...keys(request), ...failure(request.error) };
      if (fields.status === 500) logger.error('Request failed', { ...fields, error: request.error });
      else if (fields.status === 502) logger.error('Request failed: the service needs an operator', fields);
      else if (fields.status >= 429) logger.warn('Request failed: WeCom is unavailable or limited', fields);
      else logger.info('Request refused', fields);
    },
  };
}
