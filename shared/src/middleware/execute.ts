/**
 * The handler at the centre of the chain: each validated item becomes one WeCom call (or a recursive
 * listing), within a deadline taken from the Lambda's remaining time.
 */
import type { Context } from 'aws-lambda';
import { describeError } from '../http-errors.ts';
import { type BoundCall, isListingApi, type ListingInput, listMembers } from '../listing.ts';
import type { OperationDefinition } from '../operations.ts';
import type { Runtime } from '../runtime-types.ts';
import type { WeComApi, WeComRequest } from '../wecom/apis.ts';
import {
  type Invocation,
  type InvocationItem,
  invocationOf,
  type OperationRow,
  type WeComResult,
} from './invocation.ts';

/** Kept back from the Lambda's remaining time to log and answer after WeCom's call gives up. */
export const SAFETY_MARGIN_MS = 500;
/**
 * API Gateway stops waiting after 29 s (design.md §5). Its clock started before ours (routing, a cold
 * start), so an HTTP call gets a second less than that.
 */
export const HTTP_BUDGET_MS = 28_000;

/** The absolute deadline (epoch ms) of one WeCom call, retries included. */
export function deadlineFor(invocation: Invocation, context: Context, now = Date.now()): number {
  const remaining = context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  return now + (invocation.source === 'http' ? Math.min(remaining, HTTP_BUDGET_MS) : remaining);
}

export function executeOperation(operation: OperationRow, runtime: () => Runtime) {
  return async (event: unknown, context: Context): Promise<Invocation> => {
    const invocation = invocationOf(event);
    const services = runtime();
    const credential = services.credentialFor(operation.credential);
    await invocation.forEachPendingInSequence(
      async (item) => {
        const deadline = deadlineFor(invocation, context);
        const call: BoundCall = (api, request) =>
          services.client.call(api, request, { credential, deadline, idempotent: operation.idempotent });
        item.result = await perform(operation, validated(item), call);
      },
      // A retryable failure (rate limit, WeCom down, misconfiguration) would meet the next records too.
      (error) => describeError(error, operation.id).retryable,
    );
    return invocation;
  };
}

function validated(item: InvocationItem): Record<string, unknown> {
  if (item.input === undefined) throw new Error('The item was not validated: validateInput() must run first');
  return item.input;
}

function perform(
  operation: OperationDefinition,
  input: Record<string, unknown>,
  call: BoundCall,
): Promise<WeComResult> {
  const api = operation.wecomApi;
  // The operation's own schema validated `input`, so it is this API's request (or, for the listings,
  // a ListingInput); the table ties the schema to the API, which the type system cannot see.
  if (operation.recursiveListing && isListingApi(api))
    return listMembers(call, api, input as unknown as ListingInput);
  return call(api, input as WeComRequest<WeComApi>);
}
