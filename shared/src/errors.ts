/**
 * The error hierarchy of the layer. Each class names one cause, so that the one HTTP mapping
 * (error-mapping.ts), the retry policy and a Step Functions `Catch` can branch on `name` alone.
 * Messages never contain an access_token, a secret or a member's personal data.
 */

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `department.2`; empty for the whole input. */
  readonly path: string;
  readonly message: string;
}

/** Base class: every error the layer raises on purpose. */
export abstract class ServiceError extends Error {
  override readonly name: string = 'ServiceError';
}

/** The caller's input breaks a rule; it never reached WeCom. */
export class ValidationError extends ServiceError {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message);
  }
}

/**
 * An HTTP request the API cannot take as sent, before its input is even read: a body too large
 * (413) or not JSON (415). The subclasses name the routing refusals.
 */
export class HttpRequestError extends ServiceError {
  override readonly name: string = 'HttpRequestError';
  constructor(
    message: string,
    readonly status: 404 | 405 | 413 | 415,
  ) {
    super(message);
  }
}

/** No route serves this method and path. */
export class RouteNotFoundError extends HttpRequestError {
  override readonly name = 'RouteNotFoundError';
  constructor(method: string, path: string) {
    super(`No route for ${method} ${path}`, 404);
  }
}

/** The path exists with other methods; a 405 names them in `Allow`. */
export class MethodNotAllowedError extends HttpRequestError {
  override readonly name = 'MethodNotAllowedError';
  constructor(
    method: string,
    readonly allow: readonly string[],
  ) {
    super(`This route does not accept ${method}; allowed: ${allow.join(', ')}`, 405);
  }
}

/** WeCom answered with errcode ≠ 0. */
export class WeComError extends ServiceError {
  override readonly name = 'WeComError';
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
    options?: ErrorOptions,
  ) {
    super(`WeCom ${api} failed with errcode ${errcode}: ${errmsg}`, options);
  }
}

/**
 * WeCom (or a proxy in front of it) answered with a non-2xx HTTP status, or with a 2xx body that is
 * not a WeCom JSON envelope (`detail` says what was wrong).
 */
export class UpstreamHttpError extends ServiceError {
  override readonly name = 'UpstreamHttpError';
  constructor(
    readonly api: string,
    readonly statusCode: number,
    options?: ErrorOptions & { detail?: string },
  ) {
    super(`WeCom ${api} answered HTTP ${statusCode}${options?.detail ? `: ${options.detail}` : ''}`, options);
  }
}

/** No complete answer within the deadline. */
export class UpstreamTimeoutError extends ServiceError {
  override readonly name = 'UpstreamTimeoutError';
  constructor(
    readonly api: string,
    message = `WeCom ${api} did not answer within the deadline`,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The connection failed. `sent` says whether the request may have reached WeCom: only a failure
 * before sending is safe to retry for a non-idempotent call.
 */
export class UpstreamNetworkError extends ServiceError {
  override readonly name = 'UpstreamNetworkError';
  constructor(
    readonly api: string,
    readonly code: string,
    readonly sent: boolean,
    options?: ErrorOptions,
  ) {
    super(`WeCom ${api} network error ${code}`, options);
  }
}

/**
 * A service the layer depends on besides WeCom (SSM Parameter Store) is throttled, slow or unreachable,
 * and nothing cached can stand in for it: retry later (503).
 */
export class DependencyUnavailableError extends ServiceError {
  override readonly name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: 'ssm',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * No access_token can be had right now: WeCom's gettoken is busy or unreachable and the fleet backs off
 * before asking again (docs/tokens.md). Retry after `retryAfterSeconds` (503).
 */
export class TokenUnavailableError extends ServiceError {
  override readonly name = 'TokenUnavailableError';
  constructor(
    readonly retryAfterSeconds: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`No access_token: ${reason}; the next gettoken is due in ${retryAfterSeconds} s`, options);
  }
}

/**
 * A success answer from WeCom that the service must read itself (a listing it merges, a member it
 * compares) does not have the shape WeCom documents. Answered 502: nothing the caller can fix. The
 * message names the call and the field, never a value.
 */
export class UnexpectedAnswerError extends ServiceError {
  override readonly name = 'UnexpectedAnswerError';
  constructor(
    readonly api: string,
    readonly field: string,
  ) {
    super(`WeCom ${api} answered an unexpected shape at ${field}`);
  }
}

/**
 * Reading an input (parsing, bounding, validating it) failed in a way the layer did not foresee: a
 * defect, met because of this very input, so a retry of the same input meets it again. A 500 that
 * SQS does not retry (the record is logged and dropped rather than cycled to the dead-letter queue).
 */
export class InputProcessingError extends ServiceError {
  override readonly name = 'InputProcessingError';
  constructor(cause: unknown) {
    super('Reading the input failed', { cause });
  }
}

/**
 * The deployment is wrong (missing parameter, unreadable secret): an operator must act. The message
 * may name SSM parameters: it goes to the logs, never to an API caller.
 */
export class ConfigurationError extends ServiceError {
  override readonly name = 'ConfigurationError';
}

/** An event from no source the layer knows (API Gateway v2, SQS, EventBridge, a direct invoke). */
export class UnsupportedEventError extends ValidationError {
  constructor() {
    super(
      'Unsupported event: expected an API Gateway HTTP API (payload 2.0) request, an SQS batch, an EventBridge event or the WeCom request object itself',
    );
  }
}

/** What a direct invoker sees for a bug: none of the bug's message or stack (the log has them). */
export class InternalError extends ServiceError {
  override readonly name = 'InternalError';
  constructor(requestId: string) {
    super(`Internal error (request ${requestId})`);
    this.stack = `${this.name}: ${this.message}`;
  }
}
