/**
 * Load and fault tools for the robustness suite (and the benchmark's load generator): a bounded
 * concurrency runner, a seeded random source, a per-call fault schedule for the sandbox, and a
 * forwarding proxy that can lose answers or answer for its target (faults the sandbox cannot make).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { Sandbox, SandboxApi, SandboxFault } from '#sandbox/types.ts';

/**
 * Runs `task(0) … task(count - 1)` with at most `concurrency` in flight; resolves with the results in
 * index order. A task that throws fails the whole run (callers map expected failures to values).
 */
export async function runBounded<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** mulberry32: a small seeded generator, so a "random" fault schedule is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A fault that changes nothing: the call waits 0 ms and is then served normally. */
const PASS: SandboxFault = { kind: 'delay', ms: 0 };

export interface FaultSchedule {
  /** Probability that any one call meets the fault. */
  readonly rate: number;
  /** How many calls the schedule covers; later calls are served normally. */
  readonly calls: number;
  readonly fault: SandboxFault;
  readonly random: () => number;
}

/**
 * The sandbox injects faults into "the next n calls", in order. Queuing a decision for every call —
 * the fault, or a 0 ms delay that passes — makes each call meet the fault independently with
 * probability `rate`, whatever the concurrency and however many retries there are. Returns how many
 * faults were scheduled.
 */
export function scheduleFaults(sandbox: Sandbox, api: SandboxApi | '*', schedule: FaultSchedule): number {
  let faults = 0;
  let run: { fault: SandboxFault; length: number } | undefined;
  const flush = () => {
    if (run) sandbox.injectFault(api, run.fault, run.length);
  };
  for (let call = 0; call < schedule.calls; call++) {
    const fault = schedule.random() < schedule.rate ? schedule.fault : PASS;
    if (fault !== PASS) faults++;
    if (run?.fault === fault) {
      run.length++;
    } else {
      flush();
      run = { fault, length: 1 };
    }
  }
  flush();
  return faults;
}

/** What the proxy does with one request. */
export type ProxyAction =
  | { readonly kind: 'forward' }
  /** Forward it, let the target act on it, then reset the connection instead of answering. */
  | { readonly kind: 'lose-answer' }
  /** Answer for the target without forwarding. */
  | {
      readonly kind: 'answer';
      readonly status: number;
      readonly headers: Record<string, string>;
      readonly body: string;
    };

export interface FaultyProxy {
  readonly url: string;
  /** Requests seen, by action taken. */
  readonly seen: Record<ProxyAction['kind'], number>;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of `target` (the sandbox, moto_server). `decide` sees each
 * request's method, path and body and picks its fate; the default is to forward it unchanged.
 */
export async function startFaultyProxy(
  target: string,
  decide: (request: IncomingMessage, body: Buffer) => ProxyAction,
): Promise<FaultyProxy> {
  const agent = new Agent();
  const seen = { forward: 0, 'lose-answer': 0, answer: 0 };
  const server = createServer((incoming, outgoing) => {
    relay(incoming, outgoing).catch(() => outgoing.destroy());
  });

  async function relay(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const action = decide(incoming, body);
    seen[action.kind]++;
    if (action.kind === 'answer') {
      outgoing.writeHead(action.status, action.headers).end(action.body);
      return;
    }
    const { host: _host, connection: _connection, ...headers } = incoming.headers;
    const answer = await request(new URL(incoming.url ?? '/', target), {
      dispatcher: agent,
      method: incoming.method ?? 'GET',
      headers,
      body: body.length > 0 ? body : undefined,
    });
    const answerBody = Buffer.from(await answer.body.arrayBuffer());
    if (action.kind === 'lose-answer') {
      incoming.socket.resetAndDestroy();
      return;
    }
    const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...answerHeaders } = answer.headers;
    outgoing.writeHead(answer.statusCode, answerHeaders as Record<string, string | string[]>).end(answerBody);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await agent.close();
    },
  };
}
