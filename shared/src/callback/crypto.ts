/**
 * WeCom's callback crypto (docs/events.md, "Protocol"): the msg_signature check and the AES-256-CBC
 * envelope, on node:crypto.
 *
 * Why not `@wecom/crypto`: it is 60 lines over the same node:crypto calls, has no repository to follow,
 * and does none of the checks that matter here (signature compare, receive id, pad range: it silently
 * keeps the padding when the pad byte is out of range). Wrapping it would leave every check ours and add
 * a dependency; the vectors test this module against the published examples instead.
 *
 * Layout of the plaintext: random(16) ‖ msg_len(4, big-endian, bytes) ‖ msg ‖ receive id, padded
 * PKCS#7 to a multiple of 32 bytes (so a pad byte runs 1..32, above AES's 16: Node's automatic padding
 * would refuse WeCom's own sample), IV = the key's first 16 bytes.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CallbackRefusal } from './errors.ts';

const KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
const BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;

/** The 32-byte AES key of an EncodingAESKey (43 characters of [A-Za-z0-9]); throws on a malformed key. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  if (!KEY_PATTERN.test(encodingAesKey)) {
    throw new TypeError('An EncodingAESKey is 43 characters of A-Z, a-z and 0-9');
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** sha1 over the four values sorted as strings and joined, lowercase hex. */
export function callbackSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypted: string,
): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

/**
 * Constant-time comparison of a received signature with the expected one: both are hashed first, so
 * neither the content nor the length of the received value changes the time taken.
 */
export function signatureMatches(expected: string, received: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value.toLowerCase()).digest();
  return timingSafeEqual(digest(expected), digest(received));
}

/** Throws CallbackRefusal('signature') unless `received` signs (timestamp, nonce, encrypted) with `token`. */
export function verifySignature(
  token: string,
  received: { timestamp: string; nonce: string; signature: string },
  encrypted: string,
): void {
  const expected = callbackSignature(token, received.timestamp, received.nonce, encrypted);
  if (!signatureMatches(expected, received.signature)) throw new CallbackRefusal('signature');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Decrypts `encrypted` and returns the message, after checking the pad range, the declared length
 * and that the receive id is `receiveId`. Every failure is a CallbackRefusal naming its reason.
 */
export function decryptMessage(key: Buffer, encrypted: string, receiveId: string): string {
  const ciphertext = BASE64.test(encrypted) ? Buffer.from(encrypted, 'base64') : Buffer.alloc(0);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) throw new CallbackRefusal('ciphertext');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);

  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK) throw new CallbackRefusal('padding');
  const content = padded.subarray(0, padded.length - pad);
  if (content.length < RANDOM_BYTES + LENGTH_BYTES) throw new CallbackRefusal('length');
  const messageLength = content.readUInt32BE(RANDOM_BYTES);
  const messageEnd = RANDOM_BYTES + LENGTH_BYTES + messageLength;
  if (messageEnd > content.length) throw new CallbackRefusal('length');

  const receivedId = content.subarray(messageEnd).toString('utf8');
  if (receivedId !== receiveId) throw new CallbackRefusal('receive-id');
  return content.subarray(RANDOM_BYTES + LENGTH_BYTES, messageEnd).toString('utf8');
}

/**
 * What WeCom does before a callback: the sandbox's console and the tests use it. `random` defaults to
 * 16 fresh random bytes; a fixed one reproduces a vector.
 */
export function encryptMessage(
  key: Buffer,
  message: string,
  receiveId: string,
  random: Buffer = randomBytes(RANDOM_BYTES),
): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}
