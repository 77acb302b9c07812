/**
 * The layer's structured logger and metrics, created once per container.
 *
 * Powertools Logger + Metrics rather than a bespoke logger: Lambda's JSON log format, the request id
 * and cold-start keys, log sampling and the Embedded Metric Format (metrics written as log lines, no
 * CloudWatch API call) are exactly what this product needs, and both packages are small next to
 * undici and the SSM client (a few tens of KiB, no dependencies beyond their shared commons).
 *
 * Nothing we log may carry an access_token, a secret or a member's mobile/email. Two defences, both in
 * the JSON replacer every log line passes through (errors and their causes included):
 *  - a key denylist: any attribute whose name says token/secret/mobile/email/... is replaced whole;
 *  - text redaction: credentials in URLs, e-mail addresses and mobile numbers inside any string.
 * The first rule of the layer still applies: never log whole events or WeCom bodies.
 */
import { Logger, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { optionalEnv } from './config.ts';
import { METRICS } from './metric-names.ts';
import { invocationLogLevel, type LogDefaults } from './middleware/log-context.ts';
import { REDACTED, redactText } from './wecom/redact.ts';

const SERVICE_NAME = optionalEnv('POWERTOOLS_SERVICE_NAME') ?? 'wecom-contact';
const METRICS_NAMESPACE = optionalEnv('POWERTOOLS_METRICS_NAMESPACE') ?? METRICS.namespace;

/** Attribute names whose values are never printed, whatever their type. */
const SENSITIVE_KEY =
  /token|secret|password|authorization|mobile|e-?mail|biz_?mail|telephone|^address$|^cookie$/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** The JSON replacer of every log line: denylisted keys are replaced, strings are redacted. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSensitiveKey(key) && value !== undefined && value !== null) return REDACTED;
  return typeof value === 'string' ? redactText(value) : value;
}

/**
 * Powertools' Logger, skipping `resetKeys` when no key was appended since the last one: every
 * invocation ends with a reset (middleware/log-context.ts), which in Powertools 2.x reads an
 * environment variable three times even when there is nothing to reset. Under concurrent invocations
 * appended keys live in the invocation's own InvokeStore context and end with it.
 */
class LayerLogger extends Logger {
  #appended = false;

  override appendKeys(attributes: LogAttributes): void {
    this.#appended = true;
    super.appendKeys(attributes);
  }

  override resetKeys(): void {
    if (!this.#appended) return;
    this.#appended = false;
    super.resetKeys();
  }
}

export const logger: Logger = new LayerLogger({
  serviceName: SERVICE_NAME,
  jsonReplacerFn: redactingReplacer,
});

/**
 * What each invocation starts the logger with (middleware/log-context.ts), as the environment set it
 * when the logger was made: its level, and whether debug sampling is on.
 */
export const logDefaults: LogDefaults = {
  levelName: logger.getLevelName(),
  level: logger.level,
  sampling: Number(optionalEnv('POWERTOOLS_LOGGER_SAMPLE_RATE') ?? 0) > 0,
};

/**
 * Whether debug lines are printed right now: the level read as the invocation started (it may change
 * per invocation with log sampling), or the logger's own outside an invocation. Hot paths check it
 * first, so that a debug line costs nothing, not even its attributes, when off.
 */
export function isDebugEnabled(): boolean {
  return (invocationLogLevel() ?? logger.level) <= LogLevelThreshold.DEBUG;
}

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * Counts one occurrence of an operational event (e.g. `TokenStoreDegraded`), with optional dimensions. Published at once as
 * its own EMF line, so it is not lost when a code path has no metrics middleware to flush it.
 */
export function countEvent(name: string, dimensions: Readonly<Record<string, string>> = {}): void {
  const metric = metrics.singleMetric();
  for (const [dimension, value] of Object.entries(dimensions)) metric.addDimension(dimension, value);
  metric.addMetric(name, MetricUnit.Count, 1);
}
