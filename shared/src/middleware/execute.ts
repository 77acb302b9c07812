/**
 * The handler at the centre of the chain: each validated item runs its operation (one WeCom call, or
 * what the row's behaviour does), within a deadline taken from the Lambda's remaining time.
 */
import type { Context } from 'aws-lambda';
import type { CallOptions, Runtime } from '../contracts.ts';
import type { PassOnCall } from '../define-operation.ts';
import { describeError } from '../error-mapping.ts';
import type { Invocation, OperationRow } from '../invocation.ts';
import type { BoundCall } from '../listing.ts';
import { countEvent } from '../observability.ts';
import { preparedOf } from './prepare.ts';

/** Kept back from the Lambda's remaining time to log and answer after WeCom's call gives up. */
export const SAFETY_MARGIN_MS = 500;
/**
 * An HTTP API stops waiting for its integration after 30 s (docs/operations.md). Its clock started
 * before ours (routing, a cold start), so an HTTP call gets a second less than that.
 */
export const HTTP_BUDGET_MS = 29_000;

/** The absolute deadline (epoch ms) of one WeCom call, retries included. */
export function deadlineFor(invocation: Invocation, context: Context, now = Date.now()): number {
  const remaining = context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  return now + (invocation.source === 'http' ? Math.min(remaining, HTTP_BUDGET_MS) : remaining);
}

export function executeOperation(operation: OperationRow, runtime: () => Runtime) {
  return async (event: unknown, context: Context): Promise<Invocation> => {
    const invocation = preparedOf(event);
    const services = runtime();
    const credential = services.credentialFor(operation.credential);
    const { idempotent } = operation;
    const http = invocation.source === 'http';
    await invocation.runInSequence(
      (run) => {
        const options = { credential, deadline: deadlineFor(invocation, context), idempotent };
        const call: BoundCall = (api, request) => services.client.call(api, request, options);
        // Over HTTP the answer's text is the response body; the other sources answer with the object.
        const passOn: PassOnCall = http ? passingOn(services, { ...options, passOn: true }) : call;
        return run({ call, passOn, count: countEvent });
      },
      // A retryable failure (rate limit, WeCom down, misconfiguration) would meet the next records too.
      (error) => describeError(error, operation.id).retryable,
    );
    return invocation;
  };
}

/** The call of a row that passes WeCom's answer on (CallOptions.passOn), with its options bound. */
const passingOn =
  (services: Runtime, options: CallOptions & { readonly passOn: true }): PassOnCall =>
  (api, request) =>
    services.client.call(api, request, options);
