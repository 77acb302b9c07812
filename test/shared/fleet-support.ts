/**
 * "Containers" for the fleet tests: each builds what a Lambda container builds at module scope (its
 * own SSM client, credential source, token store, provider, undici agent and WeCom client), against a
 * shared SSM (moto_server) and a shared WeCom (the sandbox). Counts, not times: every container
 * counts its token reads and the waits its provider scheduled.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { SSMClient, type SSMClient as SsmClientType, ThrottlingException } from '@aws-sdk/client-ssm';
import { Agent } from 'undici';
import type { Sandbox } from '#sandbox/types.ts';
import type { WeComClient } from '#shared/contracts.ts';
import { ssmCredentialSource } from '#shared/credentials.ts';
import { describeError } from '#shared/error-mapping.ts';
import type { LeaseSettings, TokenProviderOptions } from '#shared/token/provider.ts';
import { TokenProvider } from '#shared/token/provider.ts';
import { SsmTokenStore } from '#shared/token/ssm-store.ts';
import { createWeComClient } from '#shared/wecom/client.ts';
import { REAL_RETRY_ENVIRONMENT } from '#shared/wecom/retry.ts';
import { createTransport } from '#shared/wecom/transport.ts';
import type { Moto } from '#test/support/moto.ts';

export interface Container {
  readonly client: WeComClient;
  /** Reads of the token record so far. */
  reads(): number;
  /** Milliseconds of waiting the provider scheduled so far (polls of the lease). */
  waitedMs(): number;
  close(): Promise<void>;
}

export interface ContainerOptions {
  readonly moto: Pick<Moto, 'clientConfig'>;
  readonly sandbox: Sandbox;
  readonly prefix: string;
  readonly clock: () => number;
  readonly index: number;
  readonly lease?: Partial<LeaseSettings>;
  /** Provider tuning beyond the lease (backoff, recheck interval). */
  readonly tokens?: Pick<TokenProviderOptions, 'backoff' | 'credentialRecheckMs'>;
  /**
   * Count the waits the provider schedules (they still take their real time: waits that took none
   * would let followers poll SSM as fast as it answers, and run out before a loaded holder is done).
   */
  readonly countWaits?: boolean;
  /**
   * Whether SSM throttles this container's `call`-th GetParameter(s)/PutParameter (decided before it
   * leaves). Counted per container, so the outcome does not depend on how the herd interleaves.
   */
  readonly throttle?: (call: number) => boolean;
}

const METERED = new Set(['GetParameterCommand', 'GetParametersCommand', 'PutParameterCommand']);

/** Above the SDK's own retries: what the provider sees once they are spent. */
function throttleLikeSsm(ssm: SsmClientType, throttle: (call: number) => boolean): void {
  let calls = 0;
  ssm.middlewareStack.add(
    (next, context) => (args) => {
      if (METERED.has(context.commandName ?? '') && throttle(calls++)) {
        throw new ThrottlingException({
          message: 'Rate exceeded',
          Message: 'Rate exceeded',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleLikeSsm' },
  );
}

export function startContainer(options: ContainerOptions): Container {
  const { moto, sandbox, prefix, clock, index } = options;
  const ssm = new SSMClient(moto.clientConfig());
  if (options.throttle) throttleLikeSsm(ssm, options.throttle);
  const agent = new Agent();
  let reads = 0;
  let waitedMs = 0;
  const store = new SsmTokenStore({ ssm, prefix });
  const read = store.read.bind(store);
  store.read = (credential) => {
    reads++;
    return read(credential);
  };
  const transport = createTransport({ baseUrl: sandbox.url, dispatcher: agent, clock });
  const tokens = new TokenProvider({
    ...options.tokens,
    credentials: ssmCredentialSource({ ssm, prefix, names: ['contact'] }),
    transport,
    store,
    clock,
    lease: options.lease,
    holderId: `container-${index}`,
    ...(options.countWaits
      ? {
          sleep: (ms: number) => {
            waitedMs += ms;
            return delay(ms);
          },
        }
      : {}),
  });
  const client = createWeComClient({
    transport,
    tokens,
    retryEnvironment: { ...REAL_RETRY_ENVIRONMENT, now: clock },
  });
  return {
    client,
    reads: () => reads,
    waitedMs: () => waitedMs,
    close: async () => {
      ssm.destroy();
      await agent.close();
    },
  };
}

/** What one request of a container answered, as the HTTP layer would map it. */
export interface Answer {
  readonly status: number;
  readonly message?: string;
  readonly retryAfterSeconds?: number;
}

/** Every container reads one member at the same moment; what each request answered. */
export async function everyoneReads(members: readonly Container[]): Promise<Answer[]> {
  return Promise.all(
    members.map(({ client }) =>
      client.call('user/get', { userid: 'zhangsan' }, { credential: 'contact', idempotent: true }).then(
        (): Answer => ({ status: 200 }),
        (error: unknown): Answer => {
          const { status, message, retryAfterSeconds } = describeError(error, 'user-get');
          return { status, message, retryAfterSeconds };
        },
      ),
    ),
  );
}
