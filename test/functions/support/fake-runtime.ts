/** A Runtime whose WeCom client is a function of (api, request): for tests of the chain alone. */
import { vi } from 'vitest';
import type { CallOptions, Runtime } from '#shared/contracts.ts';
import { type CredentialRole, credentialsForRole } from '#shared/credential-roles.ts';
import type { WeComApi } from '#shared/wecom/apis.ts';

export type Answer = (api: WeComApi, request: Record<string, unknown>) => unknown;

export function fakeRuntime(answer: Answer = () => ({ errcode: 0, errmsg: 'ok' })) {
  const call = vi.fn(async (api: WeComApi, request: Record<string, unknown>, _options: CallOptions) =>
    answer(api, request),
  );
  const runtime = {
    client: { call },
    // A deployment with the optional `app` credential: reads use it.
    credentialFor: (role: CredentialRole) => credentialsForRole(role, true)[0],
  } as unknown as Runtime;
  return { runtime, call };
}
