/**
 * THE mapping from errors to what the caller sees (docs/architecture.md §5): the table of WeCom
 * errcodes (errcode-rules.ts), one function for every other error class. The HTTP responses, the direct-invoke errors and the SQS
 * retry decision are all derived from `describeError`, so they can never disagree.
 */
import { BUSY_RETRY_SECONDS, type ErrorStatus, retryAfterOf, ruleFor } from './errcode-rules.ts';
import {
  ConfigurationError,
  DependencyUnavailableError,
  HttpRequestError,
  InputProcessingError,
  TokenUnavailableError,
  UnexpectedAnswerError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  ValidationError,
  type ValidationIssue,
  WeComError,
} from './errors.ts';
import type { OperationId } from './operations.ts';

/** SSM throttling clears within seconds; an unreachable SSM is worth the same short wait. */
const DEPENDENCY_RETRY_SECONDS = 5;

/** What the caller sees for one error, whatever the invocation source. */
export interface ErrorDescription {
  readonly status: ErrorStatus;
  readonly message: string;
  readonly errcode?: number;
  readonly errmsg?: string;
  readonly issues?: readonly ValidationIssue[];
  readonly retryAfterSeconds?: number;
  /** Worth retrying later (SQS leaves the message on the queue): 429 and the 5xx statuses. */
  readonly retryable: boolean;
}

/** The `from ip: 1.2.3.4` part of WeCom's errmsg (60020, 48009). */
export function reportedIp(errmsg: string): string | undefined {
  return /from ip: ([0-9A-Fa-f.:]+)/.exec(errmsg)?.[1];
}

const isRetryable = (status: ErrorStatus) => status === 429 || status >= 500;

function describe(
  status: ErrorStatus,
  message: string,
  details: Omit<ErrorDescription, 'status' | 'message' | 'retryable'> = {},
): ErrorDescription {
  return { status, message, ...details, retryable: isRetryable(status) };
}

function describeWeComError(
  error: WeComError,
  operationId: OperationId | undefined,
  now: number,
): ErrorDescription {
  const rule = ruleFor(error.errcode, operationId);
  const details = { errcode: error.errcode, errmsg: error.errmsg };
  if (rule === undefined) return describe(400, 'WeCom refused the request', details);
  const message = rule.message
    .replace('{ip}', reportedIp(error.errmsg) ?? "this service's egress IP")
    .replace('{api}', error.api);
  const retryAfterSeconds = retryAfterOf(rule, { errmsg: error.errmsg, now });
  const retryAfter = retryAfterSeconds === undefined ? {} : { retryAfterSeconds };
  return describe(rule.status, message, { ...details, ...retryAfter });
}

/**
 * Classifies any error, for an operation (some errcodes mean more for some operations) or for none
 * (routing errors), at `now` (epoch ms; a daily block's Retry-After depends on it). Only our own
 * error classes say anything specific; everything else is a bug and becomes a generic 500 (its message
 * and stack stay in the logs).
 */
export function describeError(error: unknown, operationId?: OperationId, now = Date.now()): ErrorDescription {
  if (error instanceof ValidationError) {
    return describe(400, error.message, error.issues.length > 0 ? { issues: error.issues } : {});
  }
  if (error instanceof HttpRequestError) return describe(error.status, error.message);
  if (error instanceof WeComError) return describeWeComError(error, operationId, now);
  if (error instanceof UnexpectedAnswerError) return describe(502, UNEXPECTED_SHAPE);
  if (error instanceof UpstreamTimeoutError) return describe(504, 'WeCom did not answer in time');
  if (error instanceof UpstreamNetworkError) return describe(504, 'WeCom could not be reached');
  if (error instanceof DependencyUnavailableError) {
    return describe(503, 'A service this API depends on is unavailable; retry later', {
      retryAfterSeconds: DEPENDENCY_RETRY_SECONDS,
    });
  }
  if (error instanceof TokenUnavailableError) {
    return describe(503, 'WeCom cannot issue an access_token right now; retry later', {
      retryAfterSeconds: error.retryAfterSeconds,
    });
  }
  if (error instanceof UpstreamHttpError) {
    return error.statusCode >= 500
      ? describe(503, `WeCom answered HTTP ${error.statusCode}; retry later`, {
          retryAfterSeconds: BUSY_RETRY_SECONDS,
        })
      : describe(
          502,
          `WeCom answered HTTP ${error.statusCode}: an operator must check the WeCom base URL and any proxy in front of it`,
        );
  }
  // Its own message names SSM parameters: the log keeps it, the caller gets where to look.
  if (error instanceof ConfigurationError) return describe(502, MISCONFIGURED);
  // A defect met while reading this input: the same input would meet it again, so never retried.
  if (error instanceof InputProcessingError) return { ...describe(500, 'Internal error'), retryable: false };
  return describe(500, 'Internal error');
}

const UNEXPECTED_SHAPE =
  'WeCom answered an unexpected shape; the log names the call and the field (search it for this requestId)';

const MISCONFIGURED =
  "The service is misconfigured: an operator must fix the deployment; the function's log says what is " +
  'wrong (search it for this requestId)';
