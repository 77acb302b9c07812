/**
 * The contracts between the layer's parts: what the endpoint middleware and the report need from the
 * WeCom client and the runtime, independent of how tokens are cached.
 */
import { CREDENTIALS_ENV, type CredentialName, type CredentialRole } from './credential-roles.ts';
import type { WeComApi, WeComRequest, WeComResponse } from './wecom/apis.ts';

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
}

/**
 * Calls WeCom with a cached access_token. Resolves with WeCom's JSON when errcode is 0; otherwise
 * rejects with one of the classes in errors.ts (WeComError, UpstreamHttpError, UpstreamTimeoutError,
 * UpstreamNetworkError, ConfigurationError).
 */
export interface WeComClient {
  call<A extends WeComApi>(api: A, request: WeComRequest<A>, options: CallOptions): Promise<WeComResponse<A>>;
}

/** Module-scope services a handler uses; one per container, reused while warm. */
export interface Runtime {
  readonly client: WeComClient;
  /** The credential that serves a role: `read` → `app` when configured, else `contact`. */
  credentialFor(role: CredentialRole): CredentialName;
}

/**
 * Environment variables the stack sets on every function (names only: values that are secrets live
 * in SSM Parameter Store and are read at run time).
 */
export const ENV = {
  /** SSM prefix of this stage, e.g. `/wecom-contact/dev` (no trailing slash). */
  ssmPrefix: 'WECOM_SSM_PREFIX',
  /** Comma-separated credentials this function may use, e.g. `contact` or `contact,app`. */
  credentials: CREDENTIALS_ENV,
  /** Optional: WeCom base URL (a fixed-IP forward proxy, or the sandbox). */
  baseUrl: 'WECOM_BASE_URL',
  /** Report function only: the SSM name of the optional group-robot webhook URL. */
  reportWebhookParameter: 'WECOM_REPORT_WEBHOOK_PARAMETER',
  /** Optional: the corp id itself (the `corpId` context key); otherwise read from `<prefix>/corp-id`. */
  corpId: 'WECOM_CORP_ID',
  /** Optional, listing functions: departments one `fetch_child=1` request may walk (call-budget.ts). */
  fetchChildMaxDepartments: 'WECOM_FETCH_CHILD_MAX_DEPARTMENTS',
  /** Doctor function only: the dead-letter queues to check, JSON `[{name, url, arn}]`. */
  doctorDeadLetterQueues: 'WECOM_DOCTOR_DEAD_LETTER_QUEUES',
} as const;

/** SSM parameter names under a stage prefix (docs/architecture.md §6). One place, used by the layer and the stack. */
export const parameterNames = (prefix: string) => ({
  corpId: `${prefix}/corp-id`,
  secret: (credential: CredentialName) => `${prefix}/secrets/${credential}`,
  token: (credential: CredentialName) => `${prefix}/tokens/${credential}`,
  lease: (credential: CredentialName) => `${prefix}/leases/${credential}`,
  reportWebhookUrl: `${prefix}/report/webhook-url`,
});
