/**
 * First step: whatever the source, the raw event becomes an `Invocation` of raw inputs
 * (docs/architecture.md §3). HTTP checks that need the raw request (route, size, content type) happen
 * here; the raw event is not kept, so nothing later can log it by accident.
 */
import type { EventBridgeEvent, SQSEvent } from 'aws-lambda';
import { UnsupportedEventError } from '../errors.ts';
import { detectSource, Invocation, isApiGatewayV2Event, type RawInput } from '../invocation.ts';
import type { OperationDefinition } from '../operations.ts';
import type { CompiledRoute } from '../routing.ts';
import { httpItem } from './http-input.ts';

export function normaliseEvent(
  event: unknown,
  operation: OperationDefinition,
  route: CompiledRoute,
): Invocation<RawInput> {
  if (isApiGatewayV2Event(event)) {
    const http = { requestId: event.requestContext.requestId };
    return new Invocation('http', [httpItem(event, operation, route)], http);
  }
  // detectSource has checked the fields that tell these events apart.
  switch (detectSource(event)) {
    case 'sqs':
      return new Invocation(
        'sqs',
        (event as SQSEvent).Records.map(({ messageId, body }) => ({ messageId, input: { json: body } })),
      );
    case 'eventbridge':
      return new Invocation('eventbridge', [
        { input: { payload: (event as EventBridgeEvent<string, unknown>).detail } },
      ]);
    case 'direct':
      return new Invocation('direct', [{ input: { payload: event } }]);
    default:
      throw new UnsupportedEventError();
  }
}
