/**
 * One delivery of WeCom's contact callback, from the HTTP request to the answer (docs/events.md):
 *
 * GET  verify msg_signature over echostr → decrypt → answer the plaintext alone.
 * POST read the envelope → verify msg_signature over Encrypt → decrypt → parse → map → de-duplicate →
 *      enrich → publish → 200 with an empty body.
 *
 * Every refusal answers its 4xx with a fixed body (the reason is logged and counted, never answered),
 * publishes nothing and never calls WeCom. A failure on our side (secrets, dedup table, bus) answers
 * 503 so that WeCom retries, and a claim whose event was not published is released for that retry.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { decryptMessage, verifySignature } from './crypto.ts';
import type { DedupStore } from './dedup.ts';
import { dedupKey } from './dedup.ts';
import type { Enricher } from './enrich.ts';
import { CallbackRefusal, REFUSAL_STATUS, type RefusalReason } from './errors.ts';
import { type ChangeType, type DirectoryEvent, toDirectoryEvent } from './events.ts';
import type { EventPublisher } from './publisher.ts';
import type { CallbackSecretSource, CallbackSecrets } from './secrets.ts';
import { parseCallbackXml, textOf } from './xml.ts';

/** Metric names (EMF, namespace of the layer): the stack alarms on the first two. */
export const CALLBACK_METRICS = {
  refused: 'CallbackRefused',
  publishFailed: 'CallbackPublishFailed',
  duplicate: 'CallbackDuplicate',
  published: 'CallbackPublished',
} as const;
export type CallbackMetric = (typeof CALLBACK_METRICS)[keyof typeof CALLBACK_METRICS];

/**
 * Larger than any contact event (a full create_user with extended attributes is a few KiB), far below
 * API Gateway's limit: a bigger body is refused before it is parsed.
 * @default 262_144
 */
export const MAX_BODY_BYTES = 256 * 1024;

export interface CallbackRequest {
  readonly method: string;
  /** URL-decoded query parameters. */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes (POST). */
  readonly body?: Buffer;
}

export interface CallbackAnswer {
  readonly status: number;
  readonly body: string;
}

export type DeliveryLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface DeliveryDependencies {
  readonly secrets: CallbackSecretSource;
  readonly dedup: DedupStore;
  readonly publisher: EventPublisher;
  /** Omitted: events go out as WeCom sent them. */
  readonly enrich?: Enricher;
  readonly log: DeliveryLog;
  readonly count: (metric: CallbackMetric) => void;
  /** Absolute deadline (epoch ms) for WeCom calls made while enriching. */
  readonly deadline?: number;
}

const OK: CallbackAnswer = { status: 200, body: '' };
const UNAVAILABLE: CallbackAnswer = { status: 503, body: 'Unavailable' };
const REFUSED_BODY = 'Refused';

export async function answerCallback(
  request: CallbackRequest,
  deps: DeliveryDependencies,
): Promise<CallbackAnswer> {
  try {
    if (request.method === 'GET') return await answerHandshake(request, deps);
    if (request.method === 'POST') return await acceptEvent(request, deps);
    return { status: 405, body: REFUSED_BODY };
  } catch (error) {
    if (error instanceof CallbackRefusal) return refuse(error.reason, request.method, deps);
    deps.log.error('Callback not processed: a dependency failed', { error });
    return UNAVAILABLE;
  }
}

function refuse(reason: RefusalReason, method: string, deps: DeliveryDependencies): CallbackAnswer {
  deps.log.warn('Callback refused', { reason, method });
  deps.count(CALLBACK_METRICS.refused);
  return { status: REFUSAL_STATUS[reason], body: REFUSED_BODY };
}

interface Signed {
  readonly signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

function signedParameters(query: CallbackRequest['query']): Signed {
  const { msg_signature: signature, timestamp, nonce } = query;
  if (!signature || !timestamp || !nonce) throw new CallbackRefusal('missing-parameter');
  return { signature, timestamp, nonce };
}

/** Verified and decrypted, or a refusal; `secrets` are read only once the request is well-formed. */
async function open(signed: Signed, encrypted: string, deps: DeliveryDependencies): Promise<string> {
  const secrets: CallbackSecrets = await deps.secrets();
  verifySignature(secrets.token, signed, encrypted);
  return decryptMessage(secrets.key, encrypted, secrets.receiveId);
}

async function answerHandshake(
  request: CallbackRequest,
  deps: DeliveryDependencies,
): Promise<CallbackAnswer> {
  const signed = signedParameters(request.query);
  const echo = request.query.echostr;
  if (!echo) throw new CallbackRefusal('missing-parameter');
  const plaintext = await open(signed, echo, deps);
  deps.log.info('Callback URL verified');
  return { status: 200, body: plaintext };
}

async function acceptEvent(request: CallbackRequest, deps: DeliveryDependencies): Promise<CallbackAnswer> {
  const body = request.body ?? Buffer.alloc(0);
  if (body.length > MAX_BODY_BYTES) throw new CallbackRefusal('too-large');
  const signed = signedParameters(request.query);
  const envelope = parseCallbackXml(body.toString('utf8'), 'bad-envelope');
  const encrypted = textOf(envelope, 'Encrypt');
  if (!encrypted) throw new CallbackRefusal('bad-envelope');
  const plaintext = await open(signed, encrypted, deps);
  const message = parseCallbackXml(plaintext, 'not-xml');

  const event = toDirectoryEvent(message);
  if (event === undefined) {
    deps.log.info('Callback acknowledged, not a directory change', {
      msgType: textOf(message, 'MsgType'),
      event: textOf(message, 'Event'),
      changeType: textOf(message, 'ChangeType'),
    });
    return OK;
  }
  const key = dedupKey(plaintext);
  if (!(await deps.dedup.claim(key))) {
    deps.log.info('Duplicate delivery acknowledged, not published', describe(event));
    deps.count(CALLBACK_METRICS.duplicate);
    return OK;
  }
  try {
    const published = deps.enrich ? await deps.enrich(event, deps.deadline) : event;
    await deps.publisher.publish(published);
  } catch (error) {
    deps.log.error('Directory event not published: WeCom will retry', { ...describe(event), error });
    deps.count(CALLBACK_METRICS.publishFailed);
    await deps.dedup.release(key).catch((releaseError: unknown) =>
      deps.log.error('Dedup claim not released: the retry will be taken for a duplicate', {
        error: releaseError,
      }),
    );
    return UNAVAILABLE;
  }
  deps.log.info('Directory event published', describe(event));
  deps.count(CALLBACK_METRICS.published);
  return OK;
}

/** What a log line may say about an event: its type and time, never member fields. */
function describe(event: DirectoryEvent): {
  detailType: string;
  changeType: ChangeType;
  createTime?: string;
} {
  return {
    detailType: event.detailType,
    changeType: event.detail.changeType,
    ...(event.detail.createTime !== undefined && { createTime: event.detail.createTime }),
  };
}
