import { describe, expect, it } from 'vitest';
import { defineOperation } from '#shared/define-operation.ts';
import { OPERATIONS } from '#shared/operations.ts';
import { departmentListing, openidRef, userRef } from '#shared/schemas.ts';

describe('the operation table', () => {
  it('has unique ids and unique routes', () => {
    expect(new Set(OPERATIONS.map((operation) => operation.id)).size).toBe(OPERATIONS.length);
    expect(new Set(OPERATIONS.map(({ http }) => `${http.method} ${http.path}`)).size).toBe(OPERATIONS.length);
  });
});

describe('defineOperation', () => {
  const row = {
    id: 'probe',
    summary: 'probe',
    http: { method: 'POST', path: '/probe' },
    credential: 'read',
    idempotent: true,
    queued: false,
  } as const;

  it("ties a row's input schema to its WeCom call's request: a mismatch does not compile", () => {
    // @ts-expect-error user/get takes { userid }, and this schema gives { openid }
    defineOperation({ ...row, wecomApi: 'user/get', input: openidRef });
    // @ts-expect-error a schema of its own needs a behaviour that takes its output
    defineOperation({ ...row, wecomApi: 'user/get', input: departmentListing });

    const plain = defineOperation({ ...row, wecomApi: 'user/get', input: userRef });
    expect(plain.validate({ userid: 'lisi' }).success).toBe(true);
    expect(plain.validate({ openid: 'o1' }).success).toBe(false);
  });

  it('builds its input schema on first use, once', () => {
    let builds = 0;
    const operation = defineOperation({
      ...row,
      wecomApi: 'user/get',
      input: () => {
        builds += 1;
        return userRef();
      },
    });
    expect(builds).toBe(0);
    expect(operation.validate({ userid: 'lisi' }).success).toBe(true);
    expect(operation.validate({ userid: '' }).success).toBe(false);
    expect(operation.input).toBe(userRef());
    expect(builds).toBe(1);
  });

  it('runs the row’s behaviour with the validated input, or one passed-on call of its WeCom API', async () => {
    const calls: unknown[] = [];
    const recording =
      (kind: string) =>
      async (api: string, request: unknown): Promise<never> => {
        calls.push([kind, api, request]);
        return { errcode: 0, errmsg: 'ok' } as never;
      };
    const context = { call: recording('call'), passOn: recording('passOn'), count: () => undefined };
    const plain = defineOperation({ ...row, wecomApi: 'user/get', input: userRef });
    const own = defineOperation({
      ...row,
      wecomApi: 'user/get',
      input: departmentListing,
      behaviour: {
        description: 'reads the department head',
        perform: (input, { call }) => call('user/get', { userid: `head-${input.department_id}` }),
      },
    });

    for (const [operation, payload] of [
      [plain, { userid: 'lisi' }],
      [own, { department_id: '7' }],
    ] as const) {
      const validated = operation.validate(payload);
      if (!validated.success) throw validated.error;
      await validated.run(context);
    }

    // A row without behaviour passes its answer on (its text, over HTTP); a behaviour reads it.
    expect(calls).toEqual([
      ['passOn', 'user/get', { userid: 'lisi' }],
      ['call', 'user/get', { userid: 'head-7' }],
    ]);
  });
});
