/**
 * One report run: resolve the days, read each day's figures from WeCom, emit its metric and its log
 * line, then send one group-robot message. Days are independent: a day that fails (after the client's
 * own retries) fails alone, and the run raises at the end so that Lambda counts an error.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Dispatcher } from 'undici';
import type { WeComClient } from '../contracts.ts';
import type { CredentialName } from '../credential-roles.ts';
import { ReportFailedError } from './errors.ts';
import { collectDayFigures, type FigureSource, memoizeCounter } from './figures.ts';
import { REPORT_FUNCTION } from './function.ts';
import { formatReportMessage } from './message.ts';
import { type MetricsSink, publishActiveMembers } from './metric.ts';
import { resolveReportDates } from './request.ts';
import {
  type DayReport,
  type FailedDay,
  type ReportedDay,
  type ReportResult,
  summarizeError,
  type WebhookOutcome,
} from './result.ts';
import { postGroupRobotMarkdown } from './webhook.ts';
import { reportWindow } from './window.ts';

export interface ReportDependencies {
  readonly client: WeComClient;
  /** The contact-sync credential: the only one WeCom lets read active stats. */
  readonly credential: CredentialName;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly metrics: MetricsSink;
  /** The group robot's webhook URL, or `undefined` when no message is configured. */
  readonly webhookUrl: () => Promise<string | undefined>;
  /** Decides which day "yesterday" is (epoch ms). */
  readonly clock: () => number;
  /** Transport for the webhook POST (tests, proxies); undici's global dispatcher otherwise. */
  readonly dispatcher?: Dispatcher;
}

/**
 * Throws a ValidationError (nothing sent) for an invalid event, and a ReportFailedError, after the
 * other days were reported, when some days failed.
 */
export async function runActiveStatReport(
  event: unknown,
  deps: ReportDependencies,
  deadline?: number,
): Promise<ReportResult> {
  const now = deps.clock();
  const dates = resolveReportDates(event, now);
  const count = memoizeCounter(async (date) => {
    const answer = await deps.client.call(
      REPORT_FUNCTION.wecomApi,
      { date },
      {
        credential: deps.credential,
        idempotent: REPORT_FUNCTION.idempotent,
        ...(deadline !== undefined && { deadline }),
      },
    );
    return answer.active_cnt;
  });
  const source: FigureSource = {
    count,
    firstAvailable: reportWindow(now).first,
    onComparisonFailure: (date: string, error: unknown) =>
      deps.logger.warn('Comparison day not available', {
        comparisonDate: date,
        error: summarizeError(error),
      }),
  };

  const days: DayReport[] = [];
  for (const date of dates) {
    days.push(await reportDay(date, source, deps, now));
  }
  const reported = days.filter((day): day is ReportedDay => day.status === 'reported');
  const result: ReportResult = {
    days,
    webhook: reported.length > 0 ? await sendMessage(reported, deps, deadline) : 'none',
  };
  if (reported.length < days.length) throw new ReportFailedError(result);
  return result;
}

async function reportDay(
  date: string,
  source: FigureSource,
  deps: ReportDependencies,
  now: number,
): Promise<DayReport> {
  try {
    const day = await collectDayFigures(date, source);
    const report: ReportedDay = {
      ...day,
      status: 'reported',
      metric: publishActiveMembers(deps.metrics, day, now),
    };
    // The one line with the figures: query it in Logs Insights as `report.activeMembers`.
    deps.logger.info('Active members', { report });
    return report;
  } catch (error) {
    const report: FailedDay = { status: 'failed', date, error: summarizeError(error) };
    deps.logger.error('Active members not reported', { report });
    return report;
  }
}

/** A message that cannot be sent is logged and swallowed: the metric and the log line already stand. */
async function sendMessage(
  days: readonly ReportedDay[],
  deps: ReportDependencies,
  deadline: number | undefined,
): Promise<WebhookOutcome> {
  try {
    const url = await deps.webhookUrl();
    if (url === undefined) return 'not-configured';
    await postGroupRobotMarkdown(url, formatReportMessage(days), {
      ...(deps.dispatcher && { dispatcher: deps.dispatcher }),
      ...(deadline !== undefined && { deadline }),
    });
    deps.logger.info('Report message sent to the group robot', { days: days.length });
    return 'sent';
  } catch (error) {
    deps.logger.error('Report message not sent', { error: summarizeError(error) });
    return 'failed';
  }
}
