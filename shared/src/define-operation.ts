/**
 * What a row of the operation table is, and `defineOperation`, which builds one. The row ties its
 * WeCom call to its input schema in the type system: a schema whose output is not that call's request
 * does not compile unless the row brings its own `behaviour`, which then takes the schema's output.
 * Validation hands the executor a ready call, so no code after it needs a cast.
 *
 * Plain data and types: importing it never loads undici, middy or the AWS SDK.
 */
import type { z } from 'zod';
import type { CredentialRole } from './credential-roles.ts';
import type { BoundCall } from './listing.ts';
import { once } from './once.ts';
import type { WeComApi, WeComEnvelope, WeComRequest, WeComResponse } from './wecom/apis.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * The operation's own call when its answer goes to the caller untouched: over HTTP only WeCom's
 * envelope is read, and the response body is WeCom's text (CallOptions.passOn).
 */
export type PassOnCall = <A extends WeComApi>(api: A, request: WeComRequest<A>) => Promise<WeComEnvelope>;

/** What a row's behaviour may use besides its input. */
export interface PerformContext {
  /** A WeCom call with the operation's credential, deadline and idempotency bound. */
  readonly call: BoundCall;
  /** The same call, for an answer passed on without being read (a row without behaviour). */
  readonly passOn: PassOnCall;
  /** Counts one occurrence of an operational metric (an EMF line in Lambda). */
  readonly count: (metric: string) => void;
}

/** How a validated input becomes the answer. */
export type Perform<A extends WeComApi, I> = (input: I, context: PerformContext) => Promise<WeComResponse<A>>;

/** Anything a row does beyond one call of its WeCom API with its input as the request. */
export interface Behaviour<A extends WeComApi, I> {
  /** One sentence for the OpenAPI document: what the caller gets beyond WeCom's own call. */
  readonly description: string;
  readonly perform: Perform<A, I>;
}

/** WeCom's JSON answer, as returned (or merged, for a recursive listing): passed on, never inspected. */
export type WeComResult = WeComEnvelope;

/** The outcome of validating a payload: the call it makes, or why it was refused. */
export type Validated =
  | { readonly success: true; readonly run: (context: PerformContext) => Promise<WeComResult> }
  | { readonly success: false; readonly error: z.ZodError };

interface RowFields<Id extends string, A extends WeComApi> {
  /** Function id: the Lambda's name (its entry is generated from the row), construct id and log name. */
  readonly id: Id;
  readonly summary: string;
  readonly http: {
    readonly method: HttpMethod;
    readonly path: string;
    /** Input fields the route takes from the query string; any other query parameter is a 400. */
    readonly query?: readonly string[];
  };
  readonly wecomApi: A;
  readonly credential: CredentialRole;
  /** Safe to re-send after an ambiguous failure (the answer may have been lost, not the effect). */
  readonly idempotent: boolean;
  /** Fed by an SQS queue (HR sync jobs) in addition to its route. */
  readonly queued: boolean;
}

/** A row as the table's users see it, whatever its call and schema. */
export interface OperationDefinition<Id extends string = string> extends RowFields<Id, WeComApi> {
  /**
   * The operation's input: the WeCom request object as a caller sends it by direct invocation,
   * EventBridge `detail` or an SQS record body. Over HTTP it is assembled from the path parameters,
   * the query string and the JSON body (path parameters win; a body that disagrees is a 400).
   */
  readonly input: z.ZodType;
  /** Set when the row does more than one call of `wecomApi`; its description goes to the OpenAPI document. */
  readonly behaviour?: { readonly description: string };
  /** Checks a payload against `input`; on success, the call it makes. */
  validate(payload: unknown): Validated;
}

/**
 * What may be sent as a call's request: its type, with `null` allowed for an optional field, which
 * WeCom reads as absent (the schemas let it through as peer SDKs send it).
 */
export type Sendable<A extends WeComApi> = {
  [K in keyof WeComRequest<A>]: undefined extends WeComRequest<A>[K]
    ? WeComRequest<A>[K] | null
    : WeComRequest<A>[K];
};

/**
 * A row's input schema is given as its builder: the row builds it on first use, once, so that a
 * function's cold start builds its own operation's schema only (docs/performance.md, "Cold start").
 */
type InputBuilder<I> = () => z.ZodType<I>;

/** A row whose input is exactly its WeCom call's request, optionally with its own behaviour. */
export function defineOperation<const Id extends string, A extends WeComApi, I extends Sendable<A>>(
  row: RowFields<Id, A> & { readonly input: InputBuilder<I>; readonly behaviour?: Behaviour<A, I> },
): OperationDefinition<Id>;
/** A row whose input is its own (e.g. a flag WeCom removed): its behaviour says how it is served. */
export function defineOperation<const Id extends string, A extends WeComApi, I>(
  row: RowFields<Id, A> & { readonly input: InputBuilder<I>; readonly behaviour: Behaviour<A, I> },
): OperationDefinition<Id>;
export function defineOperation<Id extends string, A extends WeComApi, I extends Sendable<A>>(
  row: RowFields<Id, A> & { readonly input: InputBuilder<I>; readonly behaviour?: Behaviour<A, I> },
): OperationDefinition<Id> {
  const { input: build, ...fields } = row;
  const input = once(build);
  const perform: (value: I, context: PerformContext) => Promise<WeComResult> =
    row.behaviour?.perform ?? ((value, { passOn }) => passOn(row.wecomApi, value));
  return {
    ...fields,
    get input() {
      return input();
    },
    validate(payload) {
      const parsed = input().safeParse(payload);
      if (!parsed.success) return { success: false, error: parsed.error };
      return { success: true, run: (context) => perform(parsed.data, context) };
    },
  };
}
