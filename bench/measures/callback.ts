/**
 * The contact callback's delivery time, in this process: the contact-callback handler answering signed,
 * encrypted POSTs (decrypt + parse + DynamoDB conditional put + EventBridge PutEvents, against moto's
 * DynamoDB and EventBridge as local stand-ins; enrichment off, as it would time WeCom), next to a bare
 * decrypt of the same message. Every delivery is a new change, so each one claims and publishes.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createLambdaContext } from '#local/lambda-context.ts';
import { aesKeyOf, callbackSignature, decryptMessage, encryptMessage } from '#shared/callback/crypto.ts';
import { DynamoDbDedupStore } from '#shared/callback/dedup.ts';
import { createContactCallbackHandler } from '#shared/callback/handler.ts';
import { EventBridgePublisher } from '#shared/callback/publisher.ts';
import { staticCallbackSecrets } from '#shared/callback/secrets.ts';
import type { BenchFixture } from '../fixture.ts';
import type { BenchPlan } from '../plan.ts';
import { startStep } from '../progress.ts';
import { latencies, median } from '../stats.ts';

export interface CallbackResult {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bareDecryptMs: number;
  readonly deliveries: number;
}

const TOKEN = 'BenchToken';
const AES_KEY = 'BenchEncodingAesKey0123456789abcdefghijklmn';
const CORP_ID = 'ww0123456789abcdef';

const message = (index: number) =>
  `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${1_700_000_000 + index}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>update_user</ChangeType><UserID><![CDATA[member${index}]]></UserID><Department><![CDATA[1,2]]></Department></xml>`;

function signedEvent(key: Buffer, index: number): { event: APIGatewayProxyEventV2; encrypted: string } {
  const encrypted = encryptMessage(key, message(index), CORP_ID);
  const query = {
    msg_signature: callbackSignature(TOKEN, '1700000000', String(index), encrypted),
    timestamp: '1700000000',
    nonce: String(index),
  };
  const body = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
  const event = {
    version: '2.0',
    routeKey: 'POST /callbacks/contact',
    rawPath: '/callbacks/contact',
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: query,
    headers: { 'content-type': 'text/xml' },
    isBase64Encoded: false,
    body,
    requestContext: { http: { method: 'POST', path: '/callbacks/contact' } },
  } as unknown as APIGatewayProxyEventV2;
  return { event, encrypted };
}

const percentile = (values: readonly number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
};

export async function measureCallback(fixture: BenchFixture, plan: BenchPlan): Promise<CallbackResult> {
  const deliveries = plan.quick ? 100 : 1_000;
  const warmUp = plan.quick ? 10 : 100;
  const step = startStep('contact callback: handler (decrypt, parse, dedup, publish) vs bare decrypt', 1);
  const config = fixture.moto.clientConfig();
  const dynamodb = new DynamoDBClient(config);
  const events = new EventBridgeClient(config);
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'bench-callback-dedup',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    await events.send(new CreateEventBusCommand({ Name: 'wecom-contact-bench' }));
    const handler = createContactCallbackHandler({
      secrets: staticCallbackSecrets(TOKEN, AES_KEY, CORP_ID),
      dedup: new DynamoDbDedupStore(() => dynamodb, 'bench-callback-dedup'),
      publisher: new EventBridgePublisher(() => events, 'wecom-contact-bench'),
      enrich: false,
      count: () => {},
    });
    const key = aesKeyOf(AES_KEY);
    const prepared = Array.from({ length: warmUp + deliveries }, (_, index) => signedEvent(key, index));
    const context = createLambdaContext({ functionName: 'contact-callback', timeoutMs: 5_000 });
    const deliver = async (index: number) => {
      const answer = await handler((prepared[index] as { event: APIGatewayProxyEventV2 }).event, context);
      if (answer.statusCode !== 200) throw new Error(`the callback answered ${answer.statusCode}`);
    };
    await latencies(warmUp, deliver);
    const times = await latencies(deliveries, (index) => deliver(warmUp + index));
    const decryptTimes = await latencies(deliveries, async (index) => {
      decryptMessage(key, (prepared[warmUp + index] as { encrypted: string }).encrypted, CORP_ID);
    });
    const result = {
      p50Ms: percentile(times, 0.5),
      p99Ms: percentile(times, 0.99),
      bareDecryptMs: median(decryptTimes),
      deliveries,
    };
    step.done(
      `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms; bare decrypt ${result.bareDecryptMs.toFixed(3)} ms`,
    );
    return result;
  } finally {
    dynamodb.destroy();
    events.destroy();
  }
}
