/**
 * One shape for every invocation source. An invocation is a list of items, one for API Gateway, a
 * direct invoke and EventBridge, one per record for SQS, each a WeCom request on its way through
 * the steps (raw input → payload → validated request → result). Each step is a plain function from
 * one stage to the next (`Invocation.map`), so a step run out of order does not compile; SQS records go
 * through exactly the same steps as an HTTP request.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { PerformContext, WeComResult } from './define-operation.ts';
import { InputProcessingError, ServiceError } from './errors.ts';
import type { OperationDefinition, OperationId } from './operations.ts';

export type { WeComResult } from './define-operation.ts';

export type EventSource = 'http' | 'direct' | 'eventbridge' | 'sqs';

/** A row of the operation table seen through its interface, its id still typed. */
export type OperationRow = OperationDefinition & { readonly id: OperationId };

/** First stage, as the event gave it: JSON text and URL parameters still to merge, or the object itself. */
export interface RawInput {
  /** JSON text still to parse: an HTTP body or an SQS record body. */
  readonly json?: string;
  /** HTTP path and query parameters, merged over the body. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** The request object itself (a direct invoke, an EventBridge detail). */
  readonly payload?: unknown;
}

/** Second stage: the request object, URL parameters merged, not yet validated. */
export interface ParsedRequest {
  readonly payload: unknown;
}

/** Last stage: the validated request, ready to run: the call(s) its operation makes with it. */
export type ReadyRequest = (context: PerformContext) => Promise<WeComResult>;

/** One item, at the stage `T` of its input, with its outcome so far. */
export interface InvocationItem<T = unknown> {
  /** SQS message id: the `itemIdentifier` of a batch item failure. */
  readonly messageId?: string;
  /** What the next step works on; absent once the item failed or was deferred. */
  readonly input?: T;
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

export class Invocation<T = unknown> {
  constructor(
    readonly source: EventSource,
    readonly items: InvocationItem<T>[],
    readonly http?: HttpRequestInfo,
  ) {}

  /** The only item of a non-batch source. */
  get item(): InvocationItem<T> {
    const [item] = this.items;
    if (item === undefined || this.items.length !== 1)
      throw new Error(`A ${this.source} invocation has one item`);
    return item;
  }

  /**
   * The next stage: `step` on every item still in play. A failing step fails the whole invocation,
   * except for SQS records: the record keeps its error and the others carry on.
   */
  map<U>(step: (input: T) => U): Invocation<U> {
    const items = this.items.map((item): InvocationItem<U> => {
      const { messageId } = item;
      if (!isPending(item)) return { messageId, error: item.error, deferred: item.deferred };
      try {
        return { messageId, input: step(item.input as T) };
      } catch (error) {
        // The steps read the input: an error of ours says what is wrong with it; anything else is a
        // defect this input triggers, which a retry of the same input would meet again.
        return {
          messageId,
          error: this.failure(error instanceof ServiceError ? error : new InputProcessingError(error)),
        };
      }
    });
    return new Invocation(this.source, items, this.http);
  }

  /**
   * Runs each item still in play, one at a time (a batch must not multiply the WeCom call rate). After
   * a failure that `stopsBatch` says would hit the next records too, they are deferred.
   */
  async runInSequence(
    run: (input: T) => Promise<WeComResult>,
    stopsBatch: (error: unknown) => boolean,
  ): Promise<void> {
    const queue = this.items.filter(isPending);
    for (let index = 0; index < queue.length; index++) {
      const item = queue[index] as InvocationItem<T>;
      try {
        item.result = await run(item.input as T);
      } catch (error) {
        item.error = this.failure(error);
        if (stopsBatch(error)) {
          for (const rest of queue.slice(index + 1)) rest.deferred = true;
          return;
        }
      }
    }
  }

  /** An SQS record's failure stays with the record; any other source's fails the invocation. */
  private failure(error: unknown): unknown {
    if (this.source !== 'sqs') throw error;
    return error;
  }
}

/** Still in play: neither failed nor deferred. */
const isPending = (item: InvocationItem) => item.error === undefined && item.deferred !== true;

/** Reads the invocation a preceding middleware put in place of the raw event. */
export function invocationOf(event: unknown): Invocation {
  if (event instanceof Invocation) return event;
  throw new Error('The event was not normalised: prepareInvocation() must run first');
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
