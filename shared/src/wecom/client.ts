/**
 * The WeCom client the handlers use: a token from the provider, one exchange through the transport,
 * the retry policy around it, and the one token refresh WeCom's 40014/42001 call for.
 */

import type { CallOptions, WeComClient } from '../contracts.ts';
import type { CredentialName } from '../credential-roles.ts';
import { WeComError } from '../errors.ts';
import type { AccessTokenSource } from '../token/provider.ts';
import type { WeComApi, WeComRequest, WeComResponse } from './apis.ts';
import type { Attempt } from './reconcilers.ts';
import {
  callWithRetry,
  REAL_RETRY_ENVIRONMENT,
  type RetryEnvironment,
  type RetryPolicy,
  rethrowFinal,
} from './retry.ts';
import type { WeComTransport } from './transport.ts';

/** WeCom's invalid-token errcodes (expired tokens are reported as either). */
export const TOKEN_REJECTED_ERRCODES: ReadonlySet<number> = new Set([40014, 42001]);

export function isTokenRejection(error: unknown): error is WeComError {
  return error instanceof WeComError && TOKEN_REJECTED_ERRCODES.has(error.errcode);
}

export interface WeComClientOptions {
  transport: WeComTransport;
  tokens: AccessTokenSource;
  /**
   * How often and how long to retry within one call.
   * @default DEFAULT_RETRY_POLICY (2 retries, 200 ms base, 2 s cap, 250 ms minimum attempt)
   * @example { ...DEFAULT_RETRY_POLICY, maxRetries: 0 }
   */
  retryPolicy?: RetryPolicy;
  /**
   * Time and randomness of the retries (tests).
   * @default REAL_RETRY_ENVIRONMENT (Date.now, a real sleep, Math.random)
   */
  retryEnvironment?: RetryEnvironment;
  /**
   * Deadline of a call made without one (an HTTP API gives up after 30 s).
   * @default 25_000
   */
  defaultTimeoutMs?: number;
}

/**
 * Errors: see WeComClient. A WeComError with errcode 40014 or 42001 only ever leaves this client after
 * the token was refreshed and the call retried once: the token is still refused, which is a
 * deployment problem (502), never the caller's.
 */
export function createWeComClient(options: WeComClientOptions): WeComClient {
  const environment = options.retryEnvironment ?? REAL_RETRY_ENVIRONMENT;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 25_000;

  return {
    call<A extends WeComApi>(api: A, request: WeComRequest<A>, callOptions: CallOptions) {
      const deadline = callOptions.deadline ?? environment.now() + defaultTimeoutMs;
      const passOn = callOptions.passOn === true ? request : undefined;
      const attempt = tokenAwareAttempt(options, callOptions.credential, deadline, passOn);
      return callWithRetry(api, request, attempt, {
        deadline,
        idempotent: callOptions.idempotent ?? false,
        policy: options.retryPolicy,
        environment,
      });
    },
  };
}

/**
 * One attempt with the credential's token; at most one refresh-and-resend per call, whatever the
 * attempts. A later attempt asks for the token again: the provider never hands out a token WeCom
 * rejected (it keeps the rejected values), even while the store still holds it.
 *
 * The token step is never retried here: the provider's errors (a failed gettoken, the
 * TokenUnavailableError of its backoff, a refused secret, SSM) are final for `callWithRetry`, because
 * gettoken has one retry layer, the provider's fleet-wide backoff (docs/tokens.md, "One retry layer").
 */
function tokenAwareAttempt(
  { transport, tokens }: WeComClientOptions,
  credential: CredentialName,
  deadline: number,
  passOnRequest: object | undefined,
): Attempt {
  let refreshed = false;
  return async <B extends WeComApi>(api: B, request: WeComRequest<B>): Promise<WeComResponse<B>> => {
    const token = await tokens.getToken(credential, { deadline }).catch(rethrowFinal);
    // The call itself may be passed on; a reconciler's own reads (other request objects) never are.
    const passOn = request === passOnRequest;
    try {
      return await transport.send(api, request, { accessToken: token, deadline, passOn });
    } catch (error) {
      if (!isTokenRejection(error) || refreshed) throw error;
      refreshed = true;
      const replacement = await tokens
        .refreshAfterRejection(credential, token, { deadline })
        .catch(rethrowFinal);
      return transport.send(api, request, { accessToken: replacement, deadline, passOn });
    }
  };
}
