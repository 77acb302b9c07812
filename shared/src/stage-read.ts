/**
 * A cold container's one SSM round trip (docs/tokens.md, "Cold start"): the corp id, each configured
 * credential's secret, token record and lease, fetched with a single GetParameters (at most 10 names:
 * the corp id and 3 per credential), started while Lambda loads the module so that the first
 * invocation finds it done. The credential source and the token store each take their part once;
 * anything read later is read afresh. A failed read hands out nothing: the consumers then read
 * themselves and report the failure as they always do.
 */
import { GetParametersCommand, type Parameter, type SSMClient } from '@aws-sdk/client-ssm';
import type { CredentialName } from './credential-roles.ts';
import { parameterNames } from './stage-names.ts';

export interface StageRead {
  /**
   * The parameters of `names` (one without a value is absent from the map) if the stage read covers
   * them and they were not taken yet; `undefined` otherwise.
   */
  take(names: readonly string[]): Promise<Map<string, Parameter> | undefined>;
}

/** The parameter names a container with these credentials reads at a cold start. */
export function stageParameterNames(
  prefix: string,
  credentials: readonly CredentialName[],
  corpId?: string,
): string[] {
  const names = parameterNames(prefix);
  return [
    // A corp id the stack set is not a parameter (nor granted): asking for it would fail the read.
    ...(corpId === undefined ? [names.corpId] : []),
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
    ({ Parameters }) => byName(Parameters),
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
        wanted.flatMap((name) => {
          const parameter = values.get(name);
          return parameter === undefined ? [] : [[name, parameter] as const];
        }),
      );
    },
  };
}

/** GetParameters' answer by name. */
export function byName(parameters: readonly Parameter[] | undefined): Map<string, Parameter> {
  return new Map(
    (parameters ?? []).flatMap((parameter) => (parameter.Name ? [[parameter.Name, parameter]] : [])),
  );
}
