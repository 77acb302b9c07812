/**
 * The WeCom group-robot message. It is read in WeCom by the company's staff, so it speaks Chinese;
 * logs and metrics, read by operators, stay in English. Group-robot markdown is a small subset
 * (headings, bold, quotes, `<font color>`), and the content is limited to 4096 bytes of UTF-8.
 */
import type { Comparison, DayFigures } from './figures.ts';

export const GROUP_ROBOT_MARKDOWN_MAX_BYTES = 4096;

/** `+5（+4.2%）`, `-3（-2.3%）`, `0（0.0%）`; `—` when there is nothing to compare with. */
export function formatChange(comparison: Comparison | undefined): string {
  if (!comparison) return '—';
  const signed = (value: number, text: string) => (value > 0 ? `+${text}` : text);
  const change = signed(comparison.change, String(comparison.change));
  if (comparison.activeMembers === 0) return change;
  const percent = (comparison.change / comparison.activeMembers) * 100;
  return `${change}（${signed(percent, percent.toFixed(1))}%）`;
}

/**
 * One message per run: a single day gets a short card, a back-fill one line per day (30 such lines
 * stay well under the size limit).
 */
export function formatReportMessage(days: readonly DayFigures[]): string {
  const [first] = days;
  const last = days.at(-1);
  if (!first || !last) throw new RangeError('A report message needs at least one day');
  if (days.length === 1) {
    return [
      `### 活跃成员日报 ${first.date}`,
      `> 活跃成员：<font color="info">**${first.activeMembers}**</font> 人`,
      `> 较前一日：${formatChange(first.previousDay)}`,
      `> 较 7 天前：${formatChange(first.sevenDaysBefore)}`,
    ].join('\n');
  }
  return [
    `### 活跃成员 ${first.date} 至 ${last.date}`,
    ...days.map(
      (day) =>
        `> ${day.date}：**${day.activeMembers}** 人，较前一日 ${formatChange(day.previousDay)}，` +
        `较 7 天前 ${formatChange(day.sevenDaysBefore)}`,
    ),
  ].join('\n');
}
