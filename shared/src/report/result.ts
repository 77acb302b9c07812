/**
 * What a report run answers: each day's outcome and the webhook's. Its own module so that the run,
 * its errors and the webhook all import it and none imports another for a type.
 */
import { WeComError } from '../errors.ts';
import type { DayFigures } from './figures.ts';
import type { MetricOutcome } from './metric.ts';

/** What the logs, the run's result and the error message say about a failure: never a secret. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly errcode?: number;
}

export function summarizeError(error: unknown): ErrorSummary {
  if (error instanceof WeComError)
    return { name: error.name, message: error.message, errcode: error.errcode };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

export type ReportedDay = DayFigures & { readonly status: 'reported'; readonly metric: MetricOutcome };
export interface FailedDay {
  readonly status: 'failed';
  readonly date: string;
  readonly error: ErrorSummary;
}
export type DayReport = ReportedDay | FailedDay;

/** `none`: no day was reported, so there was nothing to say. */
export type WebhookOutcome = 'sent' | 'failed' | 'not-configured' | 'none';

export interface ReportResult {
  /** In date order. */
  readonly days: readonly DayReport[];
  readonly webhook: WebhookOutcome;
}
