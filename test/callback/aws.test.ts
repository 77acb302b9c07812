/**
 * The deployed components against moto_server: the DynamoDB conditional put with TTL, EventBridge
 * PutEvents on a custom bus, read back through a rule whose target is an SQS queue.
 */
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbDedupStore } from '#shared/callback/dedup.ts';
import { answerCallback, CALLBACK_METRICS, type CallbackMetric } from '#shared/callback/delivery.ts';
import { EventBridgePublisher } from '#shared/callback/publisher.ts';
import { motoAvailable, useMoto } from '#test/support/moto.ts';
import { SAMPLES } from './samples.ts';
import { recordingLog, secrets, signedPost } from './support.ts';

const TABLE = 'wecom-contact-test-callback-dedup';
const BUS = 'wecom-contact-test';

describe.skipIf(!motoAvailable())('callback components on moto', () => {
  const moto = useMoto();
  const clients: Array<{ destroy(): void }> = [];
  const client = <T extends { destroy(): void }>(made: T): T => {
    clients.push(made);
    return made;
  };
  let dynamodb: DynamoDBClient;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeEach(async () => {
    dynamodb = client(new DynamoDBClient(moto.clientConfig()));
    events = client(new EventBridgeClient(moto.clientConfig()));
    sqs = client(new SQSClient(moto.clientConfig()));
    await dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      }),
    );
    await events.send(new CreateEventBusCommand({ Name: BUS }));
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'directory-events' }))).QueueUrl as string;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    await events.send(
      new PutRuleCommand({
        Name: 'all',
        EventBusName: BUS,
        EventPattern: JSON.stringify({ source: ['wecom.contact'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: 'all', EventBusName: BUS, Targets: [{ Id: 'queue', Arn: queueArn }] }),
    );
  });

  afterAll(() => {
    for (const made of clients) made.destroy();
  });

  const receiveAll = async () => {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    return (answer.Messages ?? []).map((message) => JSON.parse(message.Body as string));
  };

  it('claims a key once within the window, again once it expired, and again after a release', async () => {
    let now = 1_700_000_000_000;
    const store = new DynamoDbDedupStore(
      () => dynamodb,
      TABLE,
      60,
      () => now,
    );
    expect(await store.claim('k')).toBe(true);
    expect(await store.claim('k')).toBe(false);
    const item = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'k' } } }));
    expect(item.Item?.expiresAt).toEqual({ N: String(1_700_000_000 + 60) });
    now += 61_000; // expired, not yet deleted by TTL
    expect(await store.claim('k')).toBe(true);
    await store.release('k');
    expect(await store.claim('k')).toBe(true);
  });

  it('lets exactly one of concurrent claims win', async () => {
    const store = new DynamoDbDedupStore(() => dynamodb, TABLE);
    const wins = await Promise.all(Array.from({ length: 5 }, () => store.claim('same')));
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('surfaces a DynamoDB failure instead of taking it for a duplicate', async () => {
    const store = new DynamoDbDedupStore(() => dynamodb, 'no-such-table');
    await expect(store.claim('k')).rejects.toThrow();
  });

  it('publishes each change type once to the bus, where a rule delivers it, for three deliveries of each', async () => {
    const counts: CallbackMetric[] = [];
    const deps = {
      secrets: secrets(),
      dedup: new DynamoDbDedupStore(() => dynamodb, TABLE),
      publisher: new EventBridgePublisher(() => events, BUS),
      log: recordingLog().log,
      count: (metric: CallbackMetric) => counts.push(metric),
    };
    const received: unknown[] = [];
    for (const sample of SAMPLES) {
      for (const nonce of ['first', 'retry-1', 'retry-2']) {
        expect((await answerCallback(signedPost(sample.xml, { nonce }), deps)).status).toBe(200);
      }
      received.push(...(await receiveAll()));
    }
    expect(counts.filter((metric) => metric === CALLBACK_METRICS.published)).toHaveLength(SAMPLES.length);
    expect(received).toEqual(
      SAMPLES.map((sample) =>
        expect.objectContaining({
          source: 'wecom.contact',
          'detail-type': sample.detailType,
          time: '2023-11-14T22:13:20Z',
          detail: sample.detail,
        }),
      ),
    );
  });

  it('answers 503 and keeps no claim when the bus does not exist', async () => {
    const dedup = new DynamoDbDedupStore(() => dynamodb, TABLE);
    const deps = {
      secrets: secrets(),
      dedup,
      publisher: new EventBridgePublisher(() => events, 'no-such-bus'),
      log: recordingLog().log,
      count: () => {},
    };
    const request = signedPost(SAMPLES[3]?.xml as string);
    expect((await answerCallback(request, deps)).status).toBe(503);
    const retried = await answerCallback(request, {
      ...deps,
      publisher: new EventBridgePublisher(() => events, BUS),
    });
    expect(retried.status).toBe(200);
    expect(await receiveAll()).toHaveLength(1);
  });
});
