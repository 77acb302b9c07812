/**
 * Names the stack and the layer agree on: the environment variables the stack sets on a function and
 * the SSM parameter names under a stage's prefix. Values only, no logic: the CDK app imports it
 * without loading the layer.
 */
import { CREDENTIALS_ENV, type CredentialName } from './credential-roles.ts';

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
