/**
 * The Lambda handler of `contact-callback` (API Gateway HTTP API, payload 2.0, no IAM auth: the
 * msg_signature check is the authentication, docs/events.md "Security model"). Everything is
 * injectable so that local mode, the tests and the bench run this very handler; the defaults are the
 * deployed ones, configured by the variables in CALLBACK_ENV and built at first use.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { optionalEnv, requireEnv } from '../config.ts';
import { lambdaLogContext } from '../middleware/log-context.ts';
import { countEvent, logger as defaultLogger, logDefaults } from '../observability.ts';
import { once } from '../once.ts';
import { createSsmClient, getRuntime } from '../runtime.ts';
import { ENV } from '../stage-names.ts';
import { DEFAULT_DEDUP_WINDOW_SECONDS, type DedupStore, DynamoDbDedupStore } from './dedup.ts';
import { answerCallback, type CallbackMetric } from './delivery.ts';
import { type Enricher, memberEnricher } from './enrich.ts';
import { EventBridgePublisher, type EventPublisher } from './publisher.ts';
import { type CallbackSecretSource, ssmCallbackSecrets, staticCallbackSecrets } from './secrets.ts';

/** Variables the stack sets on the callback function (besides WECOM_SSM_PREFIX and WECOM_CREDENTIALS). */
export const CALLBACK_ENV = {
  /** The custom bus, `wecom-contact-<stage>`. */
  busName: 'WECOM_CALLBACK_BUS',
  /** The dedup table (pk string, TTL on expiresAt). */
  dedupTable: 'WECOM_CALLBACK_DEDUP_TABLE',
  /** `false` turns member enrichment off. @default true */
  enrich: 'WECOM_CALLBACK_ENRICH',
  /** Local mode: the values themselves instead of SSM (with the corp id of `ENV.corpId`). */
  token: 'WECOM_CALLBACK_TOKEN',
  aesKey: 'WECOM_CALLBACK_AES_KEY',
} as const;

export interface ContactCallbackOptions {
  /**
   * The callback's Token, EncodingAESKey and receive id (the corp id).
   * @default WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY and WECOM_CORP_ID when the first two are set,
   *   else the SSM parameters under WECOM_SSM_PREFIX (read at first use)
   * @example staticCallbackSecrets(token, encodingAesKey, corpId)
   */
  readonly secrets?: CallbackSecretSource;
  /**
   * Claims each delivery once, so that WeCom's retries publish one event.
   * @default DynamoDB, the table WECOM_CALLBACK_DEDUP_TABLE, one-day window
   * @example new MemoryDedupStore()
   */
  readonly dedup?: DedupStore;
  /** @default EventBridge, the bus WECOM_CALLBACK_BUS */
  readonly publisher?: EventPublisher;
  /**
   * Reads the member a create/update event names; `false` turns enrichment off.
   * @default user/get through the container's runtime, unless WECOM_CALLBACK_ENRICH is `false`
   * @example false
   */
  readonly enrich?: Enricher | false;
  /**
   * Where the handler's own lines go; the Lambda context always goes on the layer's logger.
   * @default the layer's logger
   */
  readonly logger?: Logger;
  /**
   * @default one EMF line per count
   * @example () => {} (local mode: no metrics)
   */
  readonly count?: (metric: CallbackMetric) => void;
}

export type ContactCallbackHandler = (
  event: APIGatewayProxyEventV2,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Kept back from the Lambda's remaining time for logging and publishing after an enrichment call. */
const DEADLINE_MARGIN_MS = 1_000;
/**
 * The most an enrichment read may take: WeCom abandons an answer after 5 s, and the event must still
 * be de-duplicated and published within them.
 */
const ENRICH_BUDGET_MS = 2_500;

export function createContactCallbackHandler(options: ContactCallbackOptions = {}): ContactCallbackHandler {
  const logger = options.logger ?? defaultLogger;
  const count = options.count ?? countEvent;
  const secrets = options.secrets ?? secretsFromEnvironment();
  const dedup = options.dedup ?? lazyDedupStore();
  const publisher = options.publisher ?? lazyPublisher();
  const enrich =
    options.enrich === false
      ? undefined
      : (options.enrich ??
        (optionalEnv(CALLBACK_ENV.enrich) === 'false' ? undefined : memberEnricher(getRuntime)));

  const run = async (event: APIGatewayProxyEventV2, context: Context) => {
    const remaining =
      typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
    const answer = await answerCallback(
      {
        method: event.requestContext?.http?.method ?? 'GET',
        query: event.queryStringParameters ?? {},
        body: bodyOf(event),
      },
      {
        secrets,
        dedup,
        publisher,
        ...(enrich && { enrich }),
        log: logger,
        count,
        deadline:
          Date.now() + Math.min(ENRICH_BUDGET_MS, (remaining ?? ENRICH_BUDGET_MS) - DEADLINE_MARGIN_MS),
      },
    );
    // The handshake answer is the plaintext alone: no quotes, no newline, no JSON.
    return {
      statusCode: answer.status,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: answer.body,
    };
  };

  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>(run, {
    timeoutEarlyInMillis: 0,
  }).use(lambdaLogContext(defaultLogger, logDefaults));
  return (event, context) => handler(event, context ?? ({} as Context));
}

function bodyOf(event: APIGatewayProxyEventV2): Buffer | undefined {
  if (event.body === undefined) return undefined;
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function secretsFromEnvironment(): CallbackSecretSource {
  const token = optionalEnv(CALLBACK_ENV.token);
  const aesKey = optionalEnv(CALLBACK_ENV.aesKey);
  if (token !== undefined && aesKey !== undefined) {
    return staticCallbackSecrets(token, aesKey, requireEnv(ENV.corpId));
  }
  const source = once(() =>
    ssmCallbackSecrets(
      once(createSsmClient),
      requireEnv(ENV.ssmPrefix).replace(/\/+$/, ''),
      optionalEnv(ENV.corpId),
    ),
  );
  return () => source()();
}

function lazyDedupStore(): DedupStore {
  const store = once(
    () =>
      new DynamoDbDedupStore(
        once(() => new DynamoDBClient({ maxAttempts: 2 })),
        requireEnv(CALLBACK_ENV.dedupTable),
        DEFAULT_DEDUP_WINDOW_SECONDS,
      ),
  );
  return { claim: (key) => store().claim(key), release: (key) => store().release(key) };
}

function lazyPublisher(): EventPublisher {
  const publisher = once(
    () =>
      new EventBridgePublisher(
        () => new EventBridgeClient({ maxAttempts: 3 }),
        requireEnv(CALLBACK_ENV.busName),
      ),
  );
  return { publish: (event) => publisher().publish(event) };
}
