/**
 * Enrichment of member events (docs/events.md, "Enrichment"): since 2022-08-15 a callback carries only
 * ids, so for `Member created` and `Member updated` the member is read (`user/get`, the `read`
 * credential) and added as `detail.member`. The event is published whatever happens: WeCom refusing
 * (48009, 60011, 60111…) gives `enrichment: {status: 'refused', errcode}`, any other failure (timeout,
 * SSM down) `{status: 'unavailable'}`. The member object is personal data: it goes to the bus, never to
 * the log.
 */

import type { Runtime } from '../contracts.ts';
import { WeComError } from '../errors.ts';
import type { DirectoryEvent, EventDetail } from './events.ts';
import { CALLBACK_FUNCTION } from './function.ts';

export type Enricher = (event: DirectoryEvent, deadline?: number) => Promise<DirectoryEvent>;

export type EnrichmentOutcome = { status: 'refused'; errcode: number } | { status: 'unavailable' };

const ENRICHED = new Set(['create_user', 'update_user']);

export function memberEnricher(
  runtime: () => Runtime,
  onFailure?: (outcome: EnrichmentOutcome) => void,
): Enricher {
  return async (event, deadline) => {
    const { detail } = event;
    if (!ENRICHED.has(detail.changeType)) return event;
    // After a userid change the member is found under the new one.
    const userid = [detail.NewUserID, detail.UserID].find(
      (id): id is string => typeof id === 'string' && id !== '',
    );
    if (userid === undefined) return event;
    let addition: Pick<EventDetail, 'member'> | { enrichment: EnrichmentOutcome };
    try {
      const services = runtime();
      const member = await services.client.call(
        CALLBACK_FUNCTION.wecomApi,
        { userid },
        {
          credential: services.credentialFor(CALLBACK_FUNCTION.credential),
          idempotent: true,
          ...(deadline !== undefined && { deadline }),
        },
      );
      const { errcode: _errcode, errmsg: _errmsg, ...fields } = member as Record<string, unknown>;
      addition = { member: fields as EventDetail['member'] };
    } catch (error) {
      const enrichment: EnrichmentOutcome =
        error instanceof WeComError
          ? { status: 'refused', errcode: error.errcode }
          : { status: 'unavailable' };
      onFailure?.(enrichment);
      addition = { enrichment };
    }
    return { ...event, detail: { ...detail, ...addition } };
  };
}
