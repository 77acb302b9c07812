/**
 * Tags (通讯录标签, docs/directory-admin.md): create, rename, delete, read and list them, add and
 * remove their members. A tag belongs to whoever created it: an app may change only its own tags
 * (60011); the contact-sync assistant may change any (the looser reading where the pages are silent).
 */
import type { Caller } from '../access.ts';
import { fail } from '../envelope.ts';
import {
  charLength,
  optionalId,
  optionalIdArray,
  optionalString,
  optionalStringArray,
  queryValue,
} from '../fields.ts';
import type { TagOwner, TagRecord } from '../tags.ts';
import { type CallContext, defineRoutes } from './route.ts';

/** tag/create: "长度限制为32个字以内（汉字或英文字母）". */
const MAX_TAGNAME_CHARS = 32;
/** addtagusers/deltagusers: per call (40035). */
const LIST_LIMITS = { users: 1000, parties: 100 } as const;

const ownerOf = (caller: Caller): TagOwner => (caller.kind === 'contact' ? 'contact' : caller.app.agentId);

/** 41018 absent, 40072 empty or longer than 32 characters. */
function tagName(value: unknown): string {
  const name = optionalString(value, 40072);
  if (name === undefined) fail(41018);
  if (charLength(name) < 1 || charLength(name) > MAX_TAGNAME_CHARS) fail(40072);
  return name;
}

/** The tag a call names: 41017 without an id, 40068 for an unknown one. */
function namedTag({ corp }: CallContext, value: unknown): TagRecord {
  const tagid = optionalId(value, 'tagid');
  if (tagid === undefined) fail(41017);
  const tag = corp.directory.tags.get(tagid);
  if (!tag) fail(40068);
  return tag;
}

/** A tag the caller may change (errcode list, 60011: "若标签并非该应用所创建…没有编辑该标签的权限"). */
function editableTag(call: CallContext, value: unknown): TagRecord {
  const tag = namedTag(call, value);
  if (call.caller.kind === 'app' && tag.owner !== call.caller.app.agentId) fail(60011);
  return tag;
}

/**
 * The members an addtagusers/deltagusers call names: entries the caller cannot see (or that do not
 * exist) are reported back (`invalidlist` as `a|b`, `invalidparty` as ids), not fatal; when every
 * entry is invalid the call fails with `allInvalid`.
 */
function namedMembers({ body, corp, visibility }: CallContext, allInvalid: 40070 | 40031) {
  const userlist = optionalStringArray(body.userlist, 40035) ?? [];
  const partylist = optionalIdArray(body.partylist, 40035) ?? [];
  if (userlist.length + partylist.length === 0) fail(40035);
  if (userlist.length > LIST_LIMITS.users || partylist.length > LIST_LIMITS.parties) fail(40035);
  const users = userlist.flatMap((userid) => {
    const record = corp.directory.member(userid);
    return record && visibility.seesMember(record) ? [record.member.userid] : [];
  });
  const invalidUsers = userlist.filter((userid) => !visibility.seesUserid(userid));
  const parties = partylist.filter((id) => visibility.seesDepartment(id));
  const invalidParties = partylist.filter((id) => !visibility.seesDepartment(id));
  if (users.length + parties.length === 0) fail(allInvalid);
  const invalid = {
    ...(invalidUsers.length > 0 && { invalidlist: invalidUsers.join('|') }),
    ...(invalidParties.length > 0 && { invalidparty: invalidParties }),
  };
  return { users, parties, invalid };
}

export const tagRoutes = defineRoutes({
  'tag/create': {
    method: 'POST',
    access: 'any',
    success: 'created',
    handle: ({ body, caller, corp }) => {
      const tagname = tagName(body.tagname);
      const tagid = optionalId(body.tagid, 'tagid');
      if (corp.directory.tags.byName(tagname)) fail(40071);
      // An id already in use: the pages give no errcode; the sandbox answers 40068.
      if (tagid !== undefined && (tagid < 0 || corp.directory.tags.get(tagid))) fail(40068);
      return { tagid: corp.directory.tags.create(tagname, ownerOf(caller), tagid).tagid };
    },
  },
  'tag/update': {
    method: 'POST',
    access: 'any',
    success: 'updated',
    handle: (call) => {
      const tag = editableTag(call, call.body.tagid);
      const tagname = tagName(call.body.tagname);
      const other = call.corp.directory.tags.byName(tagname);
      if (other && other.tagid !== tag.tagid) fail(40071);
      tag.tagname = tagname;
      return {};
    },
  },
  'tag/delete': {
    method: 'GET',
    access: 'any',
    success: 'deleted',
    handle: (call) => {
      call.corp.directory.tags.delete(editableTag(call, queryValue(call.query, 'tagid')).tagid);
      return {};
    },
  },
  'tag/get': {
    method: 'GET',
    access: 'any',
    handle: (call) => {
      const tag = namedTag(call, queryValue(call.query, 'tagid'));
      const { directory } = call.corp;
      // Only the members and departments the caller can see (tag/get: "仅包含应用可见范围的成员").
      const userlist = [...tag.users.values()].flatMap((userid) => {
        const record = directory.member(userid);
        return record && call.visibility.seesMember(record)
          ? [{ userid: record.member.userid, name: record.member.name ?? '' }]
          : [];
      });
      const partylist = [...tag.parties].filter((id) => call.visibility.seesDepartment(id));
      return { tagname: tag.tagname, userlist, partylist };
    },
  },
  'tag/list': {
    method: 'GET',
    access: 'any',
    handle: ({ corp }) => ({
      taglist: corp.directory.tags.list().map(({ tagid, tagname }) => ({ tagid, tagname })),
    }),
  },
  'tag/addtagusers': {
    method: 'POST',
    access: 'any',
    handle: (call) => {
      const tag = editableTag(call, call.body.tagid);
      const { users, parties, invalid } = namedMembers(call, 40070);
      for (const userid of users) tag.users.set(userid.toLowerCase(), userid);
      for (const id of parties) tag.parties.add(id);
      return invalid;
    },
  },
  'tag/deltagusers': {
    method: 'POST',
    access: 'any',
    success: 'deleted',
    handle: (call) => {
      const tag = editableTag(call, call.body.tagid);
      const { users, parties, invalid } = namedMembers(call, 40031);
      for (const userid of users) tag.users.delete(userid.toLowerCase());
      for (const id of parties) tag.parties.delete(id);
      return invalid;
    },
  },
});
