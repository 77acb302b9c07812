/**
 * Reconcilers: after an ambiguous failure (the first attempt may have reached WeCom) a call that is
 * not idempotent is re-sent only if it has a reconciler here, which checks the directory and turns the
 * answer a re-send gets when the first attempt took effect into the success it stands for (the retry
 * loop is retry.ts):
 *  - user/create: userids are unique, so a duplicate create only answers 60102. 60102 after an
 *    ambiguous attempt → user/get; the same member (name and contact fields as sent) → `created`,
 *    anyone else → the 60102 stands.
 *  - user/batchdelete (all or nothing): 60111/40031 after an ambiguous attempt → user/get each id;
 *    all gone → `deleted`.
 *  - user/delete: 60111 after an ambiguous attempt → the member is gone → `deleted`.
 *  - user/update with new_userid: 60111 after an ambiguous attempt and the new userid exists → `updated`.
 * A reconciled answer carries errcode 0 and WeCom's success errmsg but not the optional fields of the
 * lost answer (e.g. user/create's created_department_list).
 */
import { WeComError } from '../errors.ts';
import { logger } from '../observability.ts';
import { assertTextFields } from './answer-shape.ts';
import type { Member, WeComApi, WeComRequest, WeComResponse } from './apis.ts';

/** One attempt of a call, token handling included; reconcilers use it for their look-ups too. */
export type Attempt = <B extends WeComApi>(api: B, request: WeComRequest<B>) => Promise<WeComResponse<B>>;

type Reconciler<A extends WeComApi> = (
  request: WeComRequest<A>,
  error: WeComError,
  attempt: Attempt,
) => Promise<WeComResponse<A> | undefined>;

const USERID_EXISTS = 60102;
const USERID_NOT_FOUND = 60111;
const INVALID_USERID_LIST = 40031;

const RECONCILERS: { readonly [A in WeComApi]?: Reconciler<A> } = {
  'user/create': async (request, error, attempt) => {
    if (error.errcode !== USERID_EXISTS) return undefined;
    const member = await findMember(attempt, request.userid);
    return member !== undefined && isSameMember(request, member)
      ? { errcode: 0, errmsg: 'created' }
      : undefined;
  },
  'user/update': async (request, error, attempt) => {
    if (error.errcode !== USERID_NOT_FOUND || typeof request.new_userid !== 'string') return undefined;
    const renamed = await findMember(attempt, request.new_userid);
    return renamed === undefined ? undefined : { errcode: 0, errmsg: 'updated' };
  },
  'user/delete': async (_request, error) =>
    error.errcode === USERID_NOT_FOUND ? { errcode: 0, errmsg: 'deleted' } : undefined,
  'user/batchdelete': async (request, error, attempt) => {
    if (error.errcode !== USERID_NOT_FOUND && error.errcode !== INVALID_USERID_LIST) return undefined;
    return (await allAbsent(attempt, request.useridlist)) ? { errcode: 0, errmsg: 'deleted' } : undefined;
  },
};

/** The calls that have a reconciler. */
export const RECONCILED_APIS: ReadonlySet<WeComApi> = new Set(Object.keys(RECONCILERS) as WeComApi[]);

export async function reconcile<A extends WeComApi>(
  api: A,
  request: WeComRequest<A>,
  error: WeComError,
  attempt: Attempt,
): Promise<WeComResponse<A> | undefined> {
  const reconciler = RECONCILERS[api] as Reconciler<A> | undefined;
  const answer = await reconciler?.(request, error, attempt);
  if (answer !== undefined) {
    logger.info('Ambiguous WeCom call resolved as applied', { api, errcode: error.errcode });
  }
  return answer;
}

/** The member, or `undefined` when WeCom says it does not exist (other failures propagate). */
async function findMember(attempt: Attempt, userid: string): Promise<Member | undefined> {
  try {
    return await attempt('user/get', { userid });
  } catch (error) {
    if (error instanceof WeComError && error.errcode === USERID_NOT_FOUND) return undefined;
    throw error;
  }
}

const LOOKUP_CONCURRENCY = 10;

async function allAbsent(attempt: Attempt, userids: readonly string[]): Promise<boolean> {
  for (let start = 0; start < userids.length; start += LOOKUP_CONCURRENCY) {
    const batch = userids.slice(start, start + LOOKUP_CONCURRENCY);
    const found = await Promise.all(batch.map((userid) => findMember(attempt, userid)));
    if (found.some((member) => member !== undefined)) return false;
  }
  return true;
}

/** Fields compared as sent; a field WeCom does not show (restricted apps) is not compared. */
const EXACT_FIELDS = ['name', 'alias', 'position', 'gender', 'telephone', 'external_position'] as const;

/** Whether the member WeCom holds is the one this create asked for. */
export function isSameMember(sent: Member<number | string>, held: Member): boolean {
  assertTextFields('user/get', held, [...EXACT_FIELDS, 'email', 'biz_mail', 'mobile']);
  for (const field of EXACT_FIELDS) {
    // String(): gender may be sent as a number (0, 1, 2); WeCom answers a string.
    if (sent[field] != null && held[field] !== undefined && String(sent[field]) !== held[field]) return false;
  }
  if (differs(sent.email, held.email, (value) => value.toLowerCase())) return false;
  if (differs(sent.biz_mail, held.biz_mail, (value) => value.toLowerCase())) return false;
  // WeCom may store "+86 13800000000" as "13800000000": compare the digits, allowing a country prefix.
  const digits = (value: string) => value.replace(/\D/g, '');
  if (typeof sent.mobile === 'string' && held.mobile !== undefined && held.mobile !== '') {
    const [a, b] = [digits(sent.mobile), digits(held.mobile)];
    if (!a.endsWith(b) && !b.endsWith(a)) return false;
  }
  return true;
}

function differs(sent: string | undefined, held: string | undefined, normalise: (value: string) => string) {
  return typeof sent === 'string' && held !== undefined && held !== '' && normalise(sent) !== normalise(held);
}
