/** What WeCom sends, built for tests: a signed, encrypted POST or GET for a given plaintext. */
import { createCipheriv } from 'node:crypto';
import { aesKeyOf, callbackSignature, encryptMessage } from '#shared/callback/crypto.ts';
import type { CallbackRequest } from '#shared/callback/delivery.ts';
import type { DirectoryEvent } from '#shared/callback/events.ts';
import type { EventPublisher } from '#shared/callback/publisher.ts';
import { staticCallbackSecrets } from '#shared/callback/secrets.ts';

/** The official example's Token and EncodingAESKey (test/callback/vectors.json), our sandbox's corp id. */
export const KEYS = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'ww0123456789abcdef',
};

export const secrets = () => staticCallbackSecrets(KEYS.token, KEYS.encodingAesKey, KEYS.receiveId);

export function signedPost(
  plaintext: string,
  { receiveId = KEYS.receiveId, timestamp = '1700000001', nonce = 'n0nce' } = {},
): CallbackRequest {
  return signedEnvelope(encryptMessage(aesKeyOf(KEYS.encodingAesKey), plaintext, receiveId), {
    receiveId,
    timestamp,
    nonce,
  });
}

/** A POST carrying `encrypted` as it is, correctly signed. */
export function signedEnvelope(
  encrypted: string,
  { receiveId = KEYS.receiveId, timestamp = '1700000001', nonce = 'n0nce' } = {},
): CallbackRequest {
  return {
    method: 'POST',
    query: { msg_signature: callbackSignature(KEYS.token, timestamp, nonce, encrypted), timestamp, nonce },
    body: Buffer.from(
      `<xml><ToUserName><![CDATA[${receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
    ),
  };
}

export class RecordingPublisher implements EventPublisher {
  readonly events: DirectoryEvent[] = [];
  failures = 0;
  async publish(event: DirectoryEvent): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('bus unavailable');
    }
    this.events.push(event);
  }
}

export function recordingLog() {
  const lines: Array<{ level: string; message: string; attributes?: Record<string, unknown> }> = [];
  const at =
    (level: string) =>
    (message: string, ...extra: unknown[]): void => {
      const attributes = extra[0] as Record<string, unknown> | undefined;
      lines.push({ level, message, ...(attributes && { attributes }) });
    };
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

/** AES-256-CBC of a plaintext padded by hand (to build pads WeCom's encoder never makes). */
export function encryptRaw(key: Buffer, plain: Buffer): string {
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

/** random(16) ‖ length ‖ message ‖ receive id, unpadded. */
export function framed(message: string, receiveId: string): Buffer {
  const body = Buffer.from(message);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([Buffer.alloc(16, 7), length, body, Buffer.from(receiveId)]);
}

/** `framed` followed by filler and a last byte `pad`, to a multiple of 32 bytes. */
export function withPadByte(plain: Buffer, pad: number): Buffer {
  const filler = 64 - (plain.length % 32) - 1;
  return Buffer.concat([plain, Buffer.alloc(filler, 1), Buffer.from([pad])]);
}
