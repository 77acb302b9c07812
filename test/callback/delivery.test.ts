import { describe, expect, it } from 'vitest';
import { aesKeyOf } from '#shared/callback/crypto.ts';
import { MemoryDedupStore } from '#shared/callback/dedup.ts';
import {
  answerCallback,
  CALLBACK_METRICS,
  type CallbackMetric,
  type CallbackRequest,
  MAX_BODY_BYTES,
} from '#shared/callback/delivery.ts';
import { staticCallbackSecrets } from '#shared/callback/secrets.ts';
import { SAMPLES } from './samples.ts';
import {
  encryptRaw,
  framed,
  KEYS,
  RecordingPublisher,
  recordingLog,
  secrets,
  signedEnvelope,
  signedPost,
  withPadByte,
} from './support.ts';
import { GET_VECTORS, postBody, VECTORS } from './vectors.ts';

function setup(overrides: { secrets?: ReturnType<typeof secrets> } = {}) {
  const publisher = new RecordingPublisher();
  const dedup = new MemoryDedupStore();
  const { lines, log } = recordingLog();
  const counts: CallbackMetric[] = [];
  const deliver = (request: CallbackRequest) =>
    answerCallback(request, {
      secrets: overrides.secrets ?? secrets(),
      dedup,
      publisher,
      log,
      count: (metric) => counts.push(metric),
    });
  return { publisher, dedup, lines, counts, deliver };
}

const memberCreated = SAMPLES[1]?.xml as string;

describe.each(GET_VECTORS)('GET handshake, vector $id', ({ token, encodingAESKey, receiveId, get }) => {
  const request = get as NonNullable<typeof get>;
  it('answers the plaintext alone', async () => {
    const { deliver } = setup({ secrets: staticCallbackSecrets(token, encodingAESKey, receiveId) });
    const { msg_signature, timestamp, nonce, echostr } = request;
    expect(await deliver({ method: 'GET', query: { msg_signature, timestamp, nonce, echostr } })).toEqual({
      status: 200,
      body: request.plaintext,
    });
  });
  it('refuses it for another corp', async () => {
    const { deliver, counts } = setup({ secrets: staticCallbackSecrets(token, encodingAESKey, 'ww-other') });
    const { msg_signature, timestamp, nonce, echostr } = request;
    const answer = await deliver({ method: 'GET', query: { msg_signature, timestamp, nonce, echostr } });
    expect(answer).toEqual({ status: 400, body: 'Refused' });
    expect(counts).toEqual([CALLBACK_METRICS.refused]);
  });
});

describe.each(VECTORS)('POST, vector $id', ({ id, token, encodingAESKey, receiveId, post }) => {
  const request: CallbackRequest = {
    method: 'POST',
    query: { msg_signature: post.msg_signature, timestamp: post.timestamp, nonce: post.nonce },
    body: Buffer.from(postBody({ id, token, encodingAESKey, receiveId, post })),
  };
  it('is verified and decrypted: a directory change is published, a chat message only acknowledged', async () => {
    const { deliver, publisher, lines } = setup({
      secrets: staticCallbackSecrets(token, encodingAESKey, receiveId),
    });
    expect(await deliver(request)).toEqual({ status: 200, body: '' });
    expect(publisher.events.map((event) => event.detailType)).toEqual(
      id === 'generated-change_contact' ? ['Member updated'] : [],
    );
    expect(lines.filter(({ level }) => level !== 'info')).toEqual([]);
  });
});

describe('POST refusals: 4xx, a fixed body, logged and counted, nothing published', () => {
  const valid = signedPost(memberCreated);
  const query = valid.query as Record<string, string>;
  const cases: Array<[string, CallbackRequest, number, string]> = [
    [
      'a tampered signature',
      { ...valid, query: { ...query, msg_signature: '0'.repeat(40) } },
      401,
      'signature',
    ],
    ['a tampered timestamp', { ...valid, query: { ...query, timestamp: '1700000002' } }, 401, 'signature'],
    ['a tampered nonce', { ...valid, query: { ...query, nonce: 'other' } }, 401, 'signature'],
    [
      'a tampered ciphertext',
      {
        ...valid,
        // Always a change: the first character of the ciphertext, whatever it is (random IV).
        body: Buffer.from(
          (valid.body as Buffer)
            .toString()
            .replace(
              /<Encrypt><!\[CDATA\[(.)/,
              (_, first: string) => `<Encrypt><![CDATA[${first === 'A' ? 'B' : 'A'}`,
            ),
        ),
      },
      401,
      'signature',
    ],
    ['no signature', { ...valid, query: { timestamp: '1', nonce: 'n' } }, 400, 'missing-parameter'],
    ['another receive id', signedPost(memberCreated, { receiveId: 'ww-other' }), 400, 'receive-id'],
    ['a body that is not XML', { ...valid, body: Buffer.from('{"Encrypt":"x"}') }, 400, 'bad-envelope'],
    [
      'an envelope without Encrypt',
      { ...valid, body: Buffer.from('<xml><ToUserName>x</ToUserName></xml>') },
      400,
      'bad-envelope',
    ],
    ['a body over the limit', { ...valid, body: Buffer.alloc(MAX_BODY_BYTES + 1, 32) }, 413, 'too-large'],
    ['a plaintext that is not XML', signedPost('hello'), 400, 'not-xml'],
    [
      'an XXE plaintext',
      signedPost(
        '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><MsgType>event</MsgType><A>&x;</A></xml>',
      ),
      400,
      'not-xml',
    ],
    [
      'an XXE envelope',
      {
        ...valid,
        body: Buffer.from(
          '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><Encrypt>&x;</Encrypt></xml>',
        ),
      },
      400,
      'bad-envelope',
    ],
    ['PUT', { ...valid, method: 'PUT' }, 405, ''],
  ];
  it.each(cases)('%s', async (_, request, status, reason) => {
    const { deliver, publisher, lines, counts } = setup();
    const answer = await deliver(request);
    expect(answer).toEqual({ status, body: 'Refused' });
    expect(publisher.events).toEqual([]);
    if (reason !== '') {
      expect(lines).toEqual([
        { level: 'warn', message: 'Callback refused', attributes: { reason, method: request.method } },
      ]);
      expect(counts).toEqual([CALLBACK_METRICS.refused]);
    }
  });

  it.each([0, 33])('refuses a pad byte of %i after a valid signature', async (pad) => {
    const { deliver, publisher, lines } = setup();
    const key = aesKeyOf(KEYS.encodingAesKey);
    const encrypted = encryptRaw(key, withPadByte(framed(memberCreated, KEYS.receiveId), pad));
    expect(await deliver(signedEnvelope(encrypted))).toEqual({ status: 400, body: 'Refused' });
    expect(publisher.events).toEqual([]);
    expect(lines[0]?.attributes).toEqual({ reason: 'padding', method: 'POST' });
  });
});

describe('POST duplicates and failures', () => {
  it('publishes one event for the same callback delivered three times', async () => {
    const { deliver, publisher, counts } = setup();
    // WeCom's retries: new random prefix, new nonce, the same decrypted XML.
    for (const nonce of ['a', 'b', 'c'])
      expect((await deliver(signedPost(memberCreated, { nonce }))).status).toBe(200);
    expect(publisher.events).toHaveLength(1);
    expect(counts).toEqual([
      CALLBACK_METRICS.published,
      CALLBACK_METRICS.duplicate,
      CALLBACK_METRICS.duplicate,
    ]);
  });

  it('answers 503 when the bus refuses, and publishes on the retry', async () => {
    const { deliver, publisher, counts } = setup();
    publisher.failures = 1;
    expect(await deliver(signedPost(memberCreated))).toEqual({ status: 503, body: 'Unavailable' });
    expect(await deliver(signedPost(memberCreated, { nonce: 'retry' }))).toEqual({ status: 200, body: '' });
    expect(publisher.events).toHaveLength(1);
    expect(counts).toEqual([CALLBACK_METRICS.publishFailed, CALLBACK_METRICS.published]);
  });

  it('answers 503 without a word about secrets when they cannot be read', async () => {
    const { deliver, publisher, lines } = setup({ secrets: () => Promise.reject(new Error('SSM down')) });
    expect(await deliver(signedPost(memberCreated))).toEqual({ status: 503, body: 'Unavailable' });
    expect(publisher.events).toEqual([]);
    expect(lines.map(({ level }) => level)).toEqual(['error']);
  });
});
