/**
 * Calendar arithmetic on WeCom's calendar, for the report, the active-stat input and the daily blocks:
 * Beijing time (Asia/Shanghai). China has had no daylight saving time since 1991, so a fixed UTC+8
 * offset is exact and needs no time-zone database.
 * Dates are `YYYY-MM-DD` strings, which sort and compare correctly as plain strings.
 */

const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** Today's Beijing date as days since the epoch. */
export const beijingDay = (now: number) => Math.floor((now + BEIJING_OFFSET_MS) / DAY_MS);

/** Days since the epoch of a `YYYY-MM-DD` calendar date, or undefined if there is no such date. */
export function calendarDay(date: string): number | undefined {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const time = Date.UTC(year, month - 1, day);
  const valid = new Date(time).getUTCMonth() === month - 1 && new Date(time).getUTCDate() === day;
  return valid ? time / DAY_MS : undefined;
}

/** WeCom's daily blocks last until the end of its day: seconds to the next midnight in Beijing. */
export const secondsToBeijingMidnight = (now: number) => {
  const untilMidnight = DAY_MS - ((((now + BEIJING_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS);
  return Math.ceil(untilMidnight / 1000);
};

/** The calendar date in Beijing at an instant. */
export function beijingDate(epochMs: number): string {
  return new Date(beijingDay(epochMs) * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Every date from `from` to `to`, both included, in order. */
export function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) dates.push(date);
  return dates;
}
