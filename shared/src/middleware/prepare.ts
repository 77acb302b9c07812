/**
 * The input steps as one middleware, and one typed pipeline of plain functions: the raw event → raw
 * inputs (normalise-event.ts) → request objects (parse-json.ts) → validated requests
 * (validate-input.ts). Each step takes the stage the previous one returns, so a step out of order is a
 * compile error; the handler (execute.ts) takes only an invocation this middleware prepared.
 */
import type { MiddlewareObj } from '@middy/core';
import { Invocation, type ReadyRequest } from '../invocation.ts';
import type { OperationDefinition } from '../operations.ts';
import { compileRoute } from '../routing.ts';
import { normaliseEvent } from './normalise-event.ts';
import { parseJson } from './parse-json.ts';
import { validateInput } from './validate-input.ts';

const PREPARED = new WeakSet<Invocation>();

export function prepareInvocation(operation: OperationDefinition): MiddlewareObj {
  const route = compileRoute(operation.http);
  const validate = validateInput(operation);
  return {
    name: 'prepareInvocation',
    before: (request) => {
      const invocation = normaliseEvent(request.event, operation, route);
      // In place of the raw event at once: a refused input is logged with its source and request id.
      request.event = invocation;
      const prepared = invocation.map(parseJson).map(validate);
      PREPARED.add(prepared);
      request.event = prepared;
    },
  };
}

/** The invocation `prepareInvocation` put in place of the event, its items validated. */
export function preparedOf(event: unknown): Invocation<ReadyRequest> {
  if (event instanceof Invocation && PREPARED.has(event)) return event as Invocation<ReadyRequest>;
  throw new Error('The event was not prepared: prepareInvocation() must run first');
}
