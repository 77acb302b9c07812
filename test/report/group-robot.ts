/** A stand-in WeCom group robot on loopback: records what it is sent and answers as told. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RobotRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface GroupRobot {
  /** The webhook URL, with its secret key in the query as WeCom's is. */
  readonly url: string;
  readonly key: string;
  readonly received: RobotRequest[];
  /** The next answers' HTTP status and body; default 200 `{"errcode":0,"errmsg":"ok"}`. */
  answerWith(status: number, body: unknown): void;
  stop(): Promise<void>;
}

export async function startGroupRobot(): Promise<GroupRobot> {
  const key = 'robot-key-7f3c9a1e-5b2d-4c8e-9f0a-1d2e3f4a5b6c';
  const received: RobotRequest[] = [];
  let answer = { status: 200, body: { errcode: 0, errmsg: 'ok' } as unknown };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    received.push({
      method: request.method ?? '',
      url: request.url ?? '',
      contentType: request.headers['content-type'],
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    });
    response.writeHead(answer.status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(answer.body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=${key}`,
    key,
    received,
    answerWith: (status, body) => {
      answer = { status, body };
    },
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback URL on which nothing listens: the connection is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=refused-key-0000`;
}
