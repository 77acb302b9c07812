/**
 * Which days a report run covers, from its invocation event. Every rule is checked here, before
 * anything is sent to WeCom: a date outside WeCom's window would only come back as an error.
 */
import * as z from 'zod';
import { addDays, datesBetween } from '../beijing-dates.ts';
import { ValidationError, type ValidationIssue } from '../errors.ts';
import { activeStatFor } from '../schemas.ts';
import { reportWindow } from './window.ts';

/**
 * EventBridge Scheduler passes its `input` as the event itself (nothing at all when none is set); an
 * EventBridge rule wraps it in `detail`.
 */
function unwrap(event: unknown): unknown {
  if (event === undefined || event === null) return {};
  if (typeof event === 'object' && 'detail-type' in event && 'detail' in event) return event.detail ?? {};
  return event;
}

/**
 * The dates (Beijing calendar, `YYYY-MM-DD`, ascending) a run reports at the instant `now`:
 * `{}` → yesterday; `{date}` → that day; `{from, to}` → every day from `from` to `to`, both included.
 * Throws a ValidationError that lists every broken rule.
 */
export function resolveReportDates(event: unknown, now: number): string[] {
  const window = reportWindow(now);
  // The endpoint's own date rule (format, calendar, WeCom's 30-day window), evaluated at `now`.
  const today = addDays(window.last, 1);
  const date = activeStatFor(() => now).shape.date.refine((value) => value !== today, {
    message: 'is today, whose count is still growing: a report covers complete days only',
  });
  const input = z.strictObject({ date: date.optional(), from: date.optional(), to: date.optional() });

  const parsed = input.safeParse(unwrap(event));
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
      window,
    );
  }
  const { date: day, from, to } = parsed.data;
  if (day !== undefined) {
    if (from === undefined && to === undefined) return [day];
    throw invalid([{ path: '', message: 'give either date, or from and to, not both' }], window);
  }
  if (from === undefined && to === undefined) return [window.last];
  if (from === undefined || to === undefined) {
    const path = from === undefined ? 'from' : 'to';
    throw invalid([{ path, message: 'a back-fill needs both from and to' }], window);
  }
  if (from > to) throw invalid([{ path: 'to', message: `must not be before from (${from})` }], window);
  // Both ends lie inside WeCom's window, which bounds a back-fill to 30 days.
  return datesBetween(from, to);
}

function invalid(issues: ValidationIssue[], window: { first: string; last: string }): ValidationError {
  const details = issues.map(({ path, message }) => (path ? `${path} ${message}` : message)).join('; ');
  return new ValidationError(
    `Invalid report input (days that can be reported: ${window.first} to ${window.last}): ${details}`,
    issues,
  );
}
