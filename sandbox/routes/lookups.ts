/**
 * The userid lookups and the paged userid list (docs/userid-lookups.md): user/getuserid,
 * user/get_userid_by_email and user/list_id.
 */
import type { MemberRecord } from '../directory.ts';
import { fail, invalidParameter, WeComFailure } from '../envelope.ts';
import { byteLength, optionalInteger, optionalString } from '../fields.ts';
import { mobileKey } from '../member-rules.ts';
import type { SandboxApi } from '../types.ts';
import { type CallContext, defineRoutes, type Route } from './route.ts';

/** 60103: 5–32 characters of digits, `+` and `-` (and the space of WeCom's stored form), a digit among them. */
const LOOKUP_MOBILE = /^(?=.*\d)[\d+ -]{5,32}$/;
const validEmail = (email: string) =>
  byteLength(email) >= 6 && byteLength(email) <= 64 && /^[^\s@]+@[^\s@]+$/.test(email);
/** list_id's page size; the sandbox's default when `limit` is absent (UNVERIFIED). */
const PAGE_MAX = 10_000;

const sameAddress = (stored: string | undefined, wanted: string) =>
  stored !== undefined && stored.toLowerCase() === wanted.toLowerCase();

/**
 * A lookup: 45009 while the API is blocked for the day; every error it answers counts toward the
 * block; a member the caller cannot see is not found (46004).
 */
function lookup(api: SandboxApi, find: (call: CallContext) => MemberRecord | undefined): Route {
  return {
    method: 'POST',
    access: 'any',
    handle: (call) => {
      const budget = call.corp.lookupBudget;
      if (budget.blocked(api)) fail(45009, 'api freq out of limit, too many lookup errors today');
      try {
        const record = find(call);
        if (record === undefined || !call.visibility.seesMember(record)) fail(46004, 'user not found');
        return { userid: record.member.userid };
      } catch (error) {
        if (error instanceof WeComFailure) budget.recordError(api);
        throw error;
      }
    },
  };
}

/** Where a page starts: after this member (by creation) and department. */
interface Position {
  readonly sequence: number;
  readonly department: number;
}

const encodeCursor = ({ sequence, department }: Position) =>
  Buffer.from(`${sequence}.${department}`).toString('base64url');

function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const match = /^(\d{1,15})\.(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) invalidParameter('invalid cursor');
  return { sequence: Number(match[1]), department: Number(match[2]) };
}

/**
 * One page of (userid, department) pairs, members in creation order and each member's departments in
 * ascending id. The cursor is a position in that order, not an offset: members added or removed
 * during a walk never make an unchanged member appear twice or not at all.
 */
function listPage({ body, corp }: CallContext) {
  const after = decodeCursor(optionalString(body.cursor, 40058));
  const limit = optionalInteger(body.limit, 'limit') ?? PAGE_MAX;
  if (limit < 1 || limit > PAGE_MAX) invalidParameter(`limit must be 1 to ${PAGE_MAX}`);
  const page: Array<Position & { userid: string }> = [];
  let more = false;
  for (const position of positionsAfter(corp, after)) {
    if (page.length === limit) {
      more = true;
      break;
    }
    page.push(position);
  }
  const last = page.at(-1);
  return {
    next_cursor: more && last ? encodeCursor(last) : '',
    dept_user: page.map(({ userid, department }) => ({ userid, department })),
  };
}

/** Every (userid, department) pair after the cursor, in page order. */
function* positionsAfter(corp: CallContext['corp'], after: Position | undefined) {
  for (const { member, sequence } of corp.directory.members()) {
    if (after !== undefined && sequence < after.sequence) continue;
    for (const department of [...(member.department ?? [])].sort((a, b) => a - b)) {
      if (isAfter({ sequence, department }, after)) yield { sequence, department, userid: member.userid };
    }
  }
}

const isAfter = (position: Position, after: Position | undefined) =>
  after === undefined ||
  position.sequence > after.sequence ||
  (position.sequence === after.sequence && position.department > after.department);

export const lookupRoutes = defineRoutes({
  'user/getuserid': lookup('user/getuserid', ({ body, corp }) => {
    const mobile = optionalString(body.mobile, 60103);
    if (mobile === undefined || !LOOKUP_MOBILE.test(mobile)) fail(60103);
    return corp.directory
      .members()
      .find((record) => record.member.mobile && mobileKey(record.member.mobile) === mobileKey(mobile));
  }),
  'user/get_userid_by_email': lookup('user/get_userid_by_email', ({ body, corp }) => {
    const email = optionalString(body.email, 60105);
    if (email === undefined || !validEmail(email)) fail(60105);
    const type = optionalInteger(body.email_type, 'email_type') ?? 1;
    if (type !== 1 && type !== 2) invalidParameter('email_type must be 1 or 2');
    // 1: company mail (biz_mail), 2: personal mail (email).
    const field = type === 1 ? 'biz_mail' : 'email';
    return corp.directory.members().find((record) => sameAddress(record.member[field], email));
  }),
  'user/list_id': { method: 'POST', access: 'contact', handle: listPage },
});
