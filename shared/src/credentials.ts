/**
 * Where the corp id and each credential's secret come from. In Lambda: SSM Parameter Store, read at
 * first use and cached for the container (never plain environment values: the stack only passes
 * parameter *names*). In local mode and tests: static values.
 *
 * Every cache of tokens is keyed by `credentialKey` (corp id + a short SHA-256 of the secret), never
 * by the raw secret and never by a credential or app name alone: a rotated secret is a new key.
 *
 * A cold container that cannot load its secret has nothing to fall back to: SSM throttled, slow or
 * down → DependencyUnavailableError (retry later); SSM refusing or missing a parameter →
 * ConfigurationError (an operator must act). Parameter names go to the log, never into the error,
 * which may reach an API caller.
 */
import { createHash } from 'node:crypto';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { CredentialName } from './credential-roles.ts';
import { ConfigurationError } from './errors.ts';
import {
  keptOnSuccess,
  missingParameters,
  type ParameterValues,
  parameterReadFailure,
  readParameterValues,
  valuesOf,
} from './ssm-values.ts';
import { parameterNames } from './stage-names.ts';
import type { StageRead } from './stage-read.ts';
import { rememberSecret } from './wecom/redact.ts';

export interface CredentialIdentity {
  readonly corpId: string;
  readonly secret: string;
  /** Cache key of this (corp id, secret) pair; safe to store and to log. */
  readonly key: string;
}

export interface CredentialSource {
  /** The credentials this deployment configures (e.g. `contact`, or `contact` and `app`). */
  readonly names: readonly CredentialName[];
  /** Cached after the first read. */
  identity(credential: CredentialName): Promise<CredentialIdentity>;
  /** Reads again, bypassing the cache: after WeCom refused the secret (40001) it may have been rotated. */
  reload(credential: CredentialName): Promise<CredentialIdentity>;
}

export function credentialKey(corpId: string, secret: string): string {
  return `${corpId}:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;
}

function toIdentity(corpId: string, secret: string): CredentialIdentity {
  rememberSecret(secret);
  return { corpId, secret, key: credentialKey(corpId, secret) };
}

export interface StaticCredentials {
  corpId: string;
  secrets: Partial<Record<CredentialName, string>>;
}

export function staticCredentialSource({ corpId, secrets }: StaticCredentials): CredentialSource {
  const identities = new Map<CredentialName, CredentialIdentity>();
  for (const [name, secret] of Object.entries(secrets) as Array<[CredentialName, string | undefined]>) {
    if (secret !== undefined && secret !== '') identities.set(name, toIdentity(corpId, secret));
  }
  const identity = async (credential: CredentialName) => {
    const found = identities.get(credential);
    if (!found) throw new ConfigurationError(`No secret is configured for the ${credential} credential`);
    return found;
  };
  return { names: [...identities.keys()], identity, reload: identity };
}

export interface SsmCredentialOptions {
  ssm: SSMClient;
  /** The stage's prefix, e.g. `/wecom-contact/dev`. */
  prefix: string;
  /** The credentials this function may use (WECOM_CREDENTIALS). */
  names: readonly CredentialName[];
  /** The cold container's one read of the stage's parameters: the first load takes its values. */
  stageRead?: StageRead;
  /** The corp id when the stack set it (WECOM_CORP_ID); otherwise it is read from `<prefix>/corp-id`. */
  corpId?: string;
}

/** The values of `wanted`, from the stage read when it has them, else from one GetParameters. */
async function fetchValues(
  ssm: SSMClient,
  wanted: readonly string[],
  stageRead: StageRead | undefined,
): Promise<ParameterValues> {
  const prefetched = await stageRead?.take(wanted);
  return prefetched === undefined ? readParameterValues(ssm, wanted) : valuesOf(prefetched.values());
}

export function ssmCredentialSource({
  ssm,
  prefix,
  names,
  stageRead,
  corpId,
}: SsmCredentialOptions): CredentialSource {
  const parameters = parameterNames(prefix);

  const read = async (credential: CredentialName): Promise<CredentialIdentity> => {
    const subject = `the ${credential} credential`;
    const secretName = parameters.secret(credential);
    const wanted = corpId === undefined ? [parameters.corpId, secretName] : [secretName];
    const values = await fetchValues(ssm, wanted, stageRead).catch((error: unknown) => {
      throw parameterReadFailure(subject, wanted, error);
    });
    if (missingParameters(subject, wanted, values).length > 0) {
      throw new ConfigurationError(
        `The ${credential} credential is not set up: put the corp id and its secret in SSM Parameter Store once (docs/operations.md, Deploy; the doctor names what is missing)`,
      );
    }
    return toIdentity(corpId ?? (values.get(parameters.corpId) as string), values.get(secretName) as string);
  };

  const kept = new Map(names.map((credential) => [credential, keptOnSuccess(() => read(credential))]));
  const notConfigured = (credential: CredentialName) =>
    Promise.reject(
      new ConfigurationError(`This function is not configured for the ${credential} credential`),
    );

  return {
    names,
    identity: (credential) => kept.get(credential)?.get() ?? notConfigured(credential),
    reload: (credential) => kept.get(credential)?.reload() ?? notConfigured(credential),
  };
}
