/**
 * First step of the chain: whatever the source, the raw event becomes an `Invocation` (design.md §3,
 * "Invocation sources"). HTTP checks that need the raw request (route, size, content type) happen
 * here; the raw event is not kept, so nothing later can log it by accident.
 */
import type { MiddlewareObj } from '@middy/core';
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import type { OperationDefinition } from '../operations.ts';
import { httpItem } from './http-input.ts';
import { detectSource, Invocation, isApiGatewayV2Event, UnsupportedEventError } from './invocation.ts';
import { compileRoute } from './routing.ts';

export function normaliseEvent(operation: OperationDefinition): MiddlewareObj {
  const route = compileRoute(operation.http);
  return {
    name: 'normaliseEvent',
    before: (request) => {
      const { event } = request;
      switch (detectSource(event)) {
        case 'http': {
          if (!isApiGatewayV2Event(event)) throw new UnsupportedEventError();
          const http = { requestId: event.requestContext.requestId };
          request.event = new Invocation('http', [httpItem(event, operation, route)], http);
          return;
        }
        case 'sqs':
          request.event = new Invocation(
            'sqs',
            (event as SQSEvent).Records.map((record) => ({ messageId: record.messageId, json: record.body })),
          );
          return;
        case 'eventbridge':
          request.event = new Invocation('eventbridge', [
            { payload: (event as EventBridgeEvent<string, unknown>).detail },
          ]);
          return;
        case 'direct':
          request.event = new Invocation('direct', [{ payload: event }]);
          return;
        case 'unsupported':
          throw new UnsupportedEventError();
      }
    },
  };
}
