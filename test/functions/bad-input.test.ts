/**
 * Property-based bad input on every route (fast-check, bounded runs): a valid request spoiled in one
 * way — a field of the wrong type or shape, a bad path or query value, an unknown query parameter,
 * a body that is not JSON or not JSON at all, a body that disagrees with the URL. Every answer is a
 * 4xx (never a 5xx, never a throw), and the sandbox's counters prove nothing reached WeCom.
 *
 * Then the other direction: values WeCom itself (the sandbox) refuses for their format — mobiles,
 * email addresses, texts WeCom cannot read or that are too long — must be refused by our schemas
 * before any call. These properties fail as soon as a schema is looser than WeCom.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOperation, OPERATIONS, type OperationDefinition, type OperationId } from '#shared/operations.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';
import { VALID_REQUESTS } from './support/requests.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.stop());

const RUNS_PER_ROUTE = 60;

/** Values of every JSON type, including the near misses WeCom's rules are about. */
const anyValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', minLength: 60, maxLength: 300 }),
  fc.constantFrom('', ' ', '-1', '0', '1e3', '２', 'a b', '-lead', '.x', '2026-02-30', '+', 'x@y'),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), { maxLength: 120 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);
const urlValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', '0', '-1', '1.5', '1e3', '99999999999', 'abc', '%', 'a b', '.zhang', '2026-13-01', '5'),
);

/** Fields the route's schema knows, plus a few it does not. */
function fieldsOf(id: OperationId): string[] {
  const shape = (getOperation(id).input as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  return [...Object.keys(shape), 'extra', '__proto__', 'access_token'];
}

interface Request {
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  rawBody?: string;
  contentType?: string;
}

/** The operation's input as the function assembles it, to tell whether a spoiled request is still valid. */
const isValid = (id: OperationId, { pathParameters, query, body }: Request) =>
  getOperation(id).input.safeParse({ ...body, ...query, ...pathParameters }).success;

function spoiled(id: OperationId): fc.Arbitrary<Request> {
  const valid = VALID_REQUESTS[id];
  const base: Request = {
    pathParameters: { ...valid.pathParameters },
    query: { ...valid.query },
    body: valid.body === undefined ? undefined : { ...(valid.body as Record<string, unknown>) },
  };
  const { http }: OperationDefinition = getOperation(id);
  const pathNames = Object.keys(base.pathParameters);
  const queryNames = [...(http.query ?? [])];
  const fieldValue = fc
    .record({ field: fc.constantFrom(...fieldsOf(id)), value: anyValue })
    .map(({ field, value }): Request => {
      const body = { ...base.body };
      Object.defineProperty(body, field, { value, enumerable: true, writable: true, configurable: true });
      return { ...base, body };
    });
  const candidates: fc.Arbitrary<Request>[] = [
    fieldValue.filter((request) => !isValid(id, request)),
    fc
      .record({ name: fc.string({ minLength: 1, maxLength: 12 }), value: urlValue })
      .filter(({ name }) => !queryNames.includes(name))
      .map(({ name, value }) => ({ ...base, query: { ...base.query, [name]: value } })),
    fc
      .string({ minLength: 1, maxLength: 200 })
      .filter((text) => !isJsonObject(text))
      .map((rawBody) => ({ ...base, rawBody })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/json; charset=gbk',
      )
      .map((contentType) => ({ ...base, rawBody: JSON.stringify(base.body ?? {}), contentType })),
  ];
  if (pathNames.length > 0) {
    candidates.push(
      fc
        .record({ name: fc.constantFrom(...pathNames), value: urlValue })
        .map(({ name, value }) => ({ ...base, pathParameters: { ...base.pathParameters, [name]: value } }))
        .filter((request) => !isValid(id, request)),
      fc
        .record({ name: fc.constantFrom(...pathNames), value: fc.string({ minLength: 1, maxLength: 20 }) })
        .filter(({ name, value }) => base.pathParameters[name] !== value)
        .map(({ name, value }) => ({ ...base, body: { ...base.body, [name]: value } })),
    );
  }
  if (queryNames.length > 0) {
    candidates.push(
      fc
        .record({ name: fc.constantFrom(...queryNames), value: urlValue })
        .map(({ name, value }) => ({ ...base, query: { ...base.query, [name]: value } }))
        .filter((request) => !isValid(id, request)),
    );
  }
  return fc.oneof(...candidates);
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function toEvent(id: OperationId, request: Request) {
  const event = routeEvent(id, {
    pathParameters: request.pathParameters,
    query: request.query,
    body: request.body,
  });
  if (request.rawBody !== undefined) event.body = request.rawBody;
  if (request.contentType !== undefined || request.rawBody !== undefined) {
    event.headers = { ...event.headers, 'content-type': request.contentType ?? 'application/json' };
  }
  if (Object.keys(request.query).length === 0) delete event.queryStringParameters;
  return event;
}

describe.each(OPERATIONS.map(({ id, http }) => [id, `${http.method} ${http.path}`] as const))(
  '%s (%s)',
  (id) => {
    it('answers spoiled requests with a 4xx and never calls WeCom', async () => {
      harness.sandbox.resetCounters();

      await fc.assert(
        fc.asyncProperty(spoiled(id), async (request) => {
          const answer = httpAnswer(await harness.invoke(id, toEvent(id, request)));

          expect(answer.statusCode).toBeGreaterThanOrEqual(400);
          expect(answer.statusCode).toBeLessThan(500);
          expect(answer.body).toMatchObject({ message: expect.any(String), requestId: expect.any(String) });
          expect(answer.body.errcode).toBeUndefined();
        }),
        { numRuns: RUNS_PER_ROUTE },
      );

      expect(harness.sandbox.counters()).toEqual({});
    });
  },
);

describe('any invalid event at all, invoked directly', () => {
  it('is refused by name (ValidationError), never with a crash', async () => {
    harness.sandbox.resetCounters();

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPERATIONS.map(({ id }) => id)),
        fc.anything(),
        async (id, event) => {
          // middy hands an absent event over as {}.
          fc.pre(event !== undefined && !getOperation(id).input.safeParse(event).success);
          const outcome = await harness.invoke(id, event).then(
            () => 'answered',
            (error: unknown) => (error instanceof Error ? error.name : 'not an error'),
          );
          expect(outcome).toBe('ValidationError');
        },
      ),
      { numRuns: 200 },
    );

    expect(harness.sandbox.counters()).toEqual({});
  });
});

/** The errcodes WeCom answers user/create for a malformed field (not for the directory's state). */
const FORMAT_ERRCODES = new Set([40033, 40058, 60103, 60105, 60112, 60143, 301012, 301013, 301015]);

describe('a value WeCom refuses for its format', () => {
  let accessToken: string;
  let probes = 0;
  beforeAll(async () => {
    const query = new URLSearchParams({
      corpid: harness.sandbox.corpId,
      corpsecret: harness.sandbox.contactSecret,
    });
    const answer = await fetch(`${harness.sandbox.url}/cgi-bin/gettoken?${query}`);
    accessToken = ((await answer.json()) as { access_token: string }).access_token;
  });

  /** A new member, valid in every field, with `field` set to `value`. */
  function memberWith(field: string, value: unknown): Record<string, unknown> {
    const probe = ++probes;
    return {
      userid: `format-probe-${probe}`,
      name: 'Probe',
      mobile: `139${String(probe).padStart(8, '0')}`,
      email: `format.probe.${probe}@example.com`,
      [field]: value,
    };
  }

  /** What WeCom (the sandbox) answers this very body, sent straight to it. */
  async function weComErrcode(body: Record<string, unknown>): Promise<number> {
    const answer = await fetch(`${harness.sandbox.url}/cgi-bin/user/create?access_token=${accessToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return ((await answer.json()) as { errcode: number }).errcode;
  }

  /** Any value WeCom refuses for `field`'s format is refused by the function, and WeCom is not called. */
  async function refusedBeforeWeCom(field: string, value: unknown): Promise<void> {
    const body = memberWith(field, value);
    // Only values WeCom refuses for their format; the others (valid, or a duplicate) prove nothing.
    fc.pre(FORMAT_ERRCODES.has(await weComErrcode(body)));
    harness.sandbox.resetCounters();

    const answer = httpAnswer(await harness.invoke('user-create', routeEvent('user-create', { body })));

    expect(answer.statusCode).toBe(400);
    expect(answer.body.errcode).toBeUndefined();
    expect(answer.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    expect(harness.sandbox.counters()).toEqual({});
  }

  const RUNS = 60;
  const property = (field: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>) =>
    fc.assert(fc.asyncProperty(field, value, refusedBeforeWeCom), { numRuns: RUNS });

  it('a mobile: a mainland number, or + and a country code (docs/wecom.md §3)', async () => {
    await property(
      fc.constant('mobile'),
      fc.oneof(
        fc.constantFrom(
          '0',
          '12345',
          '+',
          '+86',
          '23800000000',
          '1380000000',
          '138000000000',
          '+86 1',
          ' 13800000000',
        ),
        fc.stringMatching(/^\+?[\d -]{0,36}$/),
      ),
    );
  });

  it('an email address or a business one', async () => {
    await property(
      fc.constantFrom('email', 'biz_mail'),
      fc.oneof(
        fc.constantFrom(
          "o'brien@example.com",
          'a b@example.com',
          'ab@example',
          'ab@ex_ample.com',
          '张三@example.com',
        ),
        fc.stringMatching(/^[a-z'!#._%+ -]{1,10}@[a-z_.!-]{1,10}$/),
      ),
    );
  });

  /** A text with one character JSON.stringify must escape (\uXXXX), which WeCom refuses (40033). */
  const unreadable = fc
    .tuple(
      fc.string({ maxLength: 10 }),
      fc.oneof(
        fc.constantFrom(0x00, 0x01, 0x07, 0x0b, 0x0e, 0x1b, 0x1f),
        fc.integer({ min: 0xd800, max: 0xdfff }),
      ),
      fc.string({ maxLength: 10 }),
    )
    .map(([before, unit, after]) => `${before}${String.fromCharCode(unit)}${after}`);

  it('a text WeCom cannot read: a control character or a lone surrogate', async () => {
    await property(
      fc.constantFrom('name', 'alias', 'position', 'address', 'external_position', 'nickname'),
      unreadable,
    );
  });

  it('a text over its length, or an empty name', async () => {
    await property(
      fc.constantFrom('name', 'alias', 'position', 'address', 'external_position', 'nickname', 'telephone'),
      fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', minLength: 13, maxLength: 140 })),
    );
  });
});
