/**
 * Property-based bad input on every route (fast-check, bounded runs): a valid request spoiled in one
 * way — a field of the wrong type or shape, a bad path or query value, an unknown query parameter,
 * a body that is not JSON or not JSON at all, a body that disagrees with the URL. Every answer is a
 * 4xx (never a 5xx, never a throw), and the sandbox's counters prove nothing reached WeCom.
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
