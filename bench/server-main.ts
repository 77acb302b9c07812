/**
 * A server in a process of its own, for the measurements where WeCom (the sandbox) or the local API
 * must not share the benchmark's CPU time: `tsx bench/server-main.ts sandbox|local-api`. It prints one
 * JSON line (what the parent needs to call it) and stops when its stdin closes or on SIGTERM, so it
 * never outlives the benchmark.
 *
 * WeCom's per-minute limit is lifted (a benchmark sends far more than 10,000 calls a minute); every
 * other behaviour is the sandbox's default, with the demo directory.
 */
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';

export type ServerKind = 'sandbox' | 'local-api';

/** The line a server prints once it listens. */
export interface ServerInfo {
  readonly url: string;
  readonly corpId: string;
  readonly contactSecret: string;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

async function start(kind: string): Promise<{ info: ServerInfo; stop: () => Promise<void> }> {
  if (kind === 'sandbox') {
    const sandbox: Sandbox = await startSandbox({ seed: 'demo', rateLimitPerMinute: UNLIMITED });
    const info = { url: sandbox.url, corpId: sandbox.corpId, contactSecret: sandbox.contactSecret };
    return { info, stop: () => sandbox.stop() };
  }
  if (kind === 'local-api') {
    const api: LocalApi = await startLocalApi({
      env: {},
      sandbox: { seed: 'demo', rateLimitPerMinute: UNLIMITED },
    });
    const sandbox = api.sandbox;
    if (sandbox === undefined) throw new Error('the local API did not embed the sandbox');
    return {
      info: { url: api.url, corpId: sandbox.corpId, contactSecret: sandbox.contactSecret },
      stop: () => api.stop(),
    };
  }
  throw new Error(`unknown server kind "${kind}" (expected sandbox or local-api)`);
}

const server = await start(process.argv[2] ?? '');
process.stdout.write(`${JSON.stringify(server.info)}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.stop().finally(() => process.exit(0));
};
process.stdin.on('end', stop).on('close', stop).resume();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
