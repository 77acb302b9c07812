/**
 * The lookups' input rules agree with WeCom's (the sandbox's): what WeCom refuses for its format is
 * refused here, before it costs a miss, and what WeCom takes is never refused here.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import * as lookupSchemas from '#shared/lookup-schemas.ts';

const useridByEmail = lookupSchemas.useridByEmail();
const useridByMobile = lookupSchemas.useridByMobile();
const useridPage = lookupSchemas.useridPage();

let sandbox: Sandbox;
let accessToken: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 'demo', seats: 1_000_000 });
  const query = new URLSearchParams({ corpid: sandbox.corpId, corpsecret: sandbox.contactSecret });
  const answer = await fetch(`${sandbox.url}/cgi-bin/gettoken?${query}`);
  accessToken = ((await answer.json()) as { access_token: string }).access_token;
});
afterAll(() => sandbox.stop());

async function weComErrcode(api: string, body: Record<string, unknown>): Promise<number> {
  const answer = await fetch(`${sandbox.url}/cgi-bin/${api}?access_token=${accessToken}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await answer.json()) as { errcode: number }).errcode;
}

/** Format errcodes: the value itself is malformed. 46004 (not found) means WeCom took its form. */
const FORMAT_ERRCODES = new Set([60103, 60105, 40058]);

describe('the lookup rules, against WeCom’s', () => {
  it('a mobile: 5–32 of digits, +, - (and a stored space)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(
            '+86 13800000001',
            '+852-12345678',
            '12345',
            '1234',
            '138 0000 0001',
            '+',
            '',
            '-----',
          ),
          fc.stringMatching(/^[\d+ a-]{0,36}$/),
        ),
        async (mobile) => {
          const refusedByWeCom = FORMAT_ERRCODES.has(await weComErrcode('user/getuserid', { mobile }));
          expect(useridByMobile.safeParse({ mobile }).success, mobile).toBe(!refusedByWeCom);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('an e-mail address of 6–64 bytes, personal addresses included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(
            "o'brien@example.com",
            '张三@example.com',
            'ab@example',
            'a b@example.com',
            'a@b.c',
          ),
          fc.stringMatching(/^[a-z'! .张-]{0,40}@?[a-z.!-]{0,30}$/),
        ),
        fc.constantFrom(1, 2),
        async (email, emailType) => {
          const body = { email, email_type: emailType };
          const refusedByWeCom = FORMAT_ERRCODES.has(await weComErrcode('user/get_userid_by_email', body));
          expect(useridByEmail.safeParse(body).success, email).toBe(!refusedByWeCom);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('a page: a limit of 1–10,000 (a decimal string from the query), any cursor WeCom issued', () => {
    expect(useridPage.safeParse({ limit: '10000', cursor: 'MTIuMw' }).data).toEqual({
      limit: 10_000,
      cursor: 'MTIuMw',
    });
    expect(useridPage.safeParse({}).success).toBe(true);
    for (const limit of ['0', '10001', '1e3', '', 5.5]) {
      expect(useridPage.safeParse({ limit }).success, String(limit)).toBe(false);
    }
    expect(useridPage.safeParse({ cursor: 'x', other: 1 }).success).toBe(false);
  });
});
