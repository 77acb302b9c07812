/**
 * One shape for every invocation source. An invocation is a list of items, each a WeCom request on its
 * way through the chain (JSON text → payload → validated input → result): one item for API Gateway,
 * a direct invoke and EventBridge, one per record for SQS. The middlewares and the handler work on
 * items, so SQS records go through exactly the same steps as an HTTP request.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { PerformContext, WeComResult } from './define-operation.ts';
import { InputProcessingError, ServiceError } from './errors.ts';
import type { OperationDefinition, OperationId } from './operations.ts';

export type { WeComResult } from './define-operation.ts';

export type EventSource = 'http' | 'direct' | 'eventbridge' | 'sqs';

/** A row of the operation table seen through its interface, its id still typed. */
export type OperationRow = OperationDefinition & { readonly id: OperationId };

export interface InvocationItem {
  /** SQS message id: the `itemIdentifier` of a batch item failure. */
  readonly messageId?: string;
  /** JSON text still to parse: an HTTP body or an SQS record body. */
  json?: string;
  /** HTTP path and query parameters, merged over the body. */
  parameters?: Readonly<Record<string, string>>;
  /** The request object, not yet validated. */
  payload?: unknown;
  /** The validated request, ready to run: the call(s) its operation makes with it. */
  run?: (context: PerformContext) => Promise<WeComResult>;
  result?: WeComResult;
  /** Why this item failed. Only SQS records fail one by one; other sources fail as a whole. */
  error?: unknown;
  /** Not attempted: an earlier record met a failure that would hit this one too (SQS retries it). */
  deferred?: boolean;
}

/** What logs and deadlines need from an HTTP request (never its body or headers). */
export interface HttpRequestInfo {
  readonly requestId: string;
}

export class Invocation {
  constructor(
    readonly source: EventSource,
    readonly items: InvocationItem[],
    readonly http?: HttpRequestInfo,
  ) {}

  /** The only item of a non-batch source. */
  get item(): InvocationItem {
    const [item] = this.items;
    if (item === undefined || this.items.length !== 1)
      throw new Error(`A ${this.source} invocation has one item`);
    return item;
  }

  /**
   * Runs a step on every item still in play. A failing step fails the whole invocation, except for SQS
   * records: the record keeps its error and the others carry on.
   */
  forEachPending(step: (item: InvocationItem) => void): void {
    for (const item of this.items) {
      if (!isPending(item)) continue;
      try {
        step(item);
      } catch (error) {
        // The steps read the input: an error of ours says what is wrong with it; anything else is a
        // defect this input triggers, which a retry of the same input would meet again.
        this.fail(item, error instanceof ServiceError ? error : new InputProcessingError(error));
      }
    }
  }

  /**
   * The asynchronous variant, one item at a time (a batch must not multiply the WeCom call rate).
   * After a failure that `stopsBatch` says would hit the next records too, they are deferred.
   */
  async forEachPendingInSequence(
    step: (item: InvocationItem) => Promise<void>,
    stopsBatch: (error: unknown) => boolean,
  ): Promise<void> {
    const queue = this.items.filter(isPending);
    for (let index = 0; index < queue.length; index++) {
      const item = queue[index] as InvocationItem;
      try {
        await step(item);
      } catch (error) {
        this.fail(item, error);
        if (stopsBatch(error)) {
          for (const rest of queue.slice(index + 1)) rest.deferred = true;
          return;
        }
      }
    }
  }

  private fail(item: InvocationItem, error: unknown): void {
    if (this.source !== 'sqs') throw error;
    item.error = error;
  }
}

/** Still in play: neither failed nor deferred. */
const isPending = (item: InvocationItem) => item.error === undefined && item.deferred !== true;

/** Reads the invocation a preceding middleware put in place of the raw event. */
export function invocationOf(event: unknown): Invocation {
  if (event instanceof Invocation) return event;
  throw new Error('The event was not normalised: normaliseEvent() must run first');
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isApiGatewayV2Event(event: unknown): event is APIGatewayProxyEventV2 {
  return (
    isRecord(event) &&
    event.version === '2.0' &&
    isRecord(event.requestContext) &&
    isRecord(event.requestContext.http)
  );
}

/**
 * Where an event comes from. A direct invoke (or a Step Functions task) sends the WeCom request object
 * itself; anything that looks like another AWS service's event is refused rather than sent to WeCom.
 */
export function detectSource(event: unknown): EventSource | 'unsupported' {
  if (!isRecord(event)) return 'direct';
  if (isApiGatewayV2Event(event)) return 'http';
  if (Array.isArray(event.Records)) {
    return event.Records.every((record) => isRecord(record) && record.eventSource === 'aws:sqs')
      ? 'sqs'
      : 'unsupported';
  }
  if ('detail-type' in event && 'source' in event && 'detail' in event) return 'eventbridge';
  if ('requestContext' in event || 'httpMethod' in event || 'routeKey' in event) return 'unsupported';
  return 'direct';
}

/** The source of an event, normalised or not (a request can fail before it is normalised: a 404, a 413…). */
export function sourceOf(event: unknown): EventSource {
  if (event instanceof Invocation) return event.source;
  const detected = detectSource(event);
  return detected === 'unsupported' ? 'direct' : detected;
}
