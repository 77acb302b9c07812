/**
 * The WeCom sandbox: a stateful emulator of WeCom's member API (docs/wecom.md) on a loopback HTTP
 * server. `startSandbox()` is the entry point for tests, benchmarks, the local API and the CLI.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Credentials } from './access.ts';
import { arrangeDirectory, seedDemo } from './arrange.ts';
import { Directory } from './directory.ts';
import { hintGenerator } from './envelope.ts';
import { FaultPlan } from './faults.ts';
import { ConcurrencyGate, RateLimiter } from './limits.ts';
import { LookupBudget } from './lookup-budget.ts';
import { DEMO_COMPANY } from './seed.ts';
import { requestListener } from './server.ts';
import { TokenIssuer } from './tokens.ts';
import type { Sandbox, SandboxApp, SandboxOptions, StartSandbox } from './types.ts';

export type * from './types.ts';

/** Defaults: WeCom's own numbers where it has them (§2: 7200 s, §18: 10,000 calls/min). */
export const SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  corpId: 'ww0123456789abcdef',
  contactSecret: 'sandbox-contact-secret',
  apps: [{ agentId: 1000002, secret: 'sandbox-app-secret' }] as readonly SandboxApp[],
  tokenLifetimeSeconds: 7200,
  rateLimitPerMinute: 10_000,
  seats: 200,
} as const;

type Settings = Required<
  Pick<
    SandboxOptions,
    | 'tokenLifetimeSeconds'
    | 'tokenMode'
    | 'reissuedExpiresIn'
    | 'rateLimitPerMinute'
    | 'concurrencyLimit'
    | 'seats'
  >
> &
  Pick<SandboxOptions, 'trustedIps'>;

export const startSandbox: StartSandbox = async (options = {}) => {
  const clock = options.clock ?? Date.now;
  const corpId = options.corpId ?? SANDBOX_DEFAULTS.corpId;
  const contactSecret = options.contactSecret ?? SANDBOX_DEFAULTS.contactSecret;
  const apps = (options.apps ?? SANDBOX_DEFAULTS.apps).map((app) => ({ ...app }));
  const settings: Settings = {
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? SANDBOX_DEFAULTS.tokenLifetimeSeconds,
    tokenMode: options.tokenMode ?? 'same-token',
    reissuedExpiresIn: options.reissuedExpiresIn ?? 'remaining',
    rateLimitPerMinute: options.rateLimitPerMinute ?? SANDBOX_DEFAULTS.rateLimitPerMinute,
    concurrencyLimit: options.concurrencyLimit ?? Number.POSITIVE_INFINITY,
    trustedIps: options.trustedIps,
    seats: options.seats ?? SANDBOX_DEFAULTS.seats,
  };
  const seed = options.seed ?? 'empty';
  const directory = new Directory(seed === 'demo' ? DEMO_COMPANY : '企业');
  const directoryAccess = arrangeDirectory(directory);
  if (seed === 'demo') seedDemo(directoryAccess);

  const tokens = new TokenIssuer(clock, settings);
  const counters = new Map<string, number>();
  const faults = new FaultPlan();
  const stopping = new AbortController();
  const server = createServer(
    requestListener({
      corp: {
        corpId,
        directory,
        clock,
        lookupBudget: new LookupBudget(clock, () => settings.seats),
      },
      settings,
      credentials: new Credentials(contactSecret, apps),
      tokens,
      faults,
      rateLimiter: new RateLimiter(clock, () => settings.rateLimitPerMinute),
      concurrency: new ConcurrencyGate(() => settings.concurrencyLimit),
      counters,
      nextHint: hintGenerator(clock),
      stopping: stopping.signal,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? SANDBOX_DEFAULTS.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    corpId,
    contactSecret,
    apps,
    configure(changes) {
      for (const [name, value] of Object.entries(changes)) {
        if (value !== undefined || name === 'trustedIps') Object.assign(settings, { [name]: value });
      }
    },
    injectFault: (api, fault, count = 1) => faults.add(api, fault, count),
    clearFaults: () => faults.clear(),
    revokeTokens: () => tokens.revokeAll(),
    counters: () => Object.freeze(Object.fromEntries(counters)),
    resetCounters: () => counters.clear(),
    directory: directoryAccess,
    async stop() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  } satisfies Sandbox;
};
