/**
 * How members look in answers (docs/wecom.md §4, §8, §9): the field set of user/get and user/list,
 * departments limited to what the caller can see, and the 2022-06-20 sensitive fields left out for
 * restricted apps (omitted rather than emptied; §1 leaves that UNVERIFIED).
 */
import type { Member, SimpleMember } from '../shared/src/wecom/apis.ts';
import type { Caller, Visibility } from './access.ts';
import type { MemberRecord } from './directory.ts';

/** §1 (the 2022-06-20 restriction); `thumb_avatar` is the avatar too, so it goes with it. */
const SENSITIVE_FIELDS = [
  'avatar',
  'thumb_avatar',
  'gender',
  'mobile',
  'email',
  'biz_mail',
  'qr_code',
  'address',
];

/** The department lists, kept aligned, reduced to the departments the caller can see. */
function visiblePlacement(member: Member, visibility: Visibility) {
  const departments = member.department ?? [];
  const kept = departments.flatMap((id, index) => (visibility.seesDepartment(id) ? [index] : []));
  const pick = (list: number[] | undefined) => kept.map((index) => list?.[index] ?? 0);
  return {
    department: kept.map((index) => departments[index] ?? 0),
    order: pick(member.order),
    is_leader_in_dept: pick(member.is_leader_in_dept),
  };
}

/** WeCom answers an unset text field as `""`. */
const text = (value: string | undefined) => value ?? '';

export function memberView(record: MemberRecord, caller: Caller, visibility: Visibility): Member {
  const m = record.member;
  const placement = visiblePlacement(m, visibility);
  const view: Member = {
    userid: m.userid,
    name: text(m.name),
    department: placement.department,
    order: placement.order,
    position: text(m.position),
    mobile: text(m.mobile),
    gender: m.gender ?? '0',
    email: text(m.email),
    ...(m.biz_mail ? { biz_mail: m.biz_mail } : {}),
    is_leader_in_dept: placement.is_leader_in_dept,
    direct_leader: (m.direct_leader ?? []).filter((leader) => visibility.seesUserid(leader)),
    avatar: text(m.avatar),
    thumb_avatar: text(m.thumb_avatar),
    telephone: text(m.telephone),
    alias: text(m.alias),
    address: text(m.address),
    ...(m.main_department !== undefined && visibility.seesDepartment(m.main_department)
      ? { main_department: m.main_department }
      : {}),
    extattr: m.extattr ?? { attrs: [] },
    status: m.status,
    qr_code: text(m.qr_code),
    external_position: text(m.external_position),
    ...(m.external_profile ? { external_profile: m.external_profile } : {}),
    enable: m.enable ?? 1,
  };
  if (caller.kind === 'app' && caller.app.restricted) {
    for (const field of SENSITIVE_FIELDS) delete view[field];
  }
  return view;
}

export function simpleView(record: MemberRecord, visibility: Visibility): SimpleMember {
  const { userid, name = '' } = record.member;
  return { userid, name, department: visiblePlacement(record.member, visibility).department };
}
