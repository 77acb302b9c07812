/**
 * The table of WeCom errcodes whose status is not 400 (docs/wecom.md §17), with what the caller is told
 * and when a retry can succeed. error-mapping.ts applies it; the OpenAPI document lists it.
 */
import { secondsToBeijingMidnight } from './beijing-dates.ts';
import type { OperationId } from './operations.ts';

export type ErrorStatus = 400 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 502 | 503 | 504;

export interface ErrcodeRule {
  readonly errcode: number;
  readonly status: ErrorStatus;
  /**
   * What the caller is told, beside WeCom's own errmsg. For 502s it tells the operator what to fix.
   * `{ip}` is replaced by the `from ip` WeCom reported, `{api}` by the WeCom call.
   */
  readonly message: string;
  /**
   * Seconds after which a retry can succeed: sent as `Retry-After`. A function reads WeCom's answer
   * (its errmsg) and the time (`now`, epoch ms).
   */
  readonly retryAfterSeconds?: number | ((answer: { errmsg: string; now: number }) => number);
  /** The rule applies to these operations only; the others fall back to the default (400). */
  readonly operations?: readonly OperationId[];
}

/**
 * 45009: "the block lasts as long as the limit's window" (WeCom's errcode list; docs/wecom.md §18): a
 * minute, an hour, a day or a month, which the errmsg names. A minute when it names none.
 */
export function rateLimitWindowSeconds(errmsg: string): number {
  if (/\b(?:month|monthly)\b/i.test(errmsg)) return 30 * 86_400;
  if (/\b(?:day|daily)\b/i.test(errmsg)) return 86_400;
  if (/\bhour(?:ly)?\b/i.test(errmsg)) return 3_600;
  return 60;
}
/** 45033 counts calls in flight, not calls per window: a slot frees as soon as one of them ends. */
const CONCURRENCY_RETRY_SECONDS = 2;
/** WeCom busy (-1) already survived the client's own retries: ask the caller to come back shortly. */
export const BUSY_RETRY_SECONDS = 5;

/** The lookups whose errors count toward WeCom's daily budget (docs/userid-lookups.md). */
const BUDGETED_LOOKUPS: readonly OperationId[] = ['user-get-userid', 'user-get-userid-by-email'];

/** The `Retry-After` of a rule for one WeCom answer. */
export function retryAfterOf(rule: ErrcodeRule, answer: { errmsg: string; now: number }): number | undefined {
  const { retryAfterSeconds } = rule;
  return typeof retryAfterSeconds === 'function' ? retryAfterSeconds(answer) : retryAfterSeconds;
}

const SECRET_HINT =
  'an operator must store the right secret in SSM (<prefix>/secrets/<credential>) and check that the app is enabled';
const TRUSTED_IP_HINT =
  "an operator must add it to the app's trusted IPs (企业可信IP); deploy with egress 'fixed-ip' for an IP that does not change";

/** WeCom errcodes with a status other than 400 (docs/wecom.md §17). Every row is tested. */
export const ERRCODE_RULES: readonly ErrcodeRule[] = [
  { errcode: -1, status: 503, retryAfterSeconds: BUSY_RETRY_SECONDS, message: 'WeCom is busy; retry later' },
  // Unknown, left, or outside the app's visible range: WeCom's list gives all three for 60111.
  { errcode: 60111, status: 404, message: 'No such member, or the member is outside the visible range' },
  { errcode: 46004, status: 404, message: 'No such member' },
  {
    errcode: 40003,
    status: 404,
    message: 'No such member (invalid or unknown userid)',
    operations: ['user-get', 'user-delete', 'user-batch-delete'],
  },
  // Batch delete: a member of the list that does not exist (or is out of sight) fails the whole call;
  // 40031, 60111, 46004 and 40003 all say so, and all answer 404.
  {
    errcode: 40031,
    status: 404,
    message: 'A userid of the list does not exist or is outside the visible range; nobody was deleted',
    operations: ['user-batch-delete'],
  },
  { errcode: 40073, status: 404, message: 'No such openid', operations: ['user-convert-to-userid'] },
  {
    errcode: 60123,
    status: 404,
    message: 'No such department, or the department is outside the visible range',
    operations: ['user-simple-list', 'user-list'],
  },
  { errcode: 60102, status: 409, message: 'A member with this userid already exists (userids ignore case)' },
  { errcode: 60104, status: 409, message: 'Another member already has this mobile number' },
  { errcode: 60106, status: 409, message: 'Another member already has this email address' },
  { errcode: 60145, status: 409, message: 'Another member already has this business email address' },
  { errcode: 43004, status: 409, message: 'The member has not activated WeCom with WeChat yet' },
  {
    errcode: 301036,
    status: 409,
    message: 'This userid cannot be changed (only a system-generated one, once)',
  },
  // 60011: the app may not see or edit this member or department (scope or edit right); 403, unlike
  // 60111 (404), because WeCom says the target exists.
  { errcode: 60011, status: 403, message: 'The credential has no privilege on this member or department' },
  { errcode: 60021, status: 403, message: "The member is outside the app's visible range" },
  { errcode: 50002, status: 403, message: "The member is outside the credential's permission range" },
  { errcode: 301005, status: 403, message: "The company's creator cannot be deleted" },
  // Before the general 45009 row: on a lookup, 45009 is how WeCom answers while the API is blocked for
  // the day (reported by the community; the errcode is undocumented). The day's block and the
  // minute's limit share the errcode, so the longer wait is the one that does not waste calls.
  {
    errcode: 45009,
    status: 429,
    retryAfterSeconds: ({ now }) => secondsToBeijingMidnight(now),
    message:
      'WeCom blocks this lookup until midnight Beijing time: lookups erred on more than 20 % of the ' +
      "corp's seats today (or the per-minute limit was reached); check the LookupMisses metric",
    operations: BUDGETED_LOOKUPS,
  },
  {
    errcode: 45009,
    status: 429,
    retryAfterSeconds: ({ errmsg }) => rateLimitWindowSeconds(errmsg),
    message: "WeCom's rate limit for this call is used up until the end of its window (Retry-After)",
  },
  {
    errcode: 45033,
    status: 429,
    retryAfterSeconds: CONCURRENCY_RETRY_SECONDS,
    message: 'Too many concurrent calls to this WeCom API; retry in a moment, or send fewer at once',
  },
  // 409 rather than 403: nothing is wrong with the caller's rights; the company's state (its seats)
  // refuses the member until members are removed or the seat cap is raised.
  {
    errcode: 45024,
    status: 409,
    message:
      "The company has as many members as its seat cap allows: remove members or raise the cap (WeCom's admin console)",
  },
  {
    errcode: 45029,
    status: 502,
    message:
      "WeCom's answer for this department is too large: list its sub-departments one at a time " +
      '(fetch_child=0), or use the simple listing (GET /departments/<id>/users), which returns less per member; ' +
      'GET /userids pages through every userid with its departments at any size',
    operations: ['user-list', 'user-simple-list'],
  },
  // The client puts the token in every call: WeCom not finding it is a defect of this service.
  {
    errcode: 41001,
    status: 500,
    message:
      'WeCom found no access_token in the call: a defect of this service; report it with the requestId',
  },
  { errcode: 40001, status: 502, message: `WeCom refused this service's secret: ${SECRET_HINT}` },
  { errcode: 40091, status: 502, message: `WeCom refused this service's secret: ${SECRET_HINT}` },
  { errcode: 41004, status: 502, message: `No secret is configured: ${SECRET_HINT}` },
  {
    errcode: 40013,
    status: 502,
    message: 'WeCom refused the corp id: an operator must store the right corp id in SSM (<prefix>/corp-id)',
  },
  {
    errcode: 41002,
    status: 502,
    message: 'No corp id is configured: an operator must store it in SSM (<prefix>/corp-id)',
  },
  {
    errcode: 60020,
    status: 502,
    message: `WeCom refused calls from this service's IP ({ip}): ${TRUSTED_IP_HINT}`,
  },
  {
    errcode: 48009,
    status: 502,
    message:
      'WeCom refused the contact-sync secret reading member details from a new IP ({ip}): an operator must ' +
      "configure the 'app' credential (a self-built app's secret) for reads, or add the IP to the trusted IPs (企业可信IP)",
  },
  {
    errcode: 48002,
    status: 502,
    message:
      'WeCom does not allow this credential to call {api}: an operator must configure the contact-sync secret ' +
      '(通讯录同步, with API sync enabled), which writes, the join QR code and active stats require',
  },
  {
    errcode: 301002,
    status: 502,
    message:
      "The credential's token has no permission on this app: an operator must check the app secret in SSM",
  },
  {
    errcode: 40014,
    status: 502,
    message:
      'WeCom still refused the access_token after one refresh: an operator must check that the secret was not ' +
      'reset and that no other system resets it',
  },
  {
    errcode: 42001,
    status: 502,
    message:
      'WeCom still reported the access_token expired after one refresh: an operator must check the secret',
  },
];

/** The rule for an errcode met by an operation, if any. */
export function ruleFor(errcode: number, operationId: OperationId | undefined): ErrcodeRule | undefined {
  const appliesTo = (rule: ErrcodeRule) =>
    rule.operations === undefined || (operationId !== undefined && rule.operations.includes(operationId));
  return ERRCODE_RULES.find((rule) => rule.errcode === errcode && appliesTo(rule));
}
