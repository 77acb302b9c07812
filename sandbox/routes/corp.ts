/** Invitations, the join QR code and active-member statistics: docs/wecom.md §13–§15. */
import { createHash } from 'node:crypto';
import { fail, invalidParameter } from '../envelope.ts';
import { optionalIdArray, optionalString, optionalStringArray, queryInteger } from '../fields.ts';
import { defineRoutes } from './route.ts';

/** §13 limits per list. */
const INVITE_LIMITS = { user: 1000, party: 100, tag: 100 } as const;
/** §14: 1 = 171×171 … 4 = 2052×2052; 3 when absent. */
const QR_SIZES = [1, 2, 3, 4];
const DEFAULT_QR_SIZE = 3;
/** §15: a single day, at most 30 days back. */
const ACTIVE_STAT_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;
/** WeCom's days are Beijing days (UTC+8, no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 3_600_000;

const digestNumber = (text: string) => createHash('sha256').update(text).digest().readUInt32BE(0);

/** Days since the epoch of a `YYYY-MM-DD` calendar date, or undefined when it is not one. */
function dayNumber(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const time = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== date) return undefined;
  return time / DAY_MS;
}

export const corpRoutes = defineRoutes({
  'batch/invite': {
    method: 'POST',
    access: 'any',
    handle: ({ body, corp, visibility }) => {
      const user = optionalStringArray(body.user, 40035) ?? [];
      const party = optionalIdArray(body.party, 40035) ?? [];
      const tag = optionalIdArray(body.tag, 40035) ?? [];
      if (
        user.length > INVITE_LIMITS.user ||
        party.length > INVITE_LIMITS.party ||
        tag.length > INVITE_LIMITS.tag
      ) {
        fail(40035);
      }
      // §13: at least one list; the errcode for none is UNVERIFIED, the sandbox uses 40035 (args size).
      if (user.length + party.length + tag.length === 0) fail(40035);
      // Entries the caller cannot see (or that do not exist) are reported, not fatal.
      const invalid = {
        invaliduser: user.filter((userid) => !visibility.seesUserid(userid)),
        invalidparty: party.filter((id) => !visibility.seesDepartment(id)),
        invalidtag: tag.filter((id) => !corp.directory.tags.get(id)),
      };
      return Object.fromEntries(Object.entries(invalid).filter(([, list]) => list.length > 0));
    },
  },
  'corp/get_join_qrcode': {
    method: 'GET',
    access: 'contact',
    handle: ({ query, corp }) => {
      const size = queryInteger(query, 'size_type') ?? DEFAULT_QR_SIZE;
      if (!QR_SIZES.includes(size)) invalidParameter('size_type exceed range');
      // The link lasts 7 days (§14): the code changes with each 7-day period.
      const period = Math.floor(corp.clock() / (7 * DAY_MS));
      const vcode = createHash('sha256').update(`${corp.corpId}:${period}`).digest('hex').slice(0, 32);
      return {
        join_qrcode: `https://work.weixin.qq.com/wework_admin/genqrcode?action=join&vcode=${vcode}&r=hb_share_api_mjoin&qr_size=${size}`,
      };
    },
  },
  'user/get_active_stat': {
    method: 'POST',
    access: 'contact',
    handle: ({ body, corp }) => {
      const date = optionalString(body.date, 40058);
      if (date === undefined) invalidParameter('date missing');
      const day = dayNumber(date);
      if (day === undefined) invalidParameter('date format must be YYYY-MM-DD');
      const today = Math.floor((corp.clock() + BEIJING_OFFSET_MS) / DAY_MS);
      // §15 leaves the out-of-window errcode UNVERIFIED: the sandbox answers 40058.
      if (day > today || day < today - ACTIVE_STAT_WINDOW_DAYS) invalidParameter('date out of range');
      // Deterministic: between about two thirds and all of today's activated members, varying by date.
      const activated = corp.directory.members().filter((record) => record.member.status === 1).length;
      const absent = digestNumber(`${corp.corpId}:${date}`) % (Math.floor(activated / 3) + 1);
      return { active_cnt: activated - absent };
    },
  },
});
