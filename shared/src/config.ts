/**
 * Reading configuration from the environment. Required values fail fast with a ConfigurationError that
 * names the variable, so a misconfigured deployment breaks loudly at its first invocation instead of
 * calling WeCom with an empty string.
 */
import { ConfigurationError } from './errors.ts';

type Environment = Readonly<Record<string, string | undefined>>;

/** The trimmed value, or `undefined` when the variable is unset or blank. */
export function optionalEnv(name: string, env: Environment = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function requireEnv(name: string, env: Environment = process.env): string {
  const value = optionalEnv(name, env);
  if (value === undefined)
    throw new ConfigurationError(`Environment variable ${name} is required but not set`);
  return value;
}

/** A required comma-separated list, e.g. `contact,app`; blank items are dropped. */
export function requireEnvList(name: string, env: Environment = process.env): string[] {
  const items = requireEnv(name, env)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new ConfigurationError(`Environment variable ${name} lists no values`);
  return items;
}
