/**
 * The lookups' daily error budget (docs/userid-lookups.md §2): when
 * user/getuserid or user/get_userid_by_email err more often in a day than 20 % of the corp's seat cap,
 * WeCom blocks that API for the rest of the day. Days are Beijing days; each API counts its own errors
 * (the sandbox's reading: each API's page states the rule for itself).
 */
import type { SandboxApi } from './types.ts';

const DAY_MS = 86_400_000;
/** WeCom's days are Beijing days (UTC+8, no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 3_600_000;
/** The share of the seat cap a day's errors may reach before the block. */
export const LOOKUP_ERROR_SHARE = 0.2;

export class LookupBudget {
  #day = Number.NaN;
  readonly #errors = new Map<SandboxApi, number>();

  constructor(
    private readonly clock: () => number,
    private readonly seats: () => number,
  ) {}

  /** Whether the API is blocked for the rest of today. */
  blocked(api: SandboxApi): boolean {
    return this.#errorsToday(api) > this.seats() * LOOKUP_ERROR_SHARE;
  }

  recordError(api: SandboxApi): void {
    this.#errors.set(api, this.#errorsToday(api) + 1);
  }

  #errorsToday(api: SandboxApi): number {
    const today = Math.floor((this.clock() + BEIJING_OFFSET_MS) / DAY_MS);
    if (today !== this.#day) {
      this.#day = today;
      this.#errors.clear();
    }
    return this.#errors.get(api) ?? 0;
  }
}
