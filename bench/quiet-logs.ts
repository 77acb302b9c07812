/**
 * Imported first by run.ts, before the layer's logger exists: the in-process fleets log each token
 * fetch at INFO, and only warnings belong among the progress lines. `logger.setLogLevel` would not
 * hold: the layer's log context (shared/src/middleware/log-context.ts) restores the level the
 * environment set at every invocation.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
