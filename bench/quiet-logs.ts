/**
 * Imported first by run.ts, before the layer's logger exists: the in-process fleets log each token
 * fetch at INFO, and only warnings belong among the progress lines. `logger.setLogLevel` would not
 * hold: Powertools' injectLambdaContext restores the logger's initial level on every invocation.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
