/**
 * Calendar arithmetic for the report, on WeCom's calendar: Beijing time (Asia/Shanghai). China has had
 * no daylight saving time since 1991, so a fixed UTC+8 offset is exact and needs no time-zone database.
 * Dates are `YYYY-MM-DD` strings, which sort and compare correctly as plain strings.
 */

import { ACTIVE_STAT_DAYS, beijingDay } from '../schemas.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

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
