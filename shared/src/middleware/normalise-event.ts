/**
 * First step of the chain: whatever the source, the raw event becomes an `Invocation` (docs/architecture.md §3,
 * "Invocation sources"). HTTP checks that need the raw request (route, size, content type) happen
 * here; the raw event is not kept, so nothing later can log it by accident.
 */
import type { MiddlewareObj } from '@middy/core';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { UnsupportedEventError } from '../errors.ts';
import { detectSource, Invocation, isApiGatewayV2Event } from '../invocation.ts';
import type { OperationDefinition } from '../operations.ts';
import { type CompiledRoute, compileRoute } from '../routing.ts';
import { httpItem } from './http-input.ts';

export function normaliseEvent(operation: OperationDefinition): MiddlewareObj {
  const route = compileRoute(operation.http);
  return {
    name: 'normaliseEvent',
    before: (request) => {
      request.event = toInvocation(request.event, operation, route);
    },
  };
}

function toInvocation(event: unknown, operation: OperationDefinition, route: CompiledRoute): Invocation {
  if (isApiGatewayV2Event(event)) {
    const http = { requestId: event.requestContext.requestId };
    return new Invocation('http', [httpItem(event, operation, route)], http);
  }
  // detectSource has checked the fields that tell these events apart.
  switch (detectSource(event)) {
    case 'sqs':
      return new Invocation(
        'sqs',
        (event as SQSEvent).Records.map(({ messageId, body }) => ({ messageId, json: body })),
      );
    case 'eventbridge':
      return new Invocation('eventbridge', [
        { payload: (event as EventBridgeEvent<string, unknown>).detail },
      ]);
    case 'direct':
      return new Invocation('direct', [{ payload: event }]);
    default:
      throw new UnsupportedEventError();
  }
}
