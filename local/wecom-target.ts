/**
 * Which WeCom the local API talks to. By default an embedded sandbox with its demo directory; with
 * real settings in the environment, the real WeCom through the very same runtime the functions use:
 *  - WECOM_CORP_ID + WECOM_SECRET (contact-sync secret) [+ WECOM_APP_SECRET]: secrets from the
 *    environment, tokens cached in memory (fine on a developer's machine, never in Lambda);
 *  - WECOM_SSM_PREFIX (+ AWS credentials, WECOM_CREDENTIALS default `contact`): exactly as deployed,
 *    secrets and tokens in SSM Parameter Store.
 * WECOM_BASE_URL, in both cases, points at another endpoint (e.g. a fixed-IP forward proxy).
 */
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox, SandboxOptions } from '#sandbox/types.ts';
import type { Runtime } from '#shared/contracts.ts';
import { createRuntime, runtimeFromEnvironment } from '#shared/runtime.ts';
import { WECOM_DEFAULT_BASE_URL } from '#shared/wecom/apis.ts';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface WeComTarget {
  readonly runtime: Runtime;
  /** Present when the target is the embedded sandbox. */
  readonly sandbox?: Sandbox;
  /** One line for the start banner; never a secret. */
  readonly description: string;
  stop(): Promise<void>;
}

const value = (env: Environment, name: string) => {
  const found = env[name]?.trim();
  return found === undefined || found === '' ? undefined : found;
};

/** The real WeCom with secrets from the environment: what to call it with, never logged. */
export interface EnvironmentCredentials {
  readonly corpId: string;
  readonly secrets: { readonly contact: string; readonly app?: string };
  readonly baseUrl?: string;
  /** One line naming the target; never a secret. */
  readonly description: string;
}

/**
 * WECOM_CORP_ID + WECOM_SECRET [+ WECOM_APP_SECRET, WECOM_BASE_URL], or undefined when the
 * environment does not select that form. WECOM_CORP_ID alone next to WECOM_SSM_PREFIX is the deployed
 * form (the `corpId` context), not this one.
 */
export function environmentCredentials(env: Environment): EnvironmentCredentials | undefined {
  const corpId = value(env, 'WECOM_CORP_ID');
  const secret = value(env, 'WECOM_SECRET');
  if (secret === undefined && (corpId === undefined || value(env, 'WECOM_SSM_PREFIX') !== undefined)) {
    return undefined;
  }
  if (corpId === undefined || secret === undefined) {
    throw new Error(
      'Set both WECOM_CORP_ID and WECOM_SECRET (the contact-sync secret) to use the real WeCom',
    );
  }
  const app = value(env, 'WECOM_APP_SECRET');
  const baseUrl = value(env, 'WECOM_BASE_URL');
  return {
    corpId,
    secrets: app === undefined ? { contact: secret } : { contact: secret, app },
    baseUrl,
    description: `WeCom at ${baseUrl ?? WECOM_DEFAULT_BASE_URL} (corp ${corpId}; secrets from the environment${app === undefined ? '' : ', app secret for reads'})`,
  };
}

export async function resolveWeComTarget(
  env: Environment,
  sandboxOptions: SandboxOptions = {},
): Promise<WeComTarget> {
  const credentials = environmentCredentials(env);
  if (credentials !== undefined) {
    const { description, ...settings } = credentials;
    return { runtime: createRuntime(settings), description, stop: async () => undefined };
  }
  const baseUrl = value(env, 'WECOM_BASE_URL');
  const ssmPrefix = value(env, 'WECOM_SSM_PREFIX');
  if (ssmPrefix !== undefined) {
    const runtime = runtimeFromEnvironment({ WECOM_CREDENTIALS: 'contact', ...env });
    return {
      runtime,
      description: `WeCom at ${baseUrl ?? WECOM_DEFAULT_BASE_URL} (settings from SSM under ${ssmPrefix})`,
      stop: async () => undefined,
    };
  }
  const sandbox = await startSandbox({ seed: 'demo', ...sandboxOptions });
  return {
    runtime: createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: sandbox.contactSecret, app: sandbox.apps[0]?.secret },
    }),
    sandbox,
    description: `the embedded WeCom sandbox at ${sandbox.url} (demo directory, in-memory tokens)`,
    stop: () => sandbox.stop(),
  };
}
