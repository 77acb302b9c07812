/** The report's own failures, in the layer's error hierarchy (../errors.ts). */
import { ServiceError } from '../errors.ts';
import type { FailedDay, ReportResult } from './result.ts';

/**
 * Some days of a run could not be reported (after the client's retries). The other days were emitted
 * and are in `result`; raising lets Lambda count an error, so the schedule's retry and the alarm see it.
 */
export class ReportFailedError extends ServiceError {
  override readonly name = 'ReportFailedError';
  readonly failures: readonly FailedDay[];
  constructor(readonly result: ReportResult) {
    const failures = result.days.filter((day): day is FailedDay => day.status === 'failed');
    const listed = failures.map(({ date, error }) =>
      error.errcode === undefined ? `${date} (${error.name})` : `${date} (${error.name} ${error.errcode})`,
    );
    super(
      `Active-member report failed for ${failures.length} of ${result.days.length} day(s): ${listed.join(', ')}`,
    );
    this.failures = failures;
  }
}

/** The group robot refused or did not take the message. Carries no URL: the URL holds the robot's key. */
export class WebhookError extends ServiceError {
  override readonly name = 'WebhookError';
}
