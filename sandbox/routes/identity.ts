/** openid conversions and second-factor success: docs/wecom.md §10–§12. */
import { createHash } from 'node:crypto';
import { fail, invalidParameter } from '../envelope.ts';
import { optionalString } from '../fields.ts';
import { defineRoutes } from './route.ts';
import { visibleMember } from './users.ts';

/**
 * A member's openid: stable, and derived from corp and userid alone, so the same member gets the same
 * openid in every sandbox run. 28 characters starting with `o`, like the real ones.
 */
export function openidOf(corpId: string, userid: string): string {
  const digest = createHash('sha256').update(`${corpId}:${userid.toLowerCase()}`).digest('base64url');
  return `o${digest.slice(0, 27)}`;
}

export const identityRoutes = defineRoutes({
  'user/convert_to_openid': {
    method: 'POST',
    access: 'any',
    handle: (call) => {
      const record = visibleMember(call, call.body.userid);
      // §10: only members who logged in with WeChat (or follow 微信插件) have an openid.
      if (!record.bound) fail(43004);
      return { openid: openidOf(call.corp.corpId, record.member.userid) };
    },
  },
  'user/convert_to_userid': {
    method: 'POST',
    access: 'any',
    handle: ({ body, corp, visibility }) => {
      const openid = optionalString(body.openid, 40073);
      if (openid === undefined || openid === '') invalidParameter('openid missing');
      const record = corp.directory
        .members()
        .find((candidate) => candidate.bound && openidOf(corp.corpId, candidate.member.userid) === openid);
      if (!record) fail(40073);
      if (!visibility.seesMember(record)) fail(60011);
      return { userid: record.member.userid };
    },
  },
  'user/authsucc': {
    method: 'GET',
    access: 'any',
    handle: (call) => {
      const record = visibleMember(call, call.query.get('userid'));
      // The member passed the corp's second verification and joins: not activated → activated.
      if (record.member.status === 4) call.corp.directory.setStatus(record, 1);
      return {};
    },
  },
});
