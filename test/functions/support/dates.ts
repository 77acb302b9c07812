/** Yesterday's Beijing date (YYYY-MM-DD): always inside WeCom's active-stat window. */
export function beijingYesterday(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
}
