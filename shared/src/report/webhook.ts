/**
 * The WeCom group robot (群机器人): one POST of a markdown message to the robot's webhook URL.
 * The URL embeds the robot's key, which lets anyone post into the group: it lives in a SecureString
 * parameter, and no log line, error message or error cause here ever contains it.
 */
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { Agent, type Dispatcher } from 'undici';
import { ConfigurationError, DependencyUnavailableError } from '../errors.ts';
import { WebhookError } from './errors.ts';

/** The robot answers within a second or two; a report must not spend its whole timeout waiting on it. */
const WEBHOOK_TIMEOUT_MS = 10_000;

/** The report's own pool (one post a day), created on first use. */
let robotAgent: Agent | undefined;
const defaultDispatcher = (): Dispatcher => {
  robotAgent ??= new Agent();
  return robotAgent;
};

export interface WebhookPostOptions {
  readonly dispatcher?: Dispatcher;
  /** Absolute deadline (epoch ms), e.g. the Lambda's remaining time. */
  readonly deadline?: number;
}

export async function postGroupRobotMarkdown(
  url: string,
  content: string,
  { dispatcher, deadline = Number.POSITIVE_INFINITY }: WebhookPostOptions = {},
): Promise<void> {
  const target = parseWebhookUrl(url);
  const timeout = Math.max(0, Math.min(WEBHOOK_TIMEOUT_MS, deadline - Date.now()));
  let response: Dispatcher.ResponseData;
  try {
    response = await (dispatcher ?? defaultDispatcher()).request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }),
      signal: AbortSignal.timeout(timeout),
    });
  } catch (error) {
    // No `cause`: transport errors are not ours to vouch for, and the URL must not leak through one.
    throw new WebhookError(`The group robot could not be reached (${failureCode(error)})`);
  }
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw new WebhookError(`The group robot answered HTTP ${response.statusCode}`);
  }
  const answer: unknown = await response.body.json().catch(() => undefined);
  if (!isEnvelope(answer))
    throw new WebhookError('The group robot answered something other than its JSON envelope');
  if (answer.errcode !== 0) {
    throw new WebhookError(
      `The group robot refused the message: errcode ${answer.errcode} (${answer.errmsg})`,
    );
  }
}

function parseWebhookUrl(url: string): URL {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'https:' && parsed?.protocol !== 'http:') {
    // The value itself is never echoed: it is a secret even when malformed.
    throw new ConfigurationError('The report webhook URL is not an http(s) URL');
  }
  return parsed;
}

function failureCode(error: unknown): string {
  if (error instanceof Error)
    return 'code' in error && typeof error.code === 'string' ? error.code : error.name;
  return 'unknown';
}

function isEnvelope(value: unknown): value is { errcode: number; errmsg: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'errcode' in value &&
    typeof value.errcode === 'number' &&
    'errmsg' in value &&
    typeof value.errmsg === 'string'
  );
}

/**
 * The webhook URL from its SecureString parameter, read at first use and kept for the container's
 * life (a rotated robot key reaches the next cold start; the report runs once a day). A missing
 * parameter means "no message", and is asked again on the next run.
 */
export function webhookUrlFromParameter(
  parameterName: string,
  ssm: () => SSMClient,
): () => Promise<string | undefined> {
  let url: string | undefined;
  return async () => {
    if (url !== undefined) return url;
    try {
      const { Parameter } = await ssm().send(
        new GetParameterCommand({ Name: parameterName, WithDecryption: true }),
      );
      url = Parameter?.Value || undefined;
      return url;
    } catch (error) {
      if (error instanceof ParameterNotFound) return undefined;
      const code = failureCode(error);
      const message = `The report webhook parameter ${parameterName} could not be read (${code})`;
      // Denied is the deployment's fault; throttled or unreachable, SSM's, and the next run may succeed.
      if (code === 'AccessDeniedException') throw new ConfigurationError(message);
      throw new DependencyUnavailableError('ssm', message);
    }
  };
}
