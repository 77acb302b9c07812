/**
 * What the doctor answers: one result per check, each `ok` or `fix` (with the exact command or console
 * step) or `skipped` (a check that depends on one that failed). Never a secret, a token or member data.
 */

export type CheckStatus = 'ok' | 'fix' | 'skipped';

export interface CheckResult {
  /** e.g. `corp-id`, `secret:contact`, `token:app`, `read:app`, `dead-letters:user-create`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** With `fix`: what to do, as a command where one exists. */
  readonly fix?: string;
}

export interface DoctorReport {
  /** No check needs a fix. */
  readonly ok: boolean;
  /** The stage's SSM prefix, e.g. `/wecom-contact/dev`. */
  readonly prefix: string;
  readonly checks: readonly CheckResult[];
}

export const ok = (check: string, detail: string): CheckResult => ({ check, status: 'ok', detail });

export const needsFix = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  status: 'fix',
  detail,
  fix,
});

export const skipped = (check: string, detail: string): CheckResult => ({ check, status: 'skipped', detail });

export function doctorReport(prefix: string, checks: readonly CheckResult[]): DoctorReport {
  return { ok: checks.every(({ status }) => status !== 'fix'), prefix, checks };
}

const MARKS: Record<CheckStatus, string> = { ok: 'ok  ', fix: 'FIX ', skipped: 'skip' };

/** The report as a terminal shows it: one line per check, each fix indented under it. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map(({ check }) => check.length));
  const lines = report.checks.flatMap(({ check, status, detail, fix }) => [
    `${MARKS[status]}  ${check.padEnd(width)}  ${detail}`,
    ...(fix === undefined ? [] : fix.split('\n').map((line) => `${' '.repeat(width + 8)}${line}`)),
  ]);
  const verdict = report.ok
    ? `All ${report.checks.length} checks passed for ${report.prefix}.`
    : `${report.checks.filter(({ status }) => status === 'fix').length} check(s) of ${report.prefix} need a fix (above).`;
  return [...lines, '', verdict].join('\n');
}
