import { describe, expect, it } from 'vitest';
import {
  aesKeyOf,
  callbackSignature,
  decryptMessage,
  encryptMessage,
  signatureMatches,
  verifySignature,
} from '#shared/callback/crypto.ts';
import { CallbackRefusal, type RefusalReason } from '#shared/callback/errors.ts';
import { encryptRaw, framed, withPadByte } from './support.ts';
import { GET_VECTORS, VECTORS, vector } from './vectors.ts';

function refusalOf(run: () => unknown): RefusalReason | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof CallbackRefusal) return error.reason;
    throw error;
  }
  return undefined;
}

describe.each(GET_VECTORS)('GET vector $id', ({ token, encodingAESKey, receiveId, get }) => {
  const request = get as NonNullable<typeof get>;
  it('signs (token, timestamp, nonce, echostr) as published', () => {
    expect(callbackSignature(token, request.timestamp, request.nonce, request.echostr)).toBe(
      request.msg_signature,
    );
  });
  it('decrypts echostr to the published plaintext', () => {
    expect(decryptMessage(aesKeyOf(encodingAESKey), request.echostr, receiveId)).toBe(request.plaintext);
  });
});

it('the official echostr is the URL-decoded form of the one WeCom sends (%2B, %2F, %3D)', () => {
  const { get } = vector('official-91144');
  expect(decodeURIComponent(get?.echostr_urlencoded ?? '')).toBe(get?.echostr);
});

describe.each(VECTORS)('POST vector $id', ({ token, encodingAESKey, receiveId, post }) => {
  const key = aesKeyOf(encodingAESKey);
  it('signs (token, timestamp, nonce, Encrypt) as published', () => {
    expect(callbackSignature(token, post.timestamp, post.nonce, post.encrypt)).toBe(post.msg_signature);
    expect(() =>
      verifySignature(token, { ...post, signature: post.msg_signature }, post.encrypt),
    ).not.toThrow();
  });
  it('decrypts Encrypt to the published plaintext (length in bytes, any pad up to 32)', () => {
    expect(decryptMessage(key, post.encrypt, receiveId)).toBe(post.plaintext);
  });
  it('round-trips through encryptMessage', () => {
    const encrypted = encryptMessage(key, post.plaintext, receiveId);
    expect(decryptMessage(key, encrypted, receiveId)).toBe(post.plaintext);
  });
});

describe('encryptMessage', () => {
  it('reproduces the generated vector byte for byte with its fixed random prefix', () => {
    const { encodingAESKey, receiveId, post } = vector('generated-change_contact');
    const random = Buffer.from(post.random16 as string);
    expect(encryptMessage(aesKeyOf(encodingAESKey), post.plaintext, receiveId, random)).toBe(post.encrypt);
  });
});

describe('refusals', () => {
  const { token, encodingAESKey, receiveId, post } = vector('official-91144');
  const key = aesKeyOf(encodingAESKey);
  const signed = { timestamp: post.timestamp, nonce: post.nonce, signature: post.msg_signature };

  it.each([
    ['signature', { ...signed, signature: `${post.msg_signature.slice(0, -1)}0` }, post.encrypt],
    ['timestamp', { ...signed, timestamp: String(Number(post.timestamp) + 1) }, post.encrypt],
    ['nonce', { ...signed, nonce: `${post.nonce}1` }, post.encrypt],
    ['ciphertext', signed, `A${post.encrypt.slice(1)}`],
    ['empty signature', { ...signed, signature: '' }, post.encrypt],
  ])('a tampered %s fails the signature check', (_, received, encrypted) => {
    expect(refusalOf(() => verifySignature(token, received, encrypted))).toBe('signature');
  });

  it('compares signatures case-insensitively and only equal ones match', () => {
    expect(signatureMatches(post.msg_signature, post.msg_signature.toUpperCase())).toBe(true);
    expect(signatureMatches(post.msg_signature, `${post.msg_signature}0`)).toBe(false);
  });

  it('refuses another receive id (WeCom libraries call it -40005)', () => {
    expect(refusalOf(() => decryptMessage(key, post.encrypt, 'ww-someone-else'))).toBe('receive-id');
    expect(refusalOf(() => decryptMessage(key, post.encrypt, ''))).toBe('receive-id');
  });

  it.each([0, 33, 255])('refuses a pad byte of %i', (pad) => {
    const padded = withPadByte(framed('<xml/>', receiveId), pad);
    expect(padded.length % 32).toBe(0);
    expect(refusalOf(() => decryptMessage(key, encryptRaw(key, padded), receiveId))).toBe('padding');
  });

  it('accepts pad bytes 1 and 32, the ends of the range', () => {
    for (const pad of [1, 32]) {
      const plain = framed('x'.repeat(32 - 20 - receiveId.length - (pad % 32) + 64), receiveId);
      const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
      expect(padded.length % 16, `pad ${pad}`).toBe(0);
      expect(decryptMessage(key, encryptRaw(key, padded), receiveId)).toMatch(/^x+$/);
    }
  });

  it('refuses a length that overruns the plaintext', () => {
    const plain = framed('<xml/>', receiveId);
    plain.writeUInt32BE(10_000, 16);
    const pad = 32 - (plain.length % 32);
    expect(
      refusalOf(() =>
        decryptMessage(key, encryptRaw(key, Buffer.concat([plain, Buffer.alloc(pad, pad)])), receiveId),
      ),
    ).toBe('length');
  });

  it.each([
    ['not base64', '!!!!'],
    ['not whole blocks', Buffer.alloc(20).toString('base64')],
    ['empty', ''],
  ])('refuses a ciphertext that is %s', (_, encrypted) => {
    expect(refusalOf(() => decryptMessage(key, encrypted, receiveId))).toBe('ciphertext');
  });

  it('refuses a malformed EncodingAESKey at configuration', () => {
    expect(() => aesKeyOf(`${encodingAESKey}=`)).toThrow(TypeError);
    expect(() => aesKeyOf(encodingAESKey.slice(1))).toThrow(TypeError);
  });
});
