/**
 * The rules of user/create and user/update (docs/wecom.md §3, §5): field formats and limits with their
 * errcodes, uniqueness, department placement, and the merge that leaves unsent fields unchanged.
 * Everything is checked before anything changes, so a failed call leaves the directory untouched.
 */
import { createHash } from 'node:crypto';
import type { Member } from '../shared/src/wecom/apis.ts';
import type { Directory, MemberRecord, MemberStatus } from './directory.ts';
import { fail, invalidParameter } from './envelope.ts';
import {
  byteLength,
  charLength,
  optionalId,
  optionalInteger,
  optionalIntegerArray,
  optionalString,
  optionalStringArray,
} from './fields.ts';
import { isJsonObject } from './http.ts';

interface TextRule {
  readonly errcode: number;
  readonly max: number;
  readonly min?: number;
  readonly measure: 'chars' | 'bytes';
  readonly pattern?: RegExp;
}

/** Plain text fields: limit, unit and the errcode WeCom answers when one is broken. */
const TEXT_RULES = {
  name: { errcode: 60112, min: 1, max: 64, measure: 'chars' },
  alias: { errcode: 40058, max: 64, measure: 'chars' },
  position: { errcode: 301012, max: 128, measure: 'chars' },
  telephone: { errcode: 301013, max: 32, measure: 'bytes', pattern: /^[\d+\-,]*$/ },
  address: { errcode: 40058, max: 128, measure: 'chars' },
  external_position: { errcode: 40058, max: 12, measure: 'chars' },
  nickname: { errcode: 40058, max: 64, measure: 'chars' },
  avatar_mediaid: { errcode: 301015, max: 256, measure: 'bytes' },
} as const satisfies Record<string, TextRule>;

type TextField = keyof typeof TEXT_RULES;

/** 1–64 bytes of letters, digits and `_-@.`, starting with a letter or digit (§3). */
const USERID = /^[A-Za-z0-9][A-Za-z0-9_\-@.]{0,63}$/;
/**
 * 60103: at most 32 characters among digits, `+` and `-` (§17); the §3 example "+86 13800000000" has a
 * space, so spaces pass too. Which numbers need a country code is not checked (WeCom's rule is not
 * written down).
 */
const MOBILE = /^[\d+ -]*\d[\d+ -]*$/;
/** 60105: "a valid email" of at most 64 bytes (6 at least, §3): one `@`, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/u;
/** The largest `department` list (current doc: 100). */
const MAX_DEPARTMENTS = 100;
/** `direct_leader` may name one member (current doc; the old limit was 5). */
const MAX_DIRECT_LEADERS = 1;
const MAX_ORDER = 2 ** 32 - 1;
/** The department id that means 待设置部门 in a create body (§3). */
const PENDING = 0;

export function isValidUserid(userid: string): boolean {
  return USERID.test(userid) && byteLength(userid) <= 64;
}

/** A required userid (body or query): 41009 when absent, 40003 when malformed. */
export function requireUserid(value: unknown): string {
  if (value === undefined || value === null || value === '') fail(41009);
  if (typeof value !== 'string' || !isValidUserid(value)) fail(40003);
  return value;
}

/** The same number written with or without `+86`, spaces or dashes is the same mobile. */
export const mobileKey = (mobile: string) => {
  const digits = mobile.replace(/\D/g, '');
  return /^1\d{10}$/.test(digits) ? `86${digits}` : digits;
};

function readText(field: TextField, value: unknown): string | undefined {
  const rule: TextRule = TEXT_RULES[field];
  const text = optionalString(value, rule.errcode);
  if (text === undefined) return undefined;
  const length = rule.measure === 'chars' ? charLength(text) : byteLength(text);
  const broken = length > rule.max || length < (rule.min ?? 0) || (rule.pattern && !rule.pattern.test(text));
  if (!broken) return text;
  return rule.errcode === 40058 ? invalidParameter(`${field} exceed max length`) : fail(rule.errcode);
}

/** An address field (mobile, email, biz_mail): empty clears it on update; otherwise the format must hold. */
function readAddress(value: unknown, errcode: number, valid: (text: string) => boolean): string | undefined {
  const text = optionalString(value, errcode);
  if (text === undefined || text === '') return text;
  if (!valid(text)) fail(errcode);
  return text;
}

const validMobile = (mobile: string) => mobile.length <= 32 && MOBILE.test(mobile);
const validEmail = (email: string) => byteLength(email) >= 6 && byteLength(email) <= 64 && EMAIL.test(email);

function readGender(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  // Documented as a string; some SDKs send a number (§3: UNVERIFIED whether both pass, accepted here).
  const gender = String(value);
  if ((typeof value !== 'string' && typeof value !== 'number') || !['0', '1', '2'].includes(gender)) {
    invalidParameter('gender must be "1" or "2"');
  }
  return gender;
}

function readObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) invalidParameter(`${field} must be an object`);
  return value;
}

/** The optional fields shared by create and update, checked one by one; absent ones stay absent. */
function readMemberFields(body: Record<string, unknown>): Partial<Member> {
  const texts: Partial<Member> = {};
  for (const field of Object.keys(TEXT_RULES) as TextField[]) {
    const text = readText(field, body[field]);
    if (text !== undefined) texts[field] = text;
  }
  // Read in this order, so that the first bad field is the one WeCom names.
  const others: Partial<Member> = {
    mobile: readAddress(body.mobile, 60103, validMobile),
    email: readAddress(body.email, 60105, validEmail),
    biz_mail: readAddress(body.biz_mail, 60143, validEmail),
    gender: readGender(body.gender),
    enable: readEnable(body.enable),
    extattr: readExtattr(body.extattr),
    external_profile: readObject(body.external_profile, 'external_profile'),
    direct_leader: readLeaders(body.direct_leader),
    main_department: optionalId(body.main_department, 'main_department'),
  };
  if (body.to_invite !== undefined && body.to_invite !== null && typeof body.to_invite !== 'boolean')
    invalidParameter('to_invite must be a bool');
  const present = Object.entries(others).filter(([, value]) => value !== undefined);
  return { ...texts, ...Object.fromEntries(present) };
}

function readEnable(value: unknown): number | undefined {
  const enable = optionalInteger(value, 'enable');
  if (enable !== undefined && enable !== 0 && enable !== 1) invalidParameter('enable must be 0 or 1');
  return enable;
}

function readExtattr(value: unknown): Member['extattr'] | undefined {
  const extattr = readObject(value, 'extattr');
  if (extattr === undefined) return undefined;
  if (!Array.isArray(extattr.attrs)) invalidParameter('extattr.attrs must be an array');
  return { attrs: extattr.attrs.filter(isJsonObject) };
}

function readLeaders(value: unknown): string[] | undefined {
  const leaders = optionalStringArray(value, 40058);
  if (leaders !== undefined && leaders.length > MAX_DIRECT_LEADERS)
    invalidParameter('direct_leader exceed max size');
  return leaders;
}

/** Department placement: ids, and `order`/`is_leader_in_dept` aligned with them (§3: 60132). */
interface Placement {
  department: number[];
  order: number[];
  is_leader_in_dept: number[];
}

function readAligned(value: unknown, count: number, valid: (item: number) => boolean, field: string) {
  const list = optionalIntegerArray(value, 40058);
  if (list === undefined) return undefined;
  if (list.length !== count) fail(60132, `${field} size not match department size`);
  if (!list.every(valid)) invalidParameter(`${field} out of range`);
  return list;
}

function readDepartmentIds(value: unknown): number[] | undefined {
  const ids = optionalIntegerArray(value, 41019);
  if (ids === undefined) return undefined;
  if (ids.length > MAX_DEPARTMENTS) fail(60110);
  if (ids.some((id) => id < 0 || id > MAX_ORDER)) fail(60123);
  if (new Set(ids).size !== ids.length) invalidParameter('department duplicated');
  return ids;
}

const validOrder = (order: number) => order >= 0 && order <= MAX_ORDER;
const validLeaderFlag = (flag: number) => flag === 0 || flag === 1;

function assertUnique(directory: Directory, self: string | undefined, fields: Partial<Member>): void {
  const others = directory.members().filter((record) => record.member.userid.toLowerCase() !== self);
  const { mobile, email, biz_mail: bizMail } = fields;
  const holder = mobile
    ? others.find((r) => r.member.mobile && mobileKey(r.member.mobile) === mobileKey(mobile))
    : undefined;
  if (holder) fail(60104, `mobile existed:${holder.member.userid}`);
  const sameAddress = (a: string | undefined, b: string) =>
    a !== undefined && a.toLowerCase() === b.toLowerCase();
  if (email && others.some((r) => sameAddress(r.member.email, email))) fail(60106);
  if (bizMail && others.some((r) => sameAddress(r.member.biz_mail, bizMail))) fail(60145);
}

function assertLeadersExist(directory: Directory, leaders: string[] | undefined): void {
  if (leaders?.some((leader) => !directory.member(leader))) invalidParameter('direct_leader not found');
}

/** `main_department` must be one of the member's departments; default the first one. */
function mainDepartmentOf(requested: number | undefined, current: number | undefined, departments: number[]) {
  if (requested !== undefined && !departments.includes(requested))
    invalidParameter('main_department not in department');
  const main = requested ?? current;
  return main !== undefined && departments.includes(main) ? main : departments[0];
}

export interface CreatePlan {
  member: MemberRecord['member'];
  /** Departments that do not exist yet, created with the member (§3: `created_department_list`). */
  missingDepartments: number[];
}

/** Checks a user/create body; the caller commits the plan (see `commitCreate`). */
export function planCreate(body: Record<string, unknown>, directory: Directory): CreatePlan {
  const userid = requireUserid(body.userid);
  if (directory.member(userid)) fail(60102);
  if (body.name === undefined || body.name === null) fail(60112);
  const fields = readMemberFields(body);
  if (!fields.mobile && !fields.email) fail(60129);
  assertUnique(directory, undefined, fields);
  assertLeadersExist(directory, fields.direct_leader);

  const requested = readDepartmentIds(body.department) ?? [];
  // 0 (or no department at all) stands for 待设置部门, resolved when the plan is committed.
  const department = requested.length === 0 ? [PENDING] : requested;
  const count = department.length;
  const order = readAligned(body.order, count, validOrder, 'order') ?? new Array<number>(count).fill(0);
  const leaders = readAligned(body.is_leader_in_dept, count, validLeaderFlag, 'is_leader_in_dept');
  if (fields.main_department !== undefined && !department.includes(fields.main_department)) {
    invalidParameter('main_department not in department');
  }
  const missingDepartments = department.filter((id) => id !== PENDING && !directory.department(id));
  const { avatar_mediaid: avatarMediaId, ...stored } = fields;
  const seed = createHash('sha256').update(userid.toLowerCase()).digest('hex');
  return {
    missingDepartments,
    member: {
      gender: '0',
      enable: 1,
      extattr: { attrs: [] },
      direct_leader: [],
      ...stored,
      ...(avatarMediaId ? avatarOf(avatarMediaId) : { avatar: '', thumb_avatar: '' }),
      userid,
      department,
      order,
      is_leader_in_dept: leaders ?? new Array<number>(count).fill(0),
      qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vc${seed.slice(0, 16)}`,
      status: statusAfter(fields.enable, 4, false),
    },
  };
}

/** `enable: 0` disables (status 2); `enable: 1` re-enables: activated if it ever was, else not activated. */
function statusAfter(enable: number | undefined, status: MemberStatus, bound: boolean): MemberStatus {
  if (enable === 0) return 2;
  if (enable === 1 && status === 2) return bound ? 1 : 4;
  return status;
}

const avatarOf = (mediaId: string) => {
  const digest = createHash('sha256').update(mediaId).digest('hex').slice(0, 32);
  return {
    avatar: `https://wework.qpic.cn/wwpic/${digest}/0`,
    thumb_avatar: `https://wework.qpic.cn/wwpic/${digest}/100`,
  };
};

/** Creates the member and any missing departments; returns the auto-created departments. */
export function commitCreate(plan: CreatePlan, directory: Directory): Array<{ name: string; id: number }> {
  const member = plan.member;
  const created = plan.missingDepartments.map((id) => {
    const name = `部门${id}`;
    directory.addDepartment({ id, name, parentid: directory.pendingDepartment(), order: 0 });
    return { name, id };
  });
  const departments = (member.department ?? []).map((id) =>
    id === PENDING ? directory.pendingDepartment() : id,
  );
  member.department = departments;
  member.main_department = mainDepartmentOf(member.main_department, undefined, departments);
  directory.insert(member);
  return created;
}

/** Checks a user/update body against the stored member and returns the member as it will be. */
export function planUpdate(
  body: Record<string, unknown>,
  record: MemberRecord,
  directory: Directory,
): MemberRecord['member'] {
  const current = record.member;
  if (body.new_userid !== undefined && body.new_userid !== current.userid) fail(301036);
  const fields = readMemberFields(body);
  // §5: the mobile of a member who has activated WeCom is theirs; an update of it is silently ignored.
  if (current.status === 1) delete fields.mobile;
  const { avatar_mediaid: avatarMediaId, ...changes } = fields;
  const next = {
    ...current,
    ...changes,
    ...(avatarMediaId ? avatarOf(avatarMediaId) : {}),
    status: statusAfter(changes.enable, current.status, record.bound),
  };
  if (!next.mobile && !next.email) fail(60129);
  assertUnique(directory, current.userid.toLowerCase(), changes);
  assertLeadersExist(directory, changes.direct_leader);
  Object.assign(next, placeUpdate(body, current, directory));
  next.main_department = mainDepartmentOf(
    changes.main_department,
    current.main_department,
    next.department ?? [],
  );
  return next;
}

/**
 * §5: `order` (and, as the service reads the doc, `is_leader_in_dept`) count only with `department`:
 * sent alone they are ignored. Unsent aligned lists keep their values per department.
 */
function placeUpdate(body: Record<string, unknown>, current: Member, directory: Directory): Placement {
  const before = current.department ?? [];
  const requested = readDepartmentIds(body.department);
  if (requested?.some((id) => !directory.department(id))) fail(60123);
  const department = requested ?? before;
  const carried = (list: number[] | undefined) => department.map((id) => list?.[before.indexOf(id)] ?? 0);
  if (requested === undefined) {
    return {
      department,
      order: carried(current.order),
      is_leader_in_dept: carried(current.is_leader_in_dept),
    };
  }
  const count = department.length;
  const order = readAligned(body.order, count, validOrder, 'order') ?? carried(current.order);
  const leaders = readAligned(body.is_leader_in_dept, count, validLeaderFlag, 'is_leader_in_dept');
  return { department, order, is_leader_in_dept: leaders ?? carried(current.is_leader_in_dept) };
}
