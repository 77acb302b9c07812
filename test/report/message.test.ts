import { describe, expect, it } from 'vitest';
import { addDays, datesBetween } from '#shared/beijing-dates.ts';
import type { DayFigures } from '#shared/report/figures.ts';
import { formatChange, formatReportMessage, GROUP_ROBOT_MARKDOWN_MAX_BYTES } from '#shared/report/message.ts';

const day: DayFigures = {
  date: '2026-03-01',
  activeMembers: 128,
  previousDay: { date: '2026-02-28', activeMembers: 123, change: 5 },
  sevenDaysBefore: { date: '2026-02-22', activeMembers: 131, change: -3 },
};

describe('the group-robot message', () => {
  it('states a change with its sign and its percentage of the earlier day', () => {
    expect(formatChange({ date: '2026-02-28', activeMembers: 123, change: 5 })).toBe('+5（+4.1%）');
    expect(formatChange({ date: '2026-02-28', activeMembers: 131, change: -3 })).toBe('-3（-2.3%）');
    expect(formatChange({ date: '2026-02-28', activeMembers: 40, change: 0 })).toBe('0（0.0%）');
    expect(formatChange({ date: '2026-02-28', activeMembers: 0, change: 7 })).toBe('+7');
    expect(formatChange(undefined)).toBe('—');
  });

  it('gives a single day its count and both changes', () => {
    expect(formatReportMessage([day])).toBe(
      [
        '### 活跃成员日报 2026-03-01',
        '> 活跃成员：<font color="info">**128**</font> 人',
        '> 较前一日：+5（+4.1%）',
        '> 较 7 天前：-3（-2.3%）',
      ].join('\n'),
    );
  });

  it('says so when a comparison day is not available', () => {
    const message = formatReportMessage([{ date: '2026-01-31', activeMembers: 90 }]);
    expect(message).toContain('> 较前一日：—');
    expect(message).toContain('> 较 7 天前：—');
  });

  it('gives a back-fill one line per day', () => {
    const second: DayFigures = {
      date: '2026-03-02',
      activeMembers: 120,
      previousDay: { ...day, change: -8 },
    };
    expect(formatReportMessage([day, second]).split('\n')).toEqual([
      '### 活跃成员 2026-03-01 至 2026-03-02',
      '> 2026-03-01：**128** 人，较前一日 +5（+4.1%），较 7 天前 -3（-2.3%）',
      '> 2026-03-02：**120** 人，较前一日 -8（-6.3%），较 7 天前 —',
    ]);
  });

  it('keeps the longest back-fill within the group robot’s size limit', () => {
    const large = (date: string, activeMembers: number) => ({ date, activeMembers, change: -9_999_999 });
    const days = datesBetween('2026-01-31', '2026-03-01').map((date) => ({
      date,
      activeMembers: 9_999_999,
      previousDay: large(addDays(date, -1), 19_999_998),
      sevenDaysBefore: large(addDays(date, -7), 19_999_998),
    }));
    expect(Buffer.byteLength(formatReportMessage(days))).toBeLessThanOrEqual(GROUP_ROBOT_MARKDOWN_MAX_BYTES);
  });
});
