/**
 * THE operation table: the single source of truth for the member endpoints.
 *
 * The CDK stack loops over it (one Lambda, one route, one set of grants per row), the build generates
 * each row's function entry, the local server routes with it, the OpenAPI document and the README's
 * route table are generated from it and the tests iterate it. Adding an operation:
 * docs/adding-an-operation.md. Plain data plus zod schemas: importing it never loads undici, middy or
 * the AWS SDK.
 */

import { defineOperation } from './define-operation.ts';
import { listMembers } from './listing.ts';
import * as lookupSchemas from './lookup-schemas.ts';
import { countingMisses } from './lookups.ts';
import * as schemas from './schemas.ts';

export type {
  Behaviour,
  HttpMethod,
  OperationDefinition,
  Perform,
  PerformContext,
} from './define-operation.ts';

/** The walk of `fetch_child=1` (listing.ts): WeCom removed the flag, so the service walks the tree. */
const RECURSIVE_LISTING =
  'With `fetch_child=1` the service lists every department under this one and merges the members, each once.';

export const OPERATIONS = [
  defineOperation({
    id: 'user-create',
    summary: 'Create a member',
    http: { method: 'POST', path: '/users' },
    wecomApi: 'user/create',
    credential: 'contact',
    idempotent: false,
    queued: true,
    input: schemas.userCreate,
  }),
  defineOperation({
    id: 'user-get',
    summary: 'Read a member',
    http: { method: 'GET', path: '/users/{userid}' },
    wecomApi: 'user/get',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.userRef,
  }),
  defineOperation({
    id: 'user-update',
    summary: 'Update a member (only the fields sent change)',
    http: { method: 'PATCH', path: '/users/{userid}' },
    wecomApi: 'user/update',
    credential: 'contact',
    idempotent: true,
    queued: true,
    input: schemas.userUpdate,
  }),
  defineOperation({
    id: 'user-delete',
    summary: 'Delete a member',
    http: { method: 'DELETE', path: '/users/{userid}' },
    wecomApi: 'user/delete',
    credential: 'contact',
    idempotent: true,
    queued: true,
    input: schemas.userRef,
  }),
  defineOperation({
    id: 'user-batch-delete',
    summary: 'Delete up to 200 members at once (all or nothing)',
    http: { method: 'POST', path: '/users/batch-delete' },
    wecomApi: 'user/batchdelete',
    credential: 'contact',
    idempotent: false,
    queued: true,
    input: schemas.userBatchDelete,
  }),
  defineOperation({
    id: 'user-simple-list',
    summary: "List a department's members (userid, name, departments)",
    http: { method: 'GET', path: '/departments/{department_id}/users', query: ['fetch_child'] },
    wecomApi: 'user/simplelist',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.departmentListing,
    behaviour: {
      description: RECURSIVE_LISTING,
      perform: (input, { call }) => listMembers(call, 'user/simplelist', input),
    },
  }),
  defineOperation({
    id: 'user-list',
    summary: "List a department's members with their details",
    http: { method: 'GET', path: '/departments/{department_id}/users/details', query: ['fetch_child'] },
    wecomApi: 'user/list',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.departmentListing,
    behaviour: {
      description: RECURSIVE_LISTING,
      perform: (input, { call }) => listMembers(call, 'user/list', input),
    },
  }),
  defineOperation({
    id: 'user-convert-to-openid',
    summary: "Convert a member's userid to an openid",
    http: { method: 'POST', path: '/users/{userid}/openid' },
    wecomApi: 'user/convert_to_openid',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.userRef,
  }),
  defineOperation({
    id: 'user-convert-to-userid',
    summary: 'Convert an openid to the userid of a member',
    http: { method: 'POST', path: '/openids/{openid}/userid' },
    wecomApi: 'user/convert_to_userid',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: schemas.openidRef,
  }),
  defineOperation({
    id: 'user-auth-succ',
    summary: "Let a member in after the company's second-factor verification",
    http: { method: 'POST', path: '/users/{userid}/auth-success' },
    wecomApi: 'user/authsucc',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: schemas.userRef,
  }),
  defineOperation({
    id: 'user-invite',
    summary: 'Invite members, departments or tags to join WeCom',
    http: { method: 'POST', path: '/invitations' },
    wecomApi: 'batch/invite',
    credential: 'contact',
    // Effect-idempotent: a member is invited once, and WeCom sends at most one notice a day
    // (docs/wecom.md §13), so re-sending after an ambiguous failure changes nothing.
    idempotent: true,
    queued: true,
    input: schemas.invite,
  }),
  defineOperation({
    id: 'user-join-qrcode',
    summary: "Get the company's join QR code (valid 7 days)",
    http: { method: 'GET', path: '/join-qrcode', query: ['size_type'] },
    wecomApi: 'corp/get_join_qrcode',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: schemas.joinQrcode,
  }),
  defineOperation({
    id: 'user-active-stat',
    summary: 'Count the members active on one day of the last 30',
    http: { method: 'GET', path: '/stats/active-members', query: ['date'] },
    wecomApi: 'user/get_active_stat',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: schemas.activeStat,
  }),
  defineOperation({
    id: 'user-get-userid',
    summary: 'Find the userid of a mobile number (the number in the body, never in the URL)',
    http: { method: 'POST', path: '/userids/by-mobile' },
    wecomApi: 'user/getuserid',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: lookupSchemas.useridByMobile,
    behaviour: countingMisses('user/getuserid'),
  }),
  defineOperation({
    id: 'user-get-userid-by-email',
    summary: 'Find the userid of a company or personal e-mail address (in the body, never in the URL)',
    http: { method: 'POST', path: '/userids/by-email' },
    wecomApi: 'user/get_userid_by_email',
    credential: 'read',
    idempotent: true,
    queued: false,
    input: lookupSchemas.useridByEmail,
    behaviour: countingMisses('user/get_userid_by_email'),
  }),
  defineOperation({
    id: 'user-list-id',
    summary: 'Page through every userid with its departments (the scalable full listing)',
    http: { method: 'GET', path: '/userids', query: ['cursor', 'limit'] },
    wecomApi: 'user/list_id',
    credential: 'contact',
    idempotent: true,
    queued: false,
    input: lookupSchemas.useridPage,
  }),
] as const;

export type Operation = (typeof OPERATIONS)[number];
export type OperationId = Operation['id'];

const byId = new Map<string, Operation>(OPERATIONS.map((operation) => [operation.id, operation]));

export function getOperation(id: OperationId): Operation {
  const operation = byId.get(id);
  if (!operation) throw new Error(`Unknown operation: ${id}`);
  return operation;
}
