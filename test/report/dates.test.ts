import { describe, expect, it } from 'vitest';
import { addDays, beijingDate, datesBetween } from '#shared/beijing-dates.ts';
import { reportedDayTimestamp, reportWindow } from '#shared/report/window.ts';

describe('report dates (Beijing calendar)', () => {
  it('turns the date at 16:00 UTC, when it is midnight in Beijing', () => {
    expect(beijingDate(Date.parse('2026-03-01T15:59:59.999Z'))).toBe('2026-03-01');
    expect(beijingDate(Date.parse('2026-03-01T16:00:00Z'))).toBe('2026-03-02');
  });

  it('covers WeCom’s 30 days back, up to yesterday', () => {
    expect(reportWindow(Date.parse('2026-03-01T17:30:00Z'))).toEqual({
      first: '2026-01-31',
      last: '2026-03-01',
    });
  });

  it('steps over month ends and leap days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(datesBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(datesBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });

  it('timestamps a day at noon in Beijing, inside that date in UTC too', () => {
    const timestamp = reportedDayTimestamp('2026-03-01');
    expect(new Date(timestamp).toISOString()).toBe('2026-03-01T04:00:00.000Z');
    expect(beijingDate(timestamp)).toBe('2026-03-01');
  });
});
