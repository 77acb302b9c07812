/**
 * The layer logger's per-invocation context, in place of Powertools' `injectLambdaContext`: the same
 * outcome for the layer (the Lambda context on every line of the invocation; the log level back to the
 * one the environment set, or a fresh debug-sampling decision; keys appended during the invocation
 * dropped at its end) with less work per call. Powertools 2.x reads an environment variable on every
 * access to the logger's level and per-invocation state; `injectLambdaContext` also resets the level
 * through `setLogLevel` and copies middy's `internal` object on every invocation, for features the
 * layer does not use (log buffering, event logging, early-return cleanup). Here the level is read once
 * as the invocation starts, and kept for the invocation (`invocationLogLevel`): hot paths ask it
 * whether a debug line would be printed.
 *
 * Invocations that run concurrently (Lambda's AWS_LAMBDA_MAX_CONCURRENCY; the local API server) each
 * run in their own InvokeStore context (`@aws/lambda-invoke-store`, which Powertools uses too): the
 * level is kept there, so one invocation's sampling decision never reaches another.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** How the layer's logger starts each invocation (observability.ts reads it once, at load). */
export interface LogDefaults {
  /** The level the environment set (POWERTOOLS_LOG_LEVEL, or Lambda's log level). */
  readonly levelName: LogLevel;
  /** The level's threshold, as `logger.level` reports it. */
  readonly level: number;
  /** Whether debug sampling is on (POWERTOOLS_LOGGER_SAMPLE_RATE): a new decision per invocation. */
  readonly sampling: boolean;
}

/** The part of the Lambda runtime's InvokeStore (globalThis.awslambda) this module uses. */
interface InvokeStore {
  hasContext(): boolean;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const LEVEL_KEY = 'wecom-contact.logLevel';

/** Outside any InvokeStore context (invocations one at a time): the current invocation's level. */
let sequentialLevel: number | undefined;

function scopedStore(): InvokeStore | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: InvokeStore } }).awslambda?.InvokeStore;
  return store?.hasContext() ? store : undefined;
}

function keepLevel(level: number | undefined): void {
  const store = scopedStore();
  if (store === undefined) sequentialLevel = level;
  else store.set(LEVEL_KEY, level);
}

/** The log level read as the current invocation started; `undefined` outside an invocation. */
export function invocationLogLevel(): number | undefined {
  const store = scopedStore();
  return store === undefined ? sequentialLevel : (store.get(LEVEL_KEY) as number | undefined);
}

export function lambdaLogContext(
  logger: Logger,
  defaults: LogDefaults,
): MiddlewareObj<unknown, unknown, Error, Context> {
  const end = () => {
    logger.resetKeys();
    keepLevel(undefined);
  };
  return {
    name: 'lambdaLogContext',
    before: ({ context }) => {
      let level = logger.level;
      if (defaults.sampling) {
        // Powertools' own per-invocation decision (it skips the first, made at construction).
        logger.refreshSampleRateCalculation();
        level = logger.level;
      } else if (level !== defaults.level) {
        // A level set during an earlier invocation does not outlive it.
        logger.setLogLevel(defaults.levelName);
        level = logger.level;
      }
      logger.addContext(context);
      keepLevel(level);
    },
    after: end,
    onError: end,
  };
}
