/**
 * The Lambda handler of `active-stat-report` (design.md §7), invoked daily by EventBridge Scheduler.
 * Everything is injectable so that the local script and the tests run this very handler against the
 * sandbox; the defaults are the deployed ones.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import type { Dispatcher } from 'undici';
import { optionalEnv } from '../config.ts';
import { logger as defaultLogger, metrics as defaultMetrics } from '../observability.ts';
import { REPORT_FUNCTION } from '../operations.ts';
import { getRuntime } from '../runtime.ts';
import { ENV, type Runtime } from '../runtime-types.ts';
import { ReportFailedError, summarizeError } from './errors.ts';
import type { MetricsSink } from './metric.ts';
import { type ReportResult, runActiveStatReport } from './run.ts';
import { webhookUrlFromParameter } from './webhook.ts';

export interface ReportHandlerOptions {
  /** Default: the container's runtime, configured from the environment. */
  readonly runtime?: () => Runtime;
  /**
   * Default: the SecureString parameter named by WECOM_REPORT_WEBHOOK_PARAMETER, read at first use;
   * no message when the variable is unset or the parameter does not exist.
   */
  readonly webhookUrl?: () => Promise<string | undefined>;
  /** Decides which day "yesterday" is. Default: Date.now. */
  readonly clock?: () => number;
  readonly logger?: Logger;
  readonly metrics?: MetricsSink;
  /** Transport for the webhook POST. Default: undici's global dispatcher. */
  readonly dispatcher?: Dispatcher;
}

export type ReportHandler = (event: unknown, context?: Context) => Promise<ReportResult>;

/** Kept back from the Lambda's remaining time, so that a failing run still logs and flushes. */
const DEADLINE_MARGIN_MS = 2_000;

export function createReportHandler(options: ReportHandlerOptions = {}): ReportHandler {
  const {
    runtime = getRuntime,
    webhookUrl = webhookUrlFromEnvironment(),
    clock = Date.now,
    logger = defaultLogger,
    metrics = defaultMetrics,
    dispatcher,
  } = options;

  return async (event, context) => {
    // Every line the logger writes during the run (the client's retries included) carries the request id.
    if (context) logger.appendKeys({ requestId: context.awsRequestId });
    try {
      const services = runtime();
      return await runActiveStatReport(
        event,
        {
          client: services.client,
          credential: services.credentialFor(REPORT_FUNCTION.credential),
          logger,
          metrics,
          webhookUrl,
          clock,
          ...(dispatcher && { dispatcher }),
        },
        context && Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS,
      );
    } catch (error) {
      // Failed days were logged one by one as they failed; anything else is logged here.
      if (!(error instanceof ReportFailedError))
        logger.error('Report run failed', { error: summarizeError(error) });
      throw error;
    } finally {
      logger.removeKeys(['requestId']);
    }
  };
}

function webhookUrlFromEnvironment(): () => Promise<string | undefined> {
  const parameterName = optionalEnv(ENV.reportWebhookParameter);
  if (parameterName === undefined) return async () => undefined;
  let ssm: SSMClient | undefined;
  return webhookUrlFromParameter(parameterName, () => {
    ssm ??= new SSMClient({});
    return ssm;
  });
}
