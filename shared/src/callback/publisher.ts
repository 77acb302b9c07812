/** Where a directory event goes: EventBridge when deployed, a printing sink in local mode. */

import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishError } from './errors.ts';
import type { DirectoryEvent } from './events.ts';

export interface EventPublisher {
  /** Resolves once the event is accepted; rejects otherwise (the delivery then answers non-200). */
  publish(event: DirectoryEvent): Promise<void>;
}

/** The PutEvents entry of an event (also what the local sink prints). */
export function putEventsEntry(event: DirectoryEvent, busName: string) {
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    ...(event.time && { Time: event.time }),
  };
}
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: () => EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: DirectoryEvent): Promise<void> {
    const answer = await this.client().send(
      new PutEventsCommand({ Entries: [putEventsEntry(event, this.busName)] }),
    );
    const failed = answer.Entries?.[0];
    if ((answer.FailedEntryCount ?? 0) > 0 || failed?.ErrorCode) {
      throw new PublishError(`EventBridge refused the event: ${failed?.ErrorCode ?? 'unknown'}`);
    }
  }
}
