/**
 * One HTTP exchange on undici's dispatch interface (shared/src/wecom/exchange.ts): the whole answer as
 * UTF-8 text, a failure as a value, and one time bound that holds wherever the request is.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { exchange } from '#shared/wecom/exchange.ts';

let server: Server | undefined;
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  }
});

const agent = (options: ConstructorParameters<typeof Agent>[0] = {}) => {
  const created = new Agent(options);
  agents.push(created);
  return created;
};

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (origin: string) => ({ origin, path: '/cgi-bin/user/get', method: 'GET' as const, headers: {} });

describe('an exchange', () => {
  it('reads an answer sent in pieces whole, a character split across them included', async () => {
    const text = '{"errcode":0,"name":"张三"}';
    const bytes = Buffer.from(text, 'utf8');
    const split = bytes.indexOf(Buffer.from('张', 'utf8')) + 1;
    const origin = await listen((_, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write(bytes.subarray(0, split));
      setTimeout(() => response.end(bytes.subarray(split)), 10);
    });

    await expect(exchange(agent(), get(origin), 5_000)).resolves.toEqual({ statusCode: 200, body: text });
  });

  it('answers a failure with its error instead of throwing', async () => {
    const origin = await listen(() => undefined);
    server?.close();
    server?.closeAllConnections();
    server = undefined;

    const result = await exchange(agent(), get(origin), 5_000);

    expect(result).toMatchObject({
      timedOut: false,
      error: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });
  });

  it('ends at its time bound while the server is silent', async () => {
    const origin = await listen(() => undefined);

    const result = await exchange(agent(), get(origin), 50);

    expect(result).toMatchObject({ timedOut: true });
  });

  it('ends at its time bound while still waiting for a connection, and sends nothing', async () => {
    let requests = 0;
    const origin = await listen(() => {
      requests++;
    });
    // A connector that never connects: the request waits in the pool.
    const stuck = agent({ connect: () => undefined });

    const result = await exchange(stuck, get(origin), 50);

    expect(result).toMatchObject({ timedOut: true });
    expect(requests).toBe(0);
  });
});
