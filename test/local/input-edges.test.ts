/**
 * Input edges on the local API, end to end over HTTP: bodies nested too deep or too wide, invalid
 * UTF-8, content codings the API does not decode and request targets that are not paths are all
 * refused with a 4xx and a requestId, without a single WeCom call, and the server keeps serving.
 */
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { MAX_JSON_DEPTH, MAX_JSON_ENTRIES } from '#shared/middleware/json-bounds.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ env: {} });
});
afterAll(() => api.stop());
beforeEach(() => api.sandbox?.resetCounters());

const weComCalls = () => Object.values(api.sandbox?.counters() ?? {}).reduce((sum, count) => sum + count, 0);

/** A raw HTTP exchange: any request target, any bytes. */
function raw(method: string, target: string, body?: Buffer, headers: Record<string, string> = {}) {
  const { hostname, port } = new URL(api.url);
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    const outgoing = httpRequest({ host: hostname, port, method, path: target, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const member = '"userid":"edge","name":"边","mobile":"13800000777"';
const nested = (depth: number) => `{${member},"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`;
const wide = (entries: number) =>
  `{${member},"extra":[${Array.from({ length: entries }, () => '0').join(',')}]}`;

/** The server still answers a plain read after the refusals. */
async function stillServes() {
  const response = await fetch(`${api.url}/users/zhangsan`);
  expect(response.status).toBe(200);
}

describe('bodies out of bounds', () => {
  it('answers 400 to a body nested 6,000 deep (no stack overflow), without calling WeCom', async () => {
    const answer = await raw('POST', '/users', Buffer.from(nested(6_000)), JSON_HEADERS);

    expect(answer).toMatchObject({ status: 400, body: { requestId: expect.any(String) } });
    expect(answer.body.message).toMatch(/nested more than/);
    expect(weComCalls()).toBe(0);
  });

  it('takes a body at the depth bound, and refuses one level more', async () => {
    // The body is level 1 and `extra` level 2, so MAX - 1 brackets reach the bound exactly.
    const update = (depth: number) =>
      raw(
        'PATCH',
        '/users/zhangsan',
        Buffer.from(`{"extra":${'['.repeat(depth)}${']'.repeat(depth)}}`),
        JSON_HEADERS,
      );

    expect([(await update(MAX_JSON_DEPTH - 1)).status, (await update(MAX_JSON_DEPTH)).status]).toEqual([
      200, 400,
    ]);
  });

  it(`answers 400 to a list of more than ${MAX_JSON_ENTRIES} entries`, async () => {
    const answer = await raw('POST', '/users', Buffer.from(wide(MAX_JSON_ENTRIES + 1)), JSON_HEADERS);

    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/more than 10000 entries/);
    expect(weComCalls()).toBe(0);
  });
});

describe('bytes and codings', () => {
  it('answers 400 to a JSON body that is not valid UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from(`{${member},"alias":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const answer = await raw('POST', '/users', body, JSON_HEADERS);

    expect(answer).toMatchObject({ status: 400, body: { message: 'The body is not valid UTF-8' } });
    expect(weComCalls()).toBe(0);
  });

  it('answers 415 to a gzip body, saying the coding is not supported', async () => {
    const body = gzipSync(`{${member}}`);
    const answer = await raw('POST', '/users', body, { ...JSON_HEADERS, 'content-encoding': 'gzip' });

    expect(answer).toMatchObject({ status: 415, body: { message: expect.stringMatching(/gzip/) } });
    expect(weComCalls()).toBe(0);
  });
});

describe('request targets that are not paths', () => {
  it('answers 400 to the absolute form and 404 to the asterisk form, each with a requestId', async () => {
    const absolute = await raw('GET', 'http://example.com/users/zhangsan');
    const asterisk = await raw('OPTIONS', '*');

    expect(absolute).toMatchObject({ status: 400, body: { requestId: expect.any(String) } });
    expect(asterisk).toMatchObject({ status: 404, body: { requestId: expect.any(String) } });
    expect(weComCalls()).toBe(0);
    await stillServes();
  });
});

/** A body that breaks one input rule, as bytes with its headers. */
const hostileBody = fc.oneof(
  fc
    .integer({ min: MAX_JSON_DEPTH, max: 20_000 })
    .map((depth) => ({ body: Buffer.from(nested(depth)), headers: JSON_HEADERS })),
  fc
    .integer({ min: MAX_JSON_ENTRIES + 1, max: 30_000 })
    .map((entries) => ({ body: Buffer.from(wide(entries)), headers: JSON_HEADERS })),
  // A lone continuation byte, a truncated sequence, an overlong form, a surrogate encoded in UTF-8.
  fc.constantFrom([0x80], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff]).map((bytes) => ({
    body: Buffer.concat([Buffer.from(`{${member},"alias":"`), Buffer.from(bytes), Buffer.from('"}')]),
    headers: JSON_HEADERS,
  })),
  fc.constantFrom('gzip', 'br', 'deflate', 'compress', 'x-custom', 'identity, gzip').map((coding) => ({
    body: Buffer.from(`{${member}}`),
    headers: { ...JSON_HEADERS, 'content-encoding': coding },
  })),
);

describe('any hostile body (property)', () => {
  it('is refused with a 4xx and a requestId, calls WeCom never, and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileBody,
        fc.constantFrom(['POST', '/users'], ['PATCH', '/users/lisi'], ['POST', '/invitations']),
        async ({ body, headers }, [method, path]) => {
          const answer = await raw(method as string, path as string, body, headers);

          expect(answer.status).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
          expect(answer.body.requestId).toEqual(expect.any(String));
        },
      ),
      { numRuns: 60 },
    );
    expect(weComCalls()).toBe(0);
    await stillServes();
  });
});
