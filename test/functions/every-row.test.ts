/**
 * Every row of the operation table, end to end: its valid request (support/requests.ts) through the
 * local API over HTTP, and as a direct invocation, an EventBridge event and an SQS record. A new row is
 * covered as soon as it has its valid request. Each source meets a fresh demo directory and sends the
 * requests in table order, which the valid requests are written for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { getOperation, OPERATIONS, type OperationId } from '#shared/operations.ts';
import { eventBridgeEvent, type RouteEventOptions, sqsEvent, sqsRecord } from './support/events.ts';
import { type Harness, startHarness } from './support/harness.ts';
import { VALID_REQUESTS } from './support/requests.ts';

const rows = OPERATIONS.map(({ id, http }) => [id, `${http.method} ${http.path}`] as const);

/** The WeCom request object a non-HTTP source sends: path, query and body fields in one object. */
const payloadOf = ({ pathParameters, query, body }: RouteEventOptions) => ({
  ...(body as object | undefined),
  ...query,
  ...pathParameters,
});

function urlOf(id: OperationId, { pathParameters = {}, query }: RouteEventOptions): string {
  const path = getOperation(id).http.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(pathParameters[name] ?? ''),
  );
  return query === undefined ? path : `${path}?${new URLSearchParams(query)}`;
}

describe('through the local API', () => {
  let api: LocalApi;
  beforeAll(async () => {
    api = await startLocalApi({ env: {} });
  });
  afterAll(() => api.stop());

  it.each(rows)('%s: %s answers 200 with WeCom JSON', async (id) => {
    const request = VALID_REQUESTS[id];
    const response = await fetch(`${api.url}${urlOf(id, request)}`, {
      method: getOperation(id).http.method,
      ...(request.body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) }),
    });

    expect({ status: response.status, body: await response.json() }).toMatchObject({
      status: 200,
      body: { errcode: 0 },
    });
  });
});

const SOURCES = {
  direct: (payload: object) => payload,
  eventbridge: (payload: object) => eventBridgeEvent(payload),
  sqs: (payload: object) => sqsEvent(sqsRecord(JSON.stringify(payload), 'message-1')),
} as const;

describe.each(Object.keys(SOURCES) as Array<keyof typeof SOURCES>)('as %s invocations', (source) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.stop());

  it.each(rows)('%s (%s) succeeds', async (id) => {
    const logged = harness.logger.records.length;

    const answer = await harness.invoke(id, SOURCES[source](payloadOf(VALID_REQUESTS[id])));

    if (source === 'sqs') {
      // A record that failed for good is dropped, not returned: the log says so.
      expect(answer).toEqual({ batchItemFailures: [] });
      expect(harness.logger.records.slice(logged).filter(({ level }) => level !== 'debug')).toEqual([]);
    } else {
      expect(answer).toMatchObject({ errcode: 0 });
    }
  });
});
