/**
 * What a failed AWS SDK call (SSM Parameter Store) means for the layer, in one place, so that the
 * credential loader and the token provider react to the same failure the same way:
 *  - `throttled`: SSM answered with a rate limit. It works, just not this instant: wait and retry.
 *  - `unreachable`: no answer at all (network failure, the SDK's timeout) or a 5xx: SSM is down for us.
 *  - `refused`: any other 4xx (access denied, a bad name, a KMS key we may not use, expired role
 *    credentials): the deployment is wrong, and retrying will not help.
 */
export type AwsFailure = 'throttled' | 'unreachable' | 'refused';

/** Error names AWS services use for rate limits (SSM's own: ThrottlingException, TooManyUpdates). */
const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyUpdates',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

export function classifyAwsFailure(error: unknown): AwsFailure {
  const name = error instanceof Error ? error.name : undefined;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  if ((name !== undefined && THROTTLING_NAMES.has(name)) || status === 429) return 'throttled';
  // The SDK sets the status only when the service answered.
  if (status === undefined || status >= 500) return 'unreachable';
  return 'refused';
}
