/** Member management and listing: docs/wecom.md §3–§9. */
import type { MemberRecord } from '../directory.ts';
import { fail, invalidParameter } from '../envelope.ts';
import { optionalStringArray, queryInteger, queryValue } from '../fields.ts';
import { commitCreate, planCreate, planUpdate, requireUserid } from '../member-rules.ts';
import { memberView, simpleView } from '../views.ts';
import { type CallContext, defineRoutes } from './route.ts';

/** batchdelete's limit (§7: 40032). */
const MAX_BATCH_DELETE = 200;

/** The member a call names, if the caller may see it: 60111 unknown, 60011 outside the app's scope. */
export function visibleMember(call: CallContext, userid: unknown): MemberRecord {
  const record = call.corp.directory.member(requireUserid(userid));
  if (!record) fail(60111);
  if (!call.visibility.seesMember(record)) fail(60011);
  return record;
}

/** The members of `department_id` (and, with the legacy `fetch_child=1`, of its sub-departments). */
function listedMembers({ query, corp, visibility }: CallContext): MemberRecord[] {
  const departmentId = queryInteger(query, 'department_id');
  if (departmentId === undefined) invalidParameter('department_id missing');
  if (!corp.directory.department(departmentId)) fail(60123);
  if (!visibility.seesDepartment(departmentId)) fail(60011);
  const departments =
    queryValue(query, 'fetch_child') === '1' ? corp.directory.subtree(departmentId) : [departmentId];
  const members = new Map<string, MemberRecord>();
  for (const id of departments.filter((department) => visibility.seesDepartment(department))) {
    // A member in several of these departments is listed once.
    for (const record of corp.directory.membersIn(id))
      members.set(record.member.userid.toLowerCase(), record);
  }
  return [...members.values()];
}

/**
 * The creator, or an unknown userid, fails the whole call (§6, §7): `unknown` is the errcode WeCom
 * gives for the latter, 60111 for user/delete, 40031 for user/batchdelete (WeCom's errcode list:
 * "不合法的UserID列表 — every userid spelt right and inside the app's visible range").
 */
function assertDeletable(call: CallContext, userids: string[], unknown: 60111 | 40031): void {
  for (const userid of userids) {
    const record = call.corp.directory.member(requireUserid(userid));
    if (!record || !call.visibility.seesMember(record)) fail(unknown);
    const creator = call.corp.directory.creator;
    if (creator !== undefined && creator.toLowerCase() === userid.toLowerCase()) fail(301005);
  }
}

export const userRoutes = defineRoutes({
  'user/create': {
    method: 'POST',
    access: 'contact',
    success: 'created',
    handle: ({ body, corp }) => {
      const created = commitCreate(planCreate(body, corp.directory), corp.directory);
      return created.length > 0 ? { created_department_list: { department_info: created } } : {};
    },
  },
  'user/get': {
    method: 'GET',
    access: 'any',
    errorFields: { department: [], order: [], is_leader_in_dept: [], direct_leader: [] },
    handle: (call) => memberView(visibleMember(call, call.query.get('userid')), call.caller, call.visibility),
  },
  'user/update': {
    method: 'POST',
    access: 'contact',
    success: 'updated',
    handle: (call) => {
      const record = visibleMember(call, call.body.userid);
      record.member = planUpdate(call.body, record, call.corp.directory);
      return {};
    },
  },
  'user/delete': {
    method: 'GET',
    access: 'contact',
    success: 'deleted',
    handle: (call) => {
      const userid = requireUserid(call.query.get('userid'));
      assertDeletable(call, [userid], 60111);
      call.corp.directory.remove(userid);
      return {};
    },
  },
  'user/batchdelete': {
    method: 'POST',
    access: 'contact',
    success: 'deleted',
    handle: (call) => {
      const userids = optionalStringArray(call.body.useridlist, 40031);
      if (userids === undefined || userids.length === 0) fail(40031);
      if (userids.length > MAX_BATCH_DELETE) fail(40032);
      assertDeletable(call, userids, 40031);
      for (const userid of userids) call.corp.directory.remove(userid);
      return {};
    },
  },
  'user/simplelist': {
    method: 'GET',
    access: 'any',
    handle: (call) => {
      return { userlist: listedMembers(call).map((record) => simpleView(record, call.visibility)) };
    },
  },
  'user/list': {
    method: 'GET',
    access: 'any',
    handle: (call) => {
      return {
        userlist: listedMembers(call).map((record) => memberView(record, call.caller, call.visibility)),
      };
    },
  },
});
