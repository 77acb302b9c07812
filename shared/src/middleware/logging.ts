/**
 * One structured log line per outcome, and never the event or a body (they carry members' personal
 * data): only the operation, the source, ids, the status, the errcode and our own description of what
 * went wrong. Success is DEBUG (API Gateway access logs and Lambda's REPORT line already count
 * requests); refusals are INFO, transient failures WARN, what needs a human ERROR.
 *
 * The Lambda request id is not added here: the chain's first middleware puts the Lambda context on
 * the layer's logger (handler.ts), so that every line of the invocation carries it, the client's and
 * the token provider's included.
 */
import { type Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import { describeError } from '../error-mapping.ts';
import { ServiceError } from '../errors.ts';
import { Invocation, type InvocationItem, type OperationRow, sourceOf } from '../invocation.ts';
import { isDebugEnabled, logger as layerLogger } from '../observability.ts';

export type InvocationLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'level'>;

export function logInvocation(operation: OperationRow, logger: InvocationLogger): MiddlewareObj {
  const operationId = operation.id;
  // The layer's logger: the level read once as the invocation started (log-context.ts).
  const debugEnabled =
    logger === layerLogger ? isDebugEnabled : () => logger.level <= LogLevelThreshold.DEBUG;
  const startedAt = new WeakMap<Request, number>();

  const keys = (request: Request) => {
    const invocation = request.event instanceof Invocation ? request.event : undefined;
    return {
      operation: operationId,
      source: sourceOf(request.event),
      apiRequestId: invocation?.http?.requestId,
      durationMs: Math.round(performance.now() - (startedAt.get(request) ?? performance.now())),
    };
  };

  const failure = (error: unknown) => {
    const { status, errcode, message, retryable } = describeError(error, operationId);
    return {
      status,
      errcode,
      errorName: error instanceof Error ? error.name : typeof error,
      reason: message,
      // Our own message says more than the caller's answer (e.g. which SSM parameter is missing), and
      // never carries a secret or personal data (errors.ts).
      detail: status >= 500 && error instanceof ServiceError ? error.message : undefined,
      retryable,
    };
  };

  const logRecord = (item: InvocationItem, request: Request) => {
    const { retryable, ...fields } = failure(item.error);
    const message = retryable ? 'SQS record left for a retry' : 'SQS record dropped: permanent failure';
    logger.warn(message, { ...keys(request), messageId: item.messageId, ...fields });
  };

  /** An SQS batch: a line per failed record, and one for the records deferred behind a failure. */
  const logBatch = (invocation: Invocation, request: Request) => {
    for (const item of invocation.items) if (item.error !== undefined) logRecord(item, request);
    const deferred = invocation.items.filter((item) => item.deferred === true).length;
    if (deferred > 0)
      logger.info('SQS records deferred after a retryable failure', { ...keys(request), deferred });
  };

  return {
    name: 'logInvocation',
    before: (request) => {
      startedAt.set(request, performance.now());
    },
    after: (request) => {
      const invocation = request.event instanceof Invocation ? request.event : undefined;
      if (invocation?.source === 'sqs') logBatch(invocation, request);
      // The fields are built only when the line is written: success is the hot path.
      if (debugEnabled()) logger.debug('Request served', keys(request));
    },
    onError: (request) => {
      const { retryable: _, ...failed } = failure(request.error);
      logFailure(logger, { ...keys(request), ...failed }, request.error);
    },
  };
}

/** Refusals are INFO, what is worth a retry WARN, what needs a human ERROR (with the error only for a bug). */
function logFailure(logger: InvocationLogger, fields: { readonly status: number }, error: unknown): void {
  if (fields.status === 500) logger.error('Request failed', { ...fields, error });
  else if (fields.status === 502) logger.error('Request failed: the service needs an operator', fields);
  else if (fields.status >= 429) logger.warn('Request failed: unavailable or limited, worth a retry', fields);
  else logger.info('Request refused', fields);
}
