/**
 * The contact-callback function, as plain data for the build, the stack and the local server (like
 * report/function.ts): importing it loads nothing else.
 */
import type { CredentialRole } from '../credential-roles.ts';
import type { WeComApi } from '../wecom/apis.ts';

export const CALLBACK_FUNCTION = {
  id: 'contact-callback',
  summary: "WeCom's contact-change callbacks, verified and decrypted, published to EventBridge",
  /** GET (URL verification) and POST (events), without IAM auth: the msg_signature is the authentication. */
  path: '/callbacks/contact',
  /** Enrichment reads the member an event names: one call of this API per event at most. */
  wecomApi: 'user/get',
  credential: 'read',
  /** The EventBridge `source` of every event. */
  eventSource: 'wecom.contact',
} as const satisfies {
  id: string;
  summary: string;
  path: string;
  wecomApi: WeComApi;
  credential: CredentialRole;
  eventSource: string;
};
