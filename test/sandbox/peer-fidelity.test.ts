/**
 * The sandbox and our schemas agree on what real clients send: each body of
 * test/fixtures/peer-requests.ts (with its source) is accepted by the sandbox (errcode 0) and by the
 * operation's input schema. Where they disagreed, the service refused what WeCom takes.
 */
import { describe, expect, it } from 'vitest';
import { getOperation } from '#shared/operations.ts';
import { PEER_REQUESTS } from '#test/fixtures/peer-requests.ts';
import { sandboxFor } from './client.ts';

describe('peer requests: sandbox and schema agree', () => {
  it.each(PEER_REQUESTS.map((request) => [request.source, request]))('%s', async (_source, request) => {
    const operation = getOperation(request.operation);
    const { client } = await sandboxFor({ seed: 'demo' });

    const answer = await client.post(operation.wecomApi, { ...request.body });
    const parsed = operation.input.safeParse(request.body);

    expect(answer).toMatchObject({ errcode: 0 });
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
