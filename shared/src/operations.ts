/**
 * THE operation table: the single source of truth for the 13 member endpoints.
 *
 * The CDK stack loops over it (one Lambda, one route, one set of grants per row), the local server
 * routes with it, the OpenAPI document is generated from it and the tests iterate it. It is plain data
 * plus zod schemas: importing it never loads undici, middy or the AWS SDK.
 */
import type { z } from 'zod';
import * as schemas from './schemas.ts';
import type { WeComApi } from './wecom/apis.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Which credential a call needs. `contact` is the contact-sync (通讯录同步) secret, required by writes,
 * the join QR code and active stats. `read` calls work with a self-built app's secret: they use the
 * `app` credential when one is configured and fall back to `contact` otherwise (design.md §4.6).
 */
export type CredentialRole = 'contact' | 'read';

export interface OperationDefinition {
  /** Function id: the Lambda's name in `functions/`, its construct id and its log name. */
  readonly id: string;
  readonly summary: string;
  readonly http: {
    readonly method: HttpMethod;
    readonly path: string;
    /** Input fields the route takes from the query string; any other query parameter is a 400. */
    readonly query?: readonly string[];
  };
  readonly wecomApi: WeComApi;
  readonly credential: CredentialRole;
  /** Safe to re-send after an ambiguous failure (the answer may have been lost, not the effect). */
  readonly idempotent: boolean;
  /** Fed by an SQS queue (HR sync jobs) in addition to its route. */
  readonly queued: boolean;
  /**
   * The operation's input: the WeCom request object as a caller sends it by direct invocation,
   * EventBridge `detail` or an SQS record body. Over HTTP it is assembled from the path parameters,
   * the query string and the JSON body (path parameters win; a body that disagrees is a 400).
   */
  readonly input: z.ZodType;
  /**
   * `fetch_child=1` means "this department and every department under it", served by the service
   * walking the department tree (listing.ts), never by WeCom's removed flag.
   */
  readonly recursiveListing?: boolean;
}

const define = <const T extends readonly OperationDefinition[]>(table: T) => table;

export const OPERATIONS = define([
  {
    id: 'user-create',
    summary: 'Create a member',
    http: { method: 'POST', path: '/users' },
    wecomApi: 'user/create',
    credential: 'contact',
    idempotent: false,
    queued: true,
    input: schemas.userCreate,
  },
  {
    id: 'user-get',
    summary: 'Read a member',
    http: { method: 'GET', path: '/users/{userid}' },
    wecomApi: 'user/get',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.userRef,
  },
  {
    id: 'user-update',
    summary: 'Update a member (only the fields sent change)',
    http: { method: 'PATCH', path: '/users/{userid}' },
    wecomApi: 'user/update',
    credential: 'contact',
    idempotent: true,
    queued: true,
    input: schemas.userUpdate,
  },
  {
    id: 'user-delete',
    summary: 'Delete a member',
    http: { method: 'DELETE', path: '/users/{userid}' },
    wecomApi: 'user/delete',
    credential: 'contact',
    idempotent: true,
    queued: true,
    input: schemas.userRef,
  },
  {
    id: 'user-batch-delete',
    summary: 'Delete up to 200 members at once (all or nothing)',
    http: { method: 'POST', path: '/users/batch-delete' },
    wecomApi: 'user/batchdelete',
    credential: 'contact',
    idempotent: false,
    queued: true,
    input: schemas.userBatchDelete,
  },
  {
    id: 'user-simple-list',
    summary: "List a department's members (userid, name, departments)",
    http: { method: 'GET', path: '/departments/{department_id}/users', query: ['fetch_child'] },
    wecomApi: 'user/simplelist',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.departmentListing,
    recursiveListing: true,
  },
  {
    id: 'user-list',
    summary: "List a department's members with their details",
    http: { method: 'GET', path: '/departments/{department_id}/users/details', query: ['fetch_child'] },
    wecomApi: 'user/list',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.departmentListing,
    recursiveListing: true,
  },
  {
    id: 'user-convert-to-openid',
    summary: "Convert a member's userid to an openid",
    http: { method: 'POST', path: '/users/{userid}/openid' },
    wecomApi: 'user/convert_to_openid',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.userRef,
  },
  {
    id: 'user-convert-to-userid',
    summary: 'Convert an openid to the userid of a member',
    http: { method: 'POST', path: '/openids/{openid}/userid' },
    wecomApi: 'user/convert_to_userid',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.openidRef,
  },
  {
    id: 'user-auth-succ',
    summary: "Let a member in after the company's second-factor verification",
    http: { method: 'POST', path: '/users/{userid}/auth-success' },
    wecomApi: 'user/authsucc',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: schemas.userRef,
  },
  {
    id: 'user-invite',
    summary: 'Invite members, departments or tags to join WeCom',
    http: { method: 'POST', path: '/invitations' },
    wecomApi: 'batch/invite',
    credential: 'contact',
    // Effect-idempotent: a member is invited once, and WeCom sends at most one notice a day
    // (wecom-api.md §13), so re-sending after an ambiguous failure changes nothing.
    idempotent: true,
    queued: true,
    input: schemas.invite,
  },
  {
    id: 'user-join-qrcode',
    summary: "Get the company's join QR code (valid 7 days)",
    http: { method: 'GET', path: '/join-qrcode', query: ['size_type'] },
    wecomApi: 'corp/get_join_qrcode',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: schemas.joinQrcode,
  },
  {
    id: 'user-active-stat',
    summary: 'Count the members active on one day of the last 30',
    http: { method: 'GET', path: '/stats/active-members', query: ['date'] },
    wecomApi: 'user/get_active_stat',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: schemas.activeStat,
  },
] as const);

export type Operation = (typeof OPERATIONS)[number];
export type OperationId = Operation['id'];

const byId = new Map<string, Operation>(OPERATIONS.map((operation) => [operation.id, operation]));

export function getOperation(id: OperationId): Operation {
  const operation = byId.get(id);
  if (!operation) throw new Error(`Unknown operation: ${id}`);
  return operation;
}

/** The scheduled function that has no route (design.md §7). */
export const REPORT_FUNCTION = {
  id: 'active-stat-report',
  summary: 'Daily active-member report: EMF metric, log line, optional group-robot message',
  wecomApi: 'user/get_active_stat',
  credential: 'contact',
  idempotent: true,
} as const satisfies Pick<OperationDefinition, 'id' | 'summary' | 'wecomApi' | 'credential' | 'idempotent'>;

/** The credentials a deployment may configure; `app` is optional and takes the `read` calls. */
export const CREDENTIALS = ['contact', 'app'] as const;
export type CredentialName = (typeof CREDENTIALS)[number];

/**
 * The credentials that serve a role, given whether a deployment configured the optional `app`
 * credential (design.md §4.6): the stack grants exactly these, and the runtime picks among them.
 */
export function credentialsForRole(role: CredentialRole, appConfigured: boolean): CredentialName[] {
  return role === 'read' && appConfigured ? ['app'] : ['contact'];
}

/** CloudWatch names shared by the layer (which emits) and the stack (which graphs and alarms). */
export const METRICS = {
  /** Default namespace; the stack sets POWERTOOLS_METRICS_NAMESPACE to it. */
  namespace: 'WeComContact',
  /** The report's daily figure (unit Count, dimension `service`). */
  activeMembers: 'ActiveMembers',
  /** Token store (SSM) throttled or unreachable: tokens served from memory and gettoken. */
  tokenStoreDegraded: 'TokenStoreDegraded',
} as const;
