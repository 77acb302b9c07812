/**
 * The Lambda handler of `active-stat-report` (docs/architecture.md §7), invoked daily by EventBridge Scheduler.
 * Everything is injectable so that the local script and the tests run this very handler against the
 * sandbox; the defaults are the deployed ones.
 *
 * What Lambda sees: a run that reported every day returns its result; a run whose event cannot be
 * reported (a date outside WeCom's window…) returns `{ refused }`, since the asynchronous invoke's
 * retries could never change that; a run that failed days, or could not run, throws, so that Lambda
 * counts an error, the invoke is retried and the alarm sees it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Dispatcher } from 'undici';
import { optionalEnv } from '../config.ts';
import type { Runtime } from '../contracts.ts';
import { ValidationError, type ValidationIssue } from '../errors.ts';
import { lambdaLogContext } from '../middleware/log-context.ts';
import { logger as defaultLogger, metrics as defaultMetrics, logDefaults } from '../observability.ts';
import { createSsmClient, getRuntime } from '../runtime.ts';
import { ENV } from '../stage-names.ts';
import { ReportFailedError } from './errors.ts';
import { REPORT_FUNCTION } from './function.ts';
import type { MetricsSink } from './metric.ts';
import { type ReportResult, summarizeError } from './result.ts';
import { runActiveStatReport } from './run.ts';
import { webhookUrlFromParameter } from './webhook.ts';

export interface ReportHandlerOptions {
  /**
   * The WeCom client and credentials the run calls with.
   * @default getRuntime: the container's runtime, configured from the environment
   * @example () => createRuntime({ baseUrl: 'http://127.0.0.1:4010', corpId, secrets }) (the sandbox)
   */
  readonly runtime?: () => Runtime;
  /**
   * The group robot's webhook URL; `undefined`: no message.
   * @default the SecureString parameter named by WECOM_REPORT_WEBHOOK_PARAMETER, read at first use
   *   (`undefined` when the variable is unset or the parameter does not exist)
   * @example async () => 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'
   */
  readonly webhookUrl?: () => Promise<string | undefined>;
  /**
   * Decides which day "yesterday" is (epoch ms).
   * @default Date.now
   * @example () => Date.parse('2026-11-26T01:00:00Z')
   */
  readonly clock?: () => number;
  /**
   * Where the run's own lines go. The Lambda context always goes on the layer's logger, which the
   * WeCom client writes to as well.
   * @default the layer's logger
   */
  readonly logger?: Logger;
  /** Where the active-member count goes. @default the layer's Powertools metrics (EMF) */
  readonly metrics?: MetricsSink;
  /**
   * Transport for the webhook POST. Tests inject a MockAgent.
   * @default undici's global dispatcher
   */
  readonly dispatcher?: Dispatcher;
}

/** The event asked for days no run can report; nothing was sent to WeCom. */
export interface RefusedReport {
  readonly refused: { readonly message: string; readonly issues: readonly ValidationIssue[] };
}

export type ReportOutcome = ReportResult | RefusedReport;

/** The context is optional: the local script runs the handler outside Lambda. */
export type ReportHandler = (event: unknown, context?: Context) => Promise<ReportOutcome>;

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

  const run = async (event: unknown, context: Context): Promise<ReportOutcome> => {
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
        deadlineOf(context),
      );
    } catch (error) {
      if (error instanceof ValidationError) {
        logger.error('Report run refused: invalid input', { error: summarizeError(error) });
        return { refused: { message: error.message, issues: error.issues } };
      }
      // Failed days were logged one by one as they failed; anything else is logged here.
      if (!(error instanceof ReportFailedError))
        logger.error('Report run failed', { error: summarizeError(error) });
      throw error;
    }
  };

  // No early-timeout guard: the run keeps its own margin (DEADLINE_MARGIN_MS) for logging.
  const handler = middy<unknown, ReportOutcome, Error, Context>(run, { timeoutEarlyInMillis: 0 }).use(
    // Every line of the layer's logger (the client's included) carries the request id, as the
    // endpoints' do (handler.ts); nothing leaks to the next run.
    lambdaLogContext(defaultLogger, logDefaults),
  );
  return (event, context) => handler(event, context ?? ({} as Context));
}

/** The run's deadline (epoch ms), or none outside Lambda. */
function deadlineOf(context: Context): number | undefined {
  if (typeof context.getRemainingTimeInMillis !== 'function') return undefined;
  return Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS;
}

/**
 * The webhook's SSM client is made like the runtime's (short timeouts, one retry), so that a slow SSM
 * costs the run seconds, not its whole timeout.
 */
function webhookUrlFromEnvironment(): () => Promise<string | undefined> {
  const parameterName = optionalEnv(ENV.reportWebhookParameter);
  if (parameterName === undefined) return async () => undefined;
  let ssm: ReturnType<typeof createSsmClient> | undefined;
  return webhookUrlFromParameter(parameterName, () => {
    ssm ??= createSsmClient();
    return ssm;
  });
}
