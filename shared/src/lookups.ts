/**
 * The lookup budget (docs/userid-lookups.md): when user/getuserid or user/get_userid_by_email err on
 * more than 20 % of the corp's seats in a day, WeCom blocks the API until the end of that day. The
 * lookups count their misses, so that an alarm can warn before the block (cdk/constructs/lookup-budget.ts).
 */
import type { Behaviour } from './define-operation.ts';
import { WeComError } from './errors.ts';
import { METRICS } from './metric-names.ts';
import type { WeComApi, WeComRequest } from './wecom/apis.ts';

export type LookupApi = Extract<WeComApi, 'user/getuserid' | 'user/get_userid_by_email'>;

/**
 * Errcodes about the value looked up, each an error in WeCom's count: not found or outside the app's
 * visibility (46004), no privilege on the member (60011), malformed mobile or e-mail (60103, 60105),
 * invalid parameter (40058). Rate limits, WeCom busy and credential problems are not misses.
 */
export const MISS_ERRCODES: ReadonlySet<number> = new Set([46004, 60011, 60103, 60105, 40058]);

export const isLookupMiss = (error: unknown): boolean =>
  error instanceof WeComError && MISS_ERRCODES.has(error.errcode);

/** One call of `api`, counting a miss before the error goes on to the caller. */
export function countingMisses<A extends LookupApi>(api: A): Behaviour<A, WeComRequest<A>> {
  return {
    description: `A miss (not found, malformed) counts toward WeCom's daily error budget of lookups: metric \`${METRICS.lookupMisses}\`.`,
    perform: async (input, { call, count }) => {
      try {
        return await call(api, input);
      } catch (error) {
        if (isLookupMiss(error)) count(METRICS.lookupMisses);
        throw error;
      }
    },
  };
}
