/**
 * The contracts between the layer's parts: what the endpoint middleware, the callback, the report and
 * the doctor need from the WeCom client and the runtime, independent of how tokens are cached.
 */
import type { CredentialName, CredentialRole } from './credential-roles.ts';
import type { WeComApi, WeComEnvelope, WeComRequest, WeComResponse } from './wecom/apis.ts';

export interface CallOptions {
  credential: CredentialName;
  /** Absolute deadline (epoch ms) for the whole call, retries included; derived from the Lambda's remaining time. */
  deadline?: number;
  /**
   * Whether sending the call twice has the effect of sending it once (the operation table says, for
   * the endpoints): only then is it re-sent after a failure that may have reached WeCom, unless a
   * reconciler can check. Default false: never re-send blindly.
   */
  idempotent?: boolean;
  /**
   * WeCom's answer goes to an HTTP caller untouched: when its text opens with errcode 0, it is not
   * parsed, and the call resolves with an envelope that carries the text (wecom/answer-text.ts). The
   * reads a reconciler makes to check an ambiguous failure are parsed as usual.
   * @default false
   */
  passOn?: boolean;
}

/**
 * Calls WeCom with a cached access_token. Resolves with WeCom's JSON when errcode is 0; otherwise
 * rejects with one of the classes in errors.ts (WeComError, UpstreamHttpError, UpstreamTimeoutError,
 * UpstreamNetworkError, ConfigurationError).
 */
export interface WeComClient {
  /** A call whose answer is passed on (`passOn`): only its envelope may be read. */
  call<A extends WeComApi>(
    api: A,
    request: WeComRequest<A>,
    options: CallOptions & { readonly passOn: true },
  ): Promise<WeComEnvelope>;
  call<A extends WeComApi>(api: A, request: WeComRequest<A>, options: CallOptions): Promise<WeComResponse<A>>;
}

/** Module-scope services a handler uses; one per container, reused while warm. */
export interface Runtime {
  readonly client: WeComClient;
  /** The credential that serves a role: `read` → `app` when configured, else `contact`. */
  credentialFor(role: CredentialRole): CredentialName;
}
