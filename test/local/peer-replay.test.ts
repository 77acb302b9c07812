/**
 * Peer replay: success answers recorded in peer SDKs' fixtures (test/fixtures/peer-answers.json, each
 * with its source) are served by a tiny HTTP server standing in for WeCom, and every route they cover
 * is called through the local API. The caller gets each answer as WeCom gave it: same fields, same
 * values, unknown fields kept.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import recorded from '#test/fixtures/peer-answers.json' with { type: 'json' };
import { beijingYesterday } from '#test/functions/support/dates.ts';

interface RecordedAnswer {
  readonly source: string;
  readonly api: string;
  readonly method: string;
  readonly path: string;
  readonly answer: Record<string, unknown>;
}

const ANSWERS: readonly RecordedAnswer[] = recorded.answers;

/** WeCom's stand-in: gettoken mints a token; every other call gets the recorded answer of its API. */
function startReplayServer() {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    const api = new URL(request.url ?? '/', 'http://replay').pathname.replace(/^\/cgi-bin\//, '');
    calls.push(api);
    request.resume();
    const answer =
      api === 'gettoken'
        ? { errcode: 0, errmsg: 'ok', access_token: 'replay-token', expires_in: 7200 }
        : (ANSWERS.find((recordedAnswer) => recordedAnswer.api === api)?.answer ?? {
            errcode: 40058,
            errmsg: 'not recorded',
          });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
  return { server, calls };
}

let replay: ReturnType<typeof startReplayServer>;
let api: LocalApi;
beforeAll(async () => {
  replay = startReplayServer();
  await new Promise<void>((resolve) => replay.server.listen(0, '127.0.0.1', resolve));
  const { port } = replay.server.address() as AddressInfo;
  api = await startLocalApi({
    env: {
      WECOM_CORP_ID: 'wwreplay',
      WECOM_SECRET: 'replay-secret',
      WECOM_BASE_URL: `http://127.0.0.1:${port}`,
    },
  });
});
afterAll(async () => {
  await api.stop();
  await new Promise<void>((resolve) => (replay.server as Server).close(() => resolve()));
});
beforeEach(() => {
  replay.calls.length = 0;
});

describe('recorded peer answers, replayed through the local API', () => {
  it.each(ANSWERS.map((entry) => [entry.api, entry]))('%s comes back unchanged', async (wecomApi, entry) => {
    const response = await fetch(`${api.url}${entry.path.replace('{yesterday}', beijingYesterday())}`, {
      method: entry.method,
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual(entry.answer);
    expect(replay.calls.filter((call) => call !== 'gettoken')).toEqual([wecomApi]);
  });

  it('cites the source of each recorded answer', () => {
    for (const entry of ANSWERS) expect(entry.source).toMatch(/^(wechatpy\/wechatpy|binarywang\/WxJava) \S+/);
  });
});
