/**
 * The report's calendar: which days a run may cover and the instant each day's figure is recorded at
 * (the arithmetic is beijing-dates.ts).
 */
import { addDays, beijingDate } from '../beijing-dates.ts';
import { ACTIVE_STAT_DAYS } from '../schemas.ts';

/**
 * The days a report can cover at an instant: WeCom's window (schemas.ts: 30 days back) up to
 * yesterday. Today is left out on purpose: its count is still growing, and a figure published for it
 * would sit next to tomorrow's final one at the same metric timestamp.
 */
export function reportWindow(now: number): { first: string; last: string } {
  const today = beijingDate(now);
  return { first: addDays(today, -ACTIVE_STAT_DAYS), last: addDays(today, -1) };
}

/**
 * The instant a day's figure is recorded at: noon in Beijing (04:00 UTC), which lies inside that date
 * in UTC as well as in Beijing time, so a one-day graph period shows it on the right day whichever
 * time zone the dashboard uses (Beijing midnight would fall on the previous UTC day).
 */
export function reportedDayTimestamp(date: string): number {
  return Date.parse(`${date}T12:00:00+08:00`);
}
