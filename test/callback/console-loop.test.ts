/**
 * The whole loop in local mode: the sandbox's admin console changes the directory, calls the local
 * callback route back as WeCom does (handshake, signed and encrypted POST, retries), the handler
 * verifies, decrypts, de-duplicates, enriches and publishes to the local sink.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { CallbackSender } from '#sandbox/console/sender.ts';
import { DETAIL_SCHEMAS } from '#shared/callback/detail-schemas.ts';
import type { DetailType } from '#shared/callback/events.ts';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ env: {} });
});
afterAll(() => api.stop());

async function change(body: object) {
  const response = await fetch(`${api.url}/_sandbox/console`, { method: 'POST', body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const detailOf = (answer: { body: Record<string, unknown> }) =>
  (answer.body.events as Array<{ 'detail-type': string; detail: Record<string, unknown> }>)[0];

describe('sandbox console → callback → event (minimal fields, as after 2022-08-15)', () => {
  it('create_tag makes a tag in the directory and calls nothing back (WeCom has no such event)', async () => {
    const answer = await change({ kind: 'create_tag', tagname: '值班', tagid: 7 });
    expect(answer.body).toMatchObject({ callback: 'not-called-back', applied: { tagid: 7 }, events: [] });
  });

  it.each([
    [
      'create_user',
      {
        kind: 'create_user',
        member: { userid: 'xiaoming', name: '小明', mobile: '13800000099', department: [2] },
      },
      'Member created',
      { UserID: 'xiaoming', Department: [2] },
    ],
    [
      'update_user',
      { kind: 'update_user', userid: 'xiaoming', changes: { department: [1, 2] } },
      'Member updated',
      { UserID: 'xiaoming', Department: [1, 2] },
    ],
    ['delete_user', { kind: 'delete_user', userid: 'xiaoming' }, 'Member deleted', { UserID: 'xiaoming' }],
    [
      'create_party',
      { kind: 'create_party', id: 90, name: '研发二部', parentid: 1 },
      'Department created',
      { Id: 90, ParentId: 1 },
    ],
    [
      'update_party',
      { kind: 'update_party', id: 90, parentid: 2 },
      'Department updated',
      { Id: 90, ParentId: 2 },
    ],
    ['delete_party', { kind: 'delete_party', id: 90 }, 'Department deleted', { Id: 90 }],
    [
      'update_tag',
      { kind: 'update_tag', tagid: 7, addUsers: ['zhangsan'], addParties: [3] },
      'Tag members changed',
      { TagId: 7, AddUserItems: ['zhangsan'], DelUserItems: [], AddPartyItems: [3], DelPartyItems: [] },
    ],
  ])('%s', async (kind, body, detailType, fields) => {
    const answer = await change(body);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ change: kind, callback: 'delivered', delivery: { attempts: [200] } });
    const event = detailOf(answer);
    expect(event?.['detail-type']).toBe(detailType);
    expect(event?.detail).toMatchObject({ ...fields, changeType: kind, corpId: api.sandbox?.corpId });
    expect(DETAIL_SCHEMAS[detailType as DetailType].safeParse(event?.detail).success).toBe(true);
  });

  it('changes the sandbox directory, and the enrichment reads the member from it', async () => {
    const answer = await change({
      kind: 'create_user',
      member: { userid: 'lihua', name: '李华', email: 'lihua@example.com', department: [1] },
    });
    expect(api.sandbox?.directory.member('lihua')?.name).toBe('李华');
    expect(detailOf(answer)?.detail.member).toMatchObject({ userid: 'lihua', name: '李华' });
  });

  it('sends nothing for an update that moves no department and renames no userid', async () => {
    const before = api.events.length;
    const answer = await change({ kind: 'update_user', userid: 'lihua', changes: { position: 'CTO' } });
    expect(answer.body).toMatchObject({ callback: 'not-called-back', events: [] });
    expect(api.events.length).toBe(before);
  });

  it('sends every changed field with the full option', async () => {
    const answer = await change({
      kind: 'update_user',
      userid: 'lihua',
      changes: { position: 'CTO' },
      fields: 'full',
    });
    expect(detailOf(answer)?.detail).toMatchObject({ UserID: 'lihua', Position: 'CTO' });
  });

  it('calls back the tag members really changed: known members only, nothing when none changed', async () => {
    const again = await change({ kind: 'update_tag', tagid: 7, addUsers: ['zhangsan', 'nobody-here'] });
    expect(again.body).toMatchObject({ callback: 'not-called-back', events: [] });

    const removed = await change({ kind: 'update_tag', tagid: 7, delUsers: ['zhangsan', 'nobody-here'] });
    expect(detailOf(removed)?.detail).toMatchObject({
      TagId: 7,
      AddUserItems: [],
      DelUserItems: ['zhangsan'],
    });
  });

  it.each([
    ['a department with members (60005)', { kind: 'delete_party', id: 3 }, 60005],
    ['a department with sub-departments (60006)', { kind: 'delete_party', id: 2 }, 60006],
    ['a move under its own child (60010)', { kind: 'update_party', id: 2, parentid: 3 }, 60010],
    ['an unknown tag (40068)', { kind: 'update_tag', tagid: 404, addUsers: ['zhangsan'] }, 40068],
  ])('refuses %s: the directory keeps it and nothing is called back', async (_, body, errcode) => {
    const before = api.events.length;
    expect(await change(body)).toMatchObject({ status: 400, body: { errcode } });
    expect(api.events.length).toBe(before);
    expect(api.sandbox?.directory.departments().find((department) => department.id === 2)?.parentid).toBe(1);
  });

  it('moves a department only when the parent changes: the same parent is not called back', async () => {
    const answer = await change({ kind: 'update_party', id: 4, parentid: 2, name: '服务端组' });
    expect(answer.body).toMatchObject({ callback: 'not-called-back', events: [] });
    expect(api.sandbox?.directory.departments().find((department) => department.id === 4)?.name).toBe(
      '服务端组',
    );
  });

  it('answers 400 for a change it does not know', async () => {
    expect(await change({ kind: 'drop_table' })).toMatchObject({ status: 400 });
  });

  it('answers the sandbox refusal and calls nothing back', async () => {
    const before = api.events.length;
    const answer = await change({ kind: 'delete_user', userid: 'nobody-here' });
    expect(answer).toMatchObject({ status: 400, body: { errcode: 60111 } });
    expect(api.events.length).toBe(before);
  });
});

describe('the sender, as WeCom', () => {
  it('passes the handshake of the local route and fails it with the wrong token', async () => {
    const target = {
      url: `${api.url}/callbacks/contact`,
      token: 'LocalCallbackToken',
      encodingAesKey: 'LocalCallbackEncodingAesKey0123456789abcdef',
      corpId: api.sandbox?.corpId as string,
    };
    expect(await new CallbackSender(target).verifyUrl()).toBe(true);
    expect(await new CallbackSender({ ...target, token: 'WrongToken' }).verifyUrl()).toBe(false);
  });

  it('retries a non-200 answer up to 3 times, then gives up', async () => {
    const statuses = [500, 502, 200];
    let calls = 0;
    const server = createServer((_, response) => {
      response.statusCode = statuses[calls++] ?? 500;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const sender = new CallbackSender(
      { url, token: 't', encodingAesKey: 'LocalCallbackEncodingAesKey0123456789abcdef', corpId: 'ww1' },
      { retryDelayMs: 0 },
    );
    try {
      expect(await sender.deliver('<xml/>')).toEqual({ attempts: [500, 502, 200], delivered: true });
      calls = 3;
      expect(await sender.deliver('<xml/>')).toEqual({ attempts: [500, 500, 500, 500], delivered: false });
    } finally {
      server.close();
    }
  });
});
