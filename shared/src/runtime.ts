/**
 * The container's services (docs/architecture.md §2): built once from the environment the stack sets
 * (WECOM_SSM_PREFIX, WECOM_CREDENTIALS, optional WECOM_BASE_URL) with SSM as the token store; or
 * built from explicit values for local mode and tests (`createRuntime`) and injected with
 * `setRuntime`. In Lambda they are built at load (init): a deployment missing a variable fails once,
 * loudly, instead of on every request, and the cold container's one SSM read starts right away.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Dispatcher } from 'undici';
import { optionalEnv, requireEnv, requireEnvList } from './config.ts';
import type { Runtime } from './contracts.ts';
import { CREDENTIALS, type CredentialName, credentialFor } from './credential-roles.ts';
import { type CredentialSource, ssmCredentialSource, staticCredentialSource } from './credentials.ts';
import { ConfigurationError } from './errors.ts';
import { ENV } from './stage-names.ts';
import { stageParameterNames, startStageRead } from './stage-read.ts';
import { MemoryTokenStore } from './token/memory-store.ts';
import { TokenProvider, type TokenProviderOptions } from './token/provider.ts';
import { SsmTokenStore } from './token/ssm-store.ts';
import type { TokenStore } from './token/store.ts';
import { createWeComClient } from './wecom/client.ts';
import { REAL_RETRY_ENVIRONMENT } from './wecom/retry.ts';
import { createTransport } from './wecom/transport.ts';

/** The runtime this module builds: the Runtime contract plus the provider (tests reset it). */
export interface LayerRuntime extends Runtime {
  readonly tokens: TokenProvider;
}

export interface RuntimeOptions {
  /**
   * @default WeCom's production endpoint
   * @example 'http://127.0.0.1:4010' (the sandbox)
   */
  baseUrl?: string;
  /** @example 'ww0123456789abcdef' */
  corpId: string;
  /** @example { contact: process.env.WECOM_SECRET, app: process.env.WECOM_APP_SECRET } */
  secrets: { contact: string; app?: string };
  /** @default an in-memory store (this runtime alone) */
  store?: TokenStore;
  /** @default the container's shared keep-alive undici Agent */
  dispatcher?: Dispatcher;
  /** @default Date.now */
  clock?: () => number;
  /**
   * Provider tuning (margin, lease) for tests.
   * @default the provider's defaults
   * @example { refreshMarginMs: 1_000 }
   */
  tokenOptions?: Pick<
    TokenProviderOptions,
    'refreshMarginMs' | 'lease' | 'holderId' | 'backoff' | 'credentialRecheckMs'
  >;
}

export function createRuntime(options: RuntimeOptions): LayerRuntime {
  return assemble({
    credentials: staticCredentialSource({ corpId: options.corpId, secrets: options.secrets }),
    store: options.store ?? new MemoryTokenStore(),
    baseUrl: options.baseUrl,
    dispatcher: options.dispatcher,
    clock: options.clock,
    tokenOptions: options.tokenOptions,
  });
}

interface Parts extends Pick<RuntimeOptions, 'baseUrl' | 'dispatcher' | 'clock' | 'tokenOptions'> {
  credentials: CredentialSource;
  store: TokenStore;
}

function assemble({ credentials, store, baseUrl, dispatcher, clock, tokenOptions }: Parts): LayerRuntime {
  const transport = createTransport({ baseUrl, dispatcher, clock });
  const tokens = new TokenProvider({ ...tokenOptions, credentials, transport, store, clock });
  const retryEnvironment = { ...REAL_RETRY_ENVIRONMENT, now: clock ?? Date.now };
  const client = createWeComClient({ transport, tokens, retryEnvironment });
  return { client, tokens, credentialFor: (role) => credentialFor(role, credentials.names) };
}

/** What the stack configures on every function (names only: the values live in SSM). */
export interface RuntimeConfig {
  /** The stage's SSM prefix, without a trailing slash. */
  readonly prefix: string;
  readonly credentials: readonly CredentialName[];
  readonly baseUrl?: string;
  /** Set by the stack from the `corpId` context; otherwise read from SSM with the secret. */
  readonly corpId?: string;
}

/** Reads and checks the configuration; throws ConfigurationError naming a missing or wrong variable. */
export function readRuntimeConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): RuntimeConfig {
  const prefix = requireEnv(ENV.ssmPrefix, env).replace(/\/+$/, '');
  const credentials = requireEnvList(ENV.credentials, env).map((name) => {
    if (!(CREDENTIALS as readonly string[]).includes(name)) {
      throw new ConfigurationError(
        `${ENV.credentials} names an unknown credential "${name}" (expected ${CREDENTIALS.join(' or ')})`,
      );
    }
    return name as CredentialName;
  });
  return {
    prefix,
    credentials,
    baseUrl: optionalEnv(ENV.baseUrl, env),
    corpId: optionalEnv(ENV.corpId, env),
  };
}

export interface SsmTimeouts {
  readonly connectMs: number;
  readonly requestMs: number;
}

/**
 * Short timeouts and one SDK retry: a slow SSM must not eat the request's time (the provider then
 * serves from gettoken and memory instead).
 */
export const SSM_TIMEOUTS: SsmTimeouts = { connectMs: 1_000, requestMs: 2_000 };

/**
 * The container's SSM client. `throwOnRequestTimeout`: without it the SDK only logs a warning when
 * SSM does not answer in time, and keeps waiting.
 */
export function createSsmClient(timeouts: SsmTimeouts = SSM_TIMEOUTS): SSMClient {
  return new SSMClient({
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: timeouts.connectMs,
      requestTimeout: timeouts.requestMs,
      throwOnRequestTimeout: true,
    },
  });
}

/** Builds the Lambda runtime from the environment; throws ConfigurationError when a variable is missing. */
export function runtimeFromEnvironment(
  env: Readonly<Record<string, string | undefined>> = process.env,
): LayerRuntime {
  return runtimeFromConfig(readRuntimeConfig(env));
}

/**
 * The Lambda runtime of a configuration. Its one cold-start SSM read (corp id, secrets, token records
 * and leases: stage-read.ts) starts here, before the first call needs it.
 */
export function runtimeFromConfig(
  { prefix, credentials, baseUrl, corpId }: RuntimeConfig,
  ssm: SSMClient = createSsmClient(),
): LayerRuntime {
  const stageRead = startStageRead(ssm, stageParameterNames(prefix, credentials, corpId));
  return assemble({
    credentials: ssmCredentialSource({ ssm, prefix, names: credentials, stageRead, corpId }),
    store: new SsmTokenStore({ ssm, prefix, stageRead }),
    baseUrl,
  });
}

/**
 * Checked while Lambda loads the function, and the runtime built then too, so that the cold
 * container's SSM read runs during init, in parallel with the rest of the module loading.
 */
const lambdaConfig = process.env.AWS_LAMBDA_FUNCTION_NAME === undefined ? undefined : readRuntimeConfig();

let current: Runtime | undefined = lambdaConfig === undefined ? undefined : runtimeFromConfig(lambdaConfig);

/** The container's runtime: built from the environment on first use, then reused while warm. */
export function getRuntime(): Runtime {
  current ??= lambdaConfig === undefined ? runtimeFromEnvironment() : runtimeFromConfig(lambdaConfig);
  return current;
}

/** Injects a runtime (local server, tests). */
export function setRuntime(runtime: Runtime): void {
  current = runtime;
}

/** Forgets the runtime; the next getRuntime() builds a fresh one. */
export function resetRuntime(): void {
  current = undefined;
}
