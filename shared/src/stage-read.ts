/**
 * A cold container's one SSM round trip (docs/tokens.md, "Cold start"): the corp id, each configured
 * credential's secret, token record and lease, fetched with a single GetParameters (at most 10 names:
 * the corp id and 3 per credential), started while Lambda loads the module so that the first
 * invocation finds it done. The credential source and the token store each take their part once;
 * anything read later is read afresh. A failed read hands out nothing: the consumers then read
 * themselves and report the failure as they always do.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { CredentialName } from './operations.ts';
import { parameterNames } from './runtime-types.ts';

export interface StageRead {
  /**
   * The values of `names` (a name without a value is absent from the map) if the stage read covers
   * them and they were not taken yet; `undefined` otherwise.
   */
  take(names: readonly string[]): Promise<Map<string, string> | undefined>;
}

/** The parameter names a container with these credentials reads at a cold start. */
export function stageParameterNames(prefix: string, credentials: readonly CredentialName[]): string[] {
  const names = parameterNames(prefix);
  return [
    names.corpId,
    ...credentials.flatMap((credential) => [
      names.secret(credential),
      names.token(credential),
      names.lease(credential),
    ]),
  ];
}

/** Starts the read now; never rejects (a failure is left to the consumers' own reads). */
export function startStageRead(ssm: SSMClient, names: readonly string[]): StageRead {
  const pending = ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: true })).then(
    ({ Parameters }) =>
      new Map((Parameters ?? []).flatMap(({ Name, Value }) => (Name && Value ? [[Name, Value]] : []))),
    () => undefined,
  );
  const remaining = new Set(names);
  return {
    async take(wanted) {
      if (!wanted.every((name) => remaining.has(name))) return undefined;
      for (const name of wanted) remaining.delete(name);
      const values = await pending;
      if (values === undefined) return undefined;
      return new Map(
        wanted.flatMap((name) => (values.has(name) ? [[name, values.get(name) as string]] : [])),
      );
    },
  };
}
