/**
 * Peer requests end to end: each body real clients build (test/fixtures/peer-requests.ts, with its
 * source) goes through the local API to the embedded sandbox and succeeds, field types as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { getOperation } from '#shared/operations.ts';
import { PEER_REQUESTS } from '#test/fixtures/peer-requests.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ env: {} });
});
afterAll(() => api.stop());

describe('peer requests through the local API', () => {
  it.each(PEER_REQUESTS.map((request) => [request.source, request]))('%s → 200', async (_source, request) => {
    const { method, path } = getOperation(request.operation).http;
    const url = path.replace('{userid}', encodeURIComponent(String(request.body.userid)));

    const response = await fetch(`${api.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });

    expect({ status: response.status, body: await response.json() }).toMatchObject({
      status: 200,
      body: { errcode: 0 },
    });
  });
});
