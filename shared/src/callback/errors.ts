/**
 * The callback's errors: a delivery refused (and the status WeCom gets), a publish that failed.
 *
 * Why a callback was refused: the reason goes to the log and to a metric dimension, never to the
 * answer: a caller learns only the HTTP status, which says nothing about how far its request got.
 */
export type RefusalReason =
  /** msg_signature, timestamp, nonce (or echostr on GET) missing. */
  | 'missing-parameter'
  /** The body is larger than WeCom ever sends. */
  | 'too-large'
  /** The envelope is not XML, or has no Encrypt element. */
  | 'bad-envelope'
  /** msg_signature does not match sha1(sort(token, timestamp, nonce, encrypted)). */
  | 'signature'
  /** The ciphertext is not base64 of whole AES blocks. */
  | 'ciphertext'
  /** PKCS#7 pad byte outside 1..32. */
  | 'padding'
  /** The declared message length does not fit the plaintext. */
  | 'length'
  /** The receive id is not this deployment's corp id. */
  | 'receive-id'
  /** The decrypted message is not well-formed XML, or declares a DOCTYPE or entities. */
  | 'not-xml';

/** HTTP status per reason: only what the request itself shows (malformed, too large, unauthenticated). */
export const REFUSAL_STATUS: Readonly<Record<RefusalReason, number>> = {
  'missing-parameter': 400,
  'too-large': 413,
  'bad-envelope': 400,
  signature: 401,
  ciphertext: 400,
  padding: 400,
  length: 400,
  'receive-id': 400,
  'not-xml': 400,
};

export class CallbackRefusal extends Error {
  override readonly name = 'CallbackRefusal';
  constructor(readonly reason: RefusalReason) {
    super(`Callback refused: ${reason}`);
  }
}

/** EventBridge did not take an event: WeCom gets a 5xx and delivers it again. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
}
