/** The OpenAPI 3.1 document is generated from the operation table and the zod schemas. */
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '#shared/openapi.ts';
import { OPERATIONS } from '#shared/operations.ts';
import { VALID_REQUESTS } from '#test/functions/support/requests.ts';

const document = generateOpenApi({ serverUrl: 'http://127.0.0.1:3000' });
type OperationObject = {
  operationId: string;
  parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: { 'application/json': { schema: { properties: object; required: string[] } } } };
  responses: Record<
    string,
    { headers?: object; content: { 'application/json': { schema: { $ref: string } } } }
  >;
};
const operation = (path: string, method: string) => document.paths[path]?.[method] as OperationObject;

describe('the OpenAPI document', () => {
  it('has one operation per row of the table, at its route, named by its function id', () => {
    const listed = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, described]) =>
          `${method.toUpperCase()} ${path} ${(described as OperationObject).operationId}`,
      ),
    );

    expect(document.openapi).toBe('3.1.0');
    expect(listed.toSorted()).toEqual(
      OPERATIONS.map(({ id, http }) => `${http.method} ${http.path} ${id}`).toSorted(),
    );
    expect(document.servers).toEqual([{ url: 'http://127.0.0.1:3000' }]);
  });

  it('documents path and query parameters with the schemas the functions validate with', () => {
    expect(operation('/users/{userid}', 'get').parameters).toEqual([
      expect.objectContaining({
        name: 'userid',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ pattern: '^[A-Za-z0-9][A-Za-z0-9_@.-]{0,63}$' }),
      }),
    ]);
    expect(operation('/departments/{department_id}/users', 'get').parameters).toEqual([
      expect.objectContaining({
        name: 'department_id',
        in: 'path',
        schema: expect.objectContaining({ type: 'integer', minimum: 1 }),
      }),
      expect.objectContaining({
        name: 'fetch_child',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ enum: [0, 1] }),
      }),
    ]);
    expect(operation('/stats/active-members', 'get').parameters).toEqual([
      expect.objectContaining({ name: 'date', in: 'query', required: true }),
    ]);
  });

  it('gives a JSON body exactly to the routes that take one, without the fields the URL carries', () => {
    const withBody = OPERATIONS.filter(
      ({ http }) => operation(http.path, http.method.toLowerCase()).requestBody,
    ).map(({ id }) => id);
    const update = operation('/users/{userid}', 'patch').requestBody?.content['application/json'].schema;
    const create = operation('/users', 'post').requestBody?.content['application/json'].schema;

    // The routes whose valid test request (test/functions/support/requests.ts) carries a body.
    expect(withBody).toEqual(
      OPERATIONS.filter(({ id }) => VALID_REQUESTS[id].body !== undefined).map(({ id }) => id),
    );
    expect(withBody).toEqual(
      expect.arrayContaining(['user-create', 'user-get-userid', 'user-get-userid-by-email']),
    );
    expect(create?.required).toEqual(['userid', 'name']);
    expect(Object.keys(update?.properties ?? {})).not.toContain('userid');
    expect(Object.keys(update?.properties ?? {})).toContain('new_userid');
  });

  it('describes the error answers, with Retry-After on 429 and 503', () => {
    const { responses } = operation('/users', 'post');

    expect(Object.keys(responses)).toEqual([
      '200',
      '400',
      '403',
      '404',
      '409',
      '413',
      '415',
      '429',
      '500',
      '502',
      '503',
      '504',
    ]);
    expect(responses['429']?.headers).toHaveProperty('Retry-After');
    expect(responses['503']?.headers).toHaveProperty('Retry-After');
    expect(responses['409']?.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
  });
});
