/**
 * The input schema of each operation: docs/wecom.md's rules, so that a request WeCom would refuse for
 * its shape is answered 400 here and never spends a WeCom call (or a rate-limit slot).
 *
 * Why zod 4 rather than valibot: zod 4 emits JSON Schema itself (`z.toJSONSchema`), so the OpenAPI
 * document is generated from these very schemas without a third-party converter that could drift, and
 * it implements Standard Schema. The price is size: zod (classic, whose `z` namespace keeps even the
 * JSON Schema generator) is a third of the layer, which Lambda loads at every cold start. Valibot or
 * `zod/mini` would be smaller; any switch should be weighed with the bench's `cold_start_ratio`.
 *
 * Conventions:
 * - Field names are WeCom's own. Create and update pass unknown fields through (WeCom adds fields
 *   faster than we do); the other inputs are closed, so a typo such as `fetch_chlid` is a 400, not a
 *   silently ignored flag.
 * - HTTP path and query values arrive as strings: integer fields accept a string of decimal digits and
 *   nothing else (no `z.coerce`, which would turn "" into 0 and "1e3" into 1000).
 * - Messages name the rule, never the value (values are members' personal data).
 * - Lengths in "characters" count Unicode code points, as WeCom (and JSON Schema) do, not UTF-16 units.
 * - Every string, the passed-through ones included, must be one WeCom can read (40033): see
 *   `isEncodable`. The transport checks again before sending, as a last guard.
 * - Formats follow the WeCom sandbox (sandbox/member-rules.ts), our executable reading of
 *   docs/wecom.md: a test sends what the sandbox refuses and expects it refused here.
 */

import * as z from 'zod';
import { beijingDay, calendarDay } from './beijing-dates.ts';
import { once } from './once.ts';
import {
  chars,
  departmentId,
  email,
  flag,
  idOrDigits,
  integerParameter,
  mobile,
  openid,
  openObject,
  orEmpty,
  telephone,
  text,
  UNENCODABLE,
  uint32,
  userid,
  utf8Bytes,
} from './schema-fields.ts';
import { isEncodable } from './wecom/encoding.ts';

/** Epoch milliseconds; injected so that the 30-day window of active stats can be tested. */
export type Clock = () => number;

/**
 * WeCom's current documentation allows ONE direct leader; the older one (and corps configured before
 * 2023) allowed five. We accept up to five, so that no request WeCom could accept is refused here;
 * WeCom itself enforces its tighter rule where it applies (a 400 with its errcode).
 */
export const DIRECT_LEADER_MAX = 5;
/** WeCom keeps active-member statistics for 30 days back from today (Beijing date). */
export const ACTIVE_STAT_DAYS = 30;

/** Fields WeCom's user/create and user/update share, with the limits of docs/wecom.md §3 and §5. */
const memberFields = once(() => ({
  name: chars(1, 64),
  // "" clears it: go-workwx sends `alias: ""` with every update (docs/validation.md).
  alias: chars(0, 64),
  mobile: orEmpty(mobile()),
  department: z
    .array(uint32())
    .max(100, { message: 'must list at most 100 departments' })
    .refine((ids) => new Set(ids).size === ids.length, { message: 'must not list a department twice' })
    .meta({ uniqueItems: true }),
  order: z.array(uint32()),
  position: chars(0, 128),
  // WeCom documents strings; wechatpy sends the number 0 by default, others 1/2 (docs/validation.md).
  gender: z.union([z.enum(['0', '1', '2']), z.literal([0, 1, 2])], {
    message: 'must be 0 (unset), 1 (male) or 2 (female), as a number or a string',
  }),
  email: orEmpty(email(64)),
  telephone: telephone(),
  is_leader_in_dept: z.array(flag()),
  direct_leader: z
    .array(userid())
    .max(DIRECT_LEADER_MAX, { message: `must list at most ${DIRECT_LEADER_MAX} leaders` }),
  avatar_mediaid: text()
    .refine((value) => value !== '' && utf8Bytes(value) <= 256, { message: 'must be 1–256 bytes' })
    .meta({ minLength: 1 }),
  enable: flag(),
  extattr: openObject({ attrs: z.array(openObject({})) }),
  external_profile: openObject({}),
  external_position: chars(0, 12),
  nickname: chars(0, 64),
  address: chars(0, 128),
  main_department: idOrDigits(),
}));
type Nullish<T extends z.ZodRawShape> = { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> };

/**
 * Every field optional, and `null` taken as absent: go-workwx sends `null` for the lists it leaves
 * empty (department, order, is_leader_in_dept). The value goes to WeCom as sent.
 */
function nullish<T extends z.ZodRawShape>(shape: T): Nullish<T> {
  return Object.fromEntries(
    Object.entries(shape).map(([name, schema]) => [name, (schema as z.ZodType).nullish()]),
  ) as unknown as Nullish<T>;
}

const optionalMemberFields = once(() => nullish(memberFields()));

interface Placement {
  department?: number[] | null;
  order?: number[] | null;
  is_leader_in_dept?: number[] | null;
  main_department?: number | string | null;
}

/**
 * `order` and `is_leader_in_dept` are per department: same count as `department`. Without
 * `department`, create refuses them; update lets them through, as WeCom ignores them there
 * (`requireDepartment`). A `main_department` sent with `department` must be one of them.
 */
function checkPlacement(member: Placement, context: z.RefinementCtx, requireDepartment: boolean) {
  const department = member.department ?? undefined;
  for (const field of ['order', 'is_leader_in_dept'] as const) {
    const values = member[field];
    if (values === undefined || values === null) continue;
    if (department === undefined) {
      if (requireDepartment)
        context.addIssue({ code: 'custom', path: [field], message: 'requires department' });
    } else if (values.length !== department.length) {
      context.addIssue({ code: 'custom', path: [field], message: 'must have one entry per department' });
    }
  }
  const main = member.main_department ?? undefined;
  if (main !== undefined && department !== undefined && !department.includes(Number(main))) {
    context.addIssue({ code: 'custom', path: ['main_department'], message: 'must be one of department' });
  }
}

/** Field names are strings WeCom reads too; the known ones are, unknown ones are checked here. */
function checkFieldNames(member: object, context: z.RefinementCtx) {
  for (const name of Object.keys(member)) {
    if (!isEncodable(name)) context.addIssue({ code: 'custom', path: [name], message: UNENCODABLE });
  }
}

const isBlank = (value: string | null | undefined) => value === undefined || value === null || value === '';

export const userCreate = once(() =>
  openObject({
    userid: userid(),
    ...optionalMemberFields(),
    name: memberFields().name,
    biz_mail: email(64).nullish(),
    to_invite: z.boolean().nullish(),
  })
    .superRefine((member, context) => {
      checkFieldNames(member, context);
      checkPlacement(member, context, true);
      // WeCom 60129: a member must be reachable by mobile or email.
      if (isBlank(member.mobile) && isBlank(member.email)) {
        context.addIssue({ code: 'custom', path: [], message: 'mobile or email is required' });
      }
    })
    .meta({ description: 'A WeCom member (user/create); unknown fields are passed to WeCom as they are' }),
);

export const userUpdate = once(() =>
  openObject({
    userid: userid(),
    ...optionalMemberFields(),
    new_userid: userid().nullish(),
    biz_mail: orEmpty(email(63)).nullish(),
    // `{}` (or an empty item list) clears the aliases (docs/validation.md).
    biz_mail_alias: z
      .strictObject({
        item: z.array(email(63)).max(5, { message: 'must list at most 5 aliases' }).nullish(),
      })
      .nullish(),
  })
    .superRefine((member, context) => {
      checkFieldNames(member, context);
      checkPlacement(member, context, false);
    })
    .meta({ description: 'The fields to change (user/update); omitted fields stay as they are' }),
);

export const userRef = once(() => z.strictObject({ userid: userid() }));

export const openidRef = once(() => z.strictObject({ openid: openid() }));

export const userBatchDelete = once(() =>
  z.strictObject({
    useridlist: z
      .array(userid())
      .min(1, { message: 'must list at least one userid' })
      .max(200, { message: 'must list at most 200 userids' }),
  }),
);

export const departmentListing = once(() =>
  z.strictObject({
    department_id: integerParameter(departmentId()).meta({
      description: 'Department id (1 is the root)',
      examples: [1],
    }),
    fetch_child: integerParameter(flag())
      .optional()
      .meta({ description: '1: this department and every department under it (walked by the service)' }),
  }),
);

export const invite = once(() =>
  z
    .strictObject({
      user: z.array(userid()).max(1000, { message: 'must list at most 1000 userids' }).nullish(),
      party: z.array(idOrDigits()).max(100, { message: 'must list at most 100 departments' }).nullish(),
      tag: z.array(idOrDigits()).max(100, { message: 'must list at most 100 tags' }).nullish(),
    })
    .refine(
      (lists) =>
        [lists.user, lists.party, lists.tag].some(
          (list) => list !== undefined && list !== null && list.length > 0,
        ),
      {
        message: 'at least one of user, party and tag must be non-empty',
      },
    ),
);

export const joinQrcode = once(() =>
  z.strictObject({
    size_type: integerParameter(z.literal([1, 2, 3, 4]))
      .optional()
      .meta({ description: '1: 171×171, 2: 399×399, 3: 741×741, 4: 2052×2052 pixels' }),
  }),
);

/** `user/get_active_stat`'s input for a given clock: a real date, today or up to 30 days before (Beijing). */
export function activeStatFor(clock: Clock) {
  return z.strictObject({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD', abort: true })
      .superRefine((date, context) => {
        const day = calendarDay(date);
        if (day === undefined) {
          context.addIssue({ code: 'custom', message: 'is not a calendar date' });
          return;
        }
        const today = beijingDay(clock());
        if (day > today || day < today - ACTIVE_STAT_DAYS) {
          context.addIssue({
            code: 'custom',
            message: `must be within the last ${ACTIVE_STAT_DAYS} days (Beijing date)`,
          });
        }
      })
      .meta({
        description: `A day within the last ${ACTIVE_STAT_DAYS} days (Beijing date)`,
        examples: ['2026-11-25'],
      }),
  });
}

export const activeStat = once(() => activeStatFor(Date.now));
