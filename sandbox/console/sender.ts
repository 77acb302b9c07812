/**
 * How WeCom calls a callback URL (docs/events.md, "Protocol"): the GET verification handshake when the
 * URL is configured, then one signed, encrypted POST per change, retried up to 3 times when the answer
 * is not a 200 or does not come within 5 s.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { aesKeyOf, callbackSignature, encryptMessage } from '../../shared/src/callback/crypto.ts';

export interface CallbackTarget {
  /** The callback URL, e.g. http://127.0.0.1:3000/callbacks/contact. */
  readonly url: string;
  readonly token: string;
  readonly encodingAesKey: string;
  /** The corp id: the receive id WeCom appends to each plaintext. */
  readonly corpId: string;
}

export interface SenderOptions {
  /** WeCom's: 3 retries after the first attempt. @default 3 */
  readonly retries?: number;
  /** WeCom's answer deadline. @default 5000 */
  readonly timeoutMs?: number;
  /** Pause between attempts (WeCom's is unpublished; short here). @default 200 */
  readonly retryDelayMs?: number;
  readonly clock?: () => number;
}

export interface Delivery {
  /** The HTTP status of each attempt, or `timeout`/`network`. */
  readonly attempts: ReadonlyArray<number | 'timeout' | 'network'>;
  readonly delivered: boolean;
}

export class CallbackSender {
  private readonly key: Buffer;
  constructor(
    private readonly target: CallbackTarget,
    private readonly options: SenderOptions = {},
  ) {
    this.key = aesKeyOf(target.encodingAesKey);
  }

  private signed(encrypted: string): URLSearchParams {
    const timestamp = String(Math.floor((this.options.clock ?? Date.now)() / 1000));
    const nonce = String(randomInt(1e9, 1e10));
    const signature = callbackSignature(this.target.token, timestamp, nonce, encrypted);
    return new URLSearchParams({ msg_signature: signature, timestamp, nonce });
  }

  /** The URL check WeCom's console runs on save: true when the answer is exactly the echo plaintext. */
  async verifyUrl(): Promise<boolean> {
    const echo = String(randomInt(1e9, 1e10)) + String(randomInt(1e9, 1e10));
    const echostr = encryptMessage(this.key, echo, this.target.corpId);
    const query = this.signed(echostr);
    query.set('echostr', echostr);
    const response = await fetch(`${this.target.url}?${query}`, { signal: AbortSignal.timeout(1_000) });
    return response.status === 200 && (await response.text()) === echo;
  }

  /** POSTs one plaintext message, as WeCom does, with its retries. */
  async deliver(plaintext: string): Promise<Delivery> {
    const { retries = 3, timeoutMs = 5_000, retryDelayMs = 200 } = this.options;
    const attempts: Delivery['attempts'][number][] = [];
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      // Each attempt encrypts anew: a new random prefix, a new nonce, the same plaintext.
      const encrypted = encryptMessage(this.key, plaintext, this.target.corpId, randomBytes(16));
      const body = `<xml><ToUserName>${cdata(this.target.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata('')}</AgentID></xml>`;
      try {
        const response = await fetch(`${this.target.url}?${this.signed(encrypted)}`, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer();
        attempts.push(response.status);
        if (response.status === 200) return { attempts, delivered: true };
      } catch (error) {
        attempts.push((error as Error).name === 'TimeoutError' ? 'timeout' : 'network');
      }
    }
    return { attempts, delivered: false };
  }
}

const cdata = (value: string) => `<![CDATA[${value}]]>`;
