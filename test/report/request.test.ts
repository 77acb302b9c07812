import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.ts';
import { resolveReportDates } from '#shared/report/request.ts';

/** 2026-03-02 01:30 in Beijing: yesterday is 2026-03-01, the window starts on 2026-01-31. */
const NOW = Date.parse('2026-03-01T17:30:00Z');

function refusal(event: unknown): ValidationError {
  try {
    resolveReportDates(event, NOW);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('which days a report run covers', () => {
  it.each([undefined, null, {}, { 'detail-type': 'Scheduled Event', detail: {} }])(
    'reports yesterday in Beijing time by default (%j)',
    (event) => {
      expect(resolveReportDates(event, NOW)).toEqual(['2026-03-01']);
    },
  );

  it('reports one given day', () => {
    expect(resolveReportDates({ date: '2026-02-14' }, NOW)).toEqual(['2026-02-14']);
  });

  it('back-fills every day from `from` to `to`, both included', () => {
    expect(resolveReportDates({ from: '2026-02-26', to: '2026-03-01' }, NOW)).toEqual([
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
  });

  it('accepts the whole window, and nothing longer', () => {
    expect(resolveReportDates({ from: '2026-01-31', to: '2026-03-01' }, NOW)).toHaveLength(30);
    expect(refusal({ from: '2026-01-30', to: '2026-03-01' }).issues).toEqual([
      { path: 'from', message: expect.stringContaining('within the last 30 days') },
    ]);
  });

  it('refuses dates outside WeCom’s window, naming the days that can be reported', () => {
    const error = refusal({ date: '2026-01-30' });
    expect(error.issues.map((issue) => issue.path)).toEqual(['date']);
    expect(error.message).toContain('2026-01-31 to 2026-03-01');
    expect(refusal({ date: '2026-03-03' }).issues.map((issue) => issue.path)).toEqual(['date']);
  });

  it('refuses today, whose count is not final yet', () => {
    expect(refusal({ date: '2026-03-02' }).issues).toEqual([
      { path: 'date', message: expect.stringContaining('is today') },
    ]);
  });

  it.each([
    [{ date: '2026-02-30' }, 'date'],
    [{ date: '1 March' }, 'date'],
    [{ from: '2026-02-01' }, 'to'],
    [{ to: '2026-02-01' }, 'from'],
    [{ from: '2026-02-10', to: '2026-02-01' }, 'to'],
    [{ date: '2026-02-01', from: '2026-02-01', to: '2026-02-02' }, ''],
    [{ data: '2026-02-01' }, ''],
  ])('refuses %j (issue at "%s")', (event, path) => {
    expect(new Set(refusal(event).issues.map((issue) => issue.path))).toEqual(new Set([path]));
  });

  it.each(['2026-02-01', 42, ['2026-02-01']])('refuses an event that is not an object: %j', (event) => {
    expect(refusal(event)).toBeInstanceOf(ValidationError);
  });
});
