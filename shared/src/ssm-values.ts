/**
 * Reading configuration values from SSM Parameter Store for the credentials (corp id and secrets) and
 * the contact callback's Token and EncodingAESKey (the report's webhook, the stage read at init and
 * the doctor's presence check make their own calls, each with its own purpose). One
 * GetParameters, one meaning for its failures (aws-errors.ts), one rule for caching: a value is read
 * at first use and kept for the container, and a failed read is not kept, so the next invocation
 * tries again.
 */
import { GetParametersCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import { classifyAwsFailure } from './aws-errors.ts';
import { ConfigurationError, DependencyUnavailableError } from './errors.ts';
import { logger } from './observability.ts';

/** Parameter values by name; a parameter that does not exist (or has no value) is absent. */
export type ParameterValues = ReadonlyMap<string, string>;

export function valuesOf(parameters: Iterable<Parameter> | undefined): ParameterValues {
  const values = new Map<string, string>();
  for (const { Name, Value } of parameters ?? []) {
    if (Name !== undefined && Value) values.set(Name, Value);
  }
  return values;
}

/** The decrypted values of `names`, in one GetParameters (at most 10 names). */
export async function readParameterValues(
  ssm: SSMClient,
  names: readonly string[],
): Promise<ParameterValues> {
  const { Parameters } = await ssm.send(
    new GetParametersCommand({ Names: [...names], WithDecryption: true }),
  );
  return valuesOf(Parameters);
}

/**
 * What a failed read means for the caller: SSM refusing (permissions, a bad name) needs an operator
 * (ConfigurationError, the parameters named in the log only); throttling or an outage passes
 * (DependencyUnavailableError, a 503).
 *
 * @param subject what was being read, for the message, e.g. `the contact credential`
 */
export function parameterReadFailure(subject: string, parameters: readonly string[], error: unknown): Error {
  const failure = classifyAwsFailure(error);
  if (failure === 'refused') {
    logger.error('SSM refused to read configuration parameters', { subject, parameters, error });
    return new ConfigurationError(
      `Cannot read ${subject} from SSM Parameter Store: check the function's permissions and the parameters (the logs name them)`,
      { cause: error },
    );
  }
  const state = failure === 'throttled' ? 'throttling requests' : 'not answering';
  return new DependencyUnavailableError(
    'ssm',
    `SSM Parameter Store is ${state}: ${subject} could not be loaded`,
    {
      cause: error,
    },
  );
}

/** The names of `wanted` without a value; logged (names only) when there are any. */
export function missingParameters(
  subject: string,
  wanted: readonly string[],
  values: ParameterValues,
): string[] {
  const missing = wanted.filter((name) => !values.has(name));
  if (missing.length > 0) logger.error('Missing SSM parameters', { subject, parameters: missing });
  return missing;
}

/** `load` at first use, its result kept for the container; a failed load is dropped so the next call retries. */
export function keptOnSuccess<T>(load: () => Promise<T>): { get(): Promise<T>; reload(): Promise<T> } {
  let kept: Promise<T> | undefined;
  const reload = () => {
    const pending = load();
    kept = pending;
    pending.catch(() => {
      if (kept === pending) kept = undefined;
    });
    return pending;
  };
  return { get: () => kept ?? reload(), reload };
}
