/**
 * The Lambda handler as API Gateway calls it (payload 2.0), with enrichment through the layer's runtime
 * against the WeCom sandbox: user/get with the `read` credential, refusals still published.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { MemoryDedupStore } from '#shared/callback/dedup.ts';
import type { CallbackRequest } from '#shared/callback/delivery.ts';
import { memberEnricher } from '#shared/callback/enrich.ts';
import { createContactCallbackHandler } from '#shared/callback/handler.ts';
import { staticCallbackSecrets } from '#shared/callback/secrets.ts';
import { createRuntime, type LayerRuntime } from '#shared/runtime.ts';
import { fakeLambdaContext } from '#test/support/lambda-context.ts';
import { KEYS, RecordingPublisher, signedPost } from './support.ts';
import { vector } from './vectors.ts';

const header = (changeType: string) =>
  `<ToUserName>${KEYS.receiveId}</ToUserName><FromUserName>sys</FromUserName><CreateTime>1700000000</CreateTime><MsgType>event</MsgType><Event>change_contact</Event><ChangeType>${changeType}</ChangeType>`;

function apiEvent({ method, query, body }: CallbackRequest, base64 = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} /callbacks/contact`,
    rawPath: '/callbacks/contact',
    rawQueryString: new URLSearchParams(query as Record<string, string>).toString(),
    queryStringParameters: query as Record<string, string>,
    headers: { 'content-type': 'text/xml' },
    isBase64Encoded: base64,
    ...(body && { body: body.toString(base64 ? 'base64' : 'utf8') }),
    requestContext: { http: { method, path: '/callbacks/contact' } },
  } as unknown as APIGatewayProxyEventV2;
}

describe('contact-callback handler', () => {
  let sandbox: Sandbox;
  let runtime: LayerRuntime;
  let publisher: RecordingPublisher;
  let handler: ReturnType<typeof createContactCallbackHandler>;

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo' });
    runtime = createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret as string },
    });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    sandbox.clearFaults();
    sandbox.resetCounters();
    publisher = new RecordingPublisher();
    handler = createContactCallbackHandler({
      secrets: staticCallbackSecrets(KEYS.token, KEYS.encodingAesKey, KEYS.receiveId),
      dedup: new MemoryDedupStore(),
      publisher,
      enrich: memberEnricher(() => runtime),
      count: () => {},
    });
  });

  const deliver = (xml: string, base64 = false) =>
    handler(apiEvent(signedPost(`<xml>${header('create_user')}${xml}</xml>`), base64), fakeLambdaContext());

  it('answers the GET handshake with the plaintext alone, as text', async () => {
    const { token, encodingAESKey, receiveId, get } = vector('official-91144');
    const own = createContactCallbackHandler({
      secrets: staticCallbackSecrets(token, encodingAESKey, receiveId),
      dedup: new MemoryDedupStore(),
      publisher,
      enrich: false,
      count: () => {},
    });
    const { msg_signature, timestamp, nonce, echostr } = get as NonNullable<typeof get>;
    const answer = await own(
      apiEvent({ method: 'GET', query: { msg_signature, timestamp, nonce, echostr } }),
    );
    expect(answer).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '1616140317555161061',
    });
  });

  it('adds the member read with the read credential to Member created (base64 body too)', async () => {
    const answer = await deliver('<UserID>zhangsan</UserID><Department>1</Department>', true);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toBe('');
    expect(publisher.events[0]?.detail.member).toMatchObject({
      userid: 'zhangsan',
      name: expect.any(String),
    });
    expect(publisher.events[0]?.detail.member).not.toHaveProperty('errcode');
    expect(sandbox.counters()['user/get']).toBe(1);
  });

  it('reads the member under NewUserID after a userid change', async () => {
    await handler(
      apiEvent(
        signedPost(
          `<xml>${header('update_user')}<UserID>old-id</UserID><NewUserID>zhangsan</NewUserID></xml>`,
        ),
      ),
    );
    expect(publisher.events[0]?.detail.member).toMatchObject({ userid: 'zhangsan' });
  });

  it.each([
    [48009, 48009],
    [60011, 60011],
  ])('publishes with enrichment {refused, %i} when WeCom refuses', async (errcode) => {
    sandbox.injectFault('user/get', { kind: 'errcode', errcode });
    expect((await deliver('<UserID>zhangsan</UserID>')).statusCode).toBe(200);
    expect(publisher.events[0]?.detail).toMatchObject({ enrichment: { status: 'refused', errcode } });
    expect(publisher.events[0]?.detail).not.toHaveProperty('member');
  });

  it('publishes with the not-found errcode for a member already deleted', async () => {
    expect((await deliver('<UserID>no-longer-here</UserID>')).statusCode).toBe(200);
    expect(publisher.events[0]?.detail.enrichment).toEqual({ status: 'refused', errcode: 60111 });
  });

  it('publishes with enrichment {unavailable} when WeCom cannot be reached', async () => {
    sandbox.injectFault('user/get', { kind: 'reset' }, 10);
    expect((await deliver('<UserID>zhangsan</UserID>')).statusCode).toBe(200);
    expect(publisher.events[0]?.detail.enrichment).toEqual({ status: 'unavailable' });
  });

  it('does not call WeCom for events other than member created or updated', async () => {
    await handler(apiEvent(signedPost(`<xml>${header('delete_user')}<UserID>zhangsan</UserID></xml>`)));
    expect(publisher.events).toHaveLength(1);
    expect(sandbox.counters()['user/get']).toBeUndefined();
  });

  it('refuses without calling WeCom or publishing', async () => {
    const request = signedPost(`<xml>${header('create_user')}<UserID>zhangsan</UserID></xml>`);
    const answer = await handler(apiEvent({ ...request, query: { ...request.query, nonce: 'tampered' } }));
    expect(answer).toMatchObject({ statusCode: 401, body: 'Refused' });
    expect(publisher.events).toEqual([]);
    expect(sandbox.counters()).toEqual({});
  });
  it('gives enrichment at most 2.5 s, so that the answer reaches WeCom inside its 5 s', async () => {
    const deadlines: Array<number | undefined> = [];
    const own = createContactCallbackHandler({
      secrets: staticCallbackSecrets(KEYS.token, KEYS.encodingAesKey, KEYS.receiveId),
      dedup: new MemoryDedupStore(),
      publisher,
      enrich: async (event, deadline) => {
        deadlines.push(deadline);
        return event;
      },
      count: () => {},
    });
    const started = Date.now();
    await own(
      apiEvent(signedPost(`<xml>${header('create_user')}<UserID>zhangsan</UserID></xml>`)),
      fakeLambdaContext({ timeoutMs: 60_000 }),
    );
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0]).toBeGreaterThanOrEqual(started + 2_500);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 2_500);
  });
});
