/**
 * The WeCom call budget of `fetch_child=1`: a subtree larger than the budget is refused after one
 * WeCom call (the subtree lookup), naming the limit and the scalable alternative; a subtree within it
 * is walked with a bounded number of calls.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assertWalkWithinBudget,
  DEFAULT_MAX_WALKED_DEPARTMENTS,
  maxWalkedDepartments,
  SCALABLE_LISTING,
} from '#shared/call-budget.ts';
import { ConfigurationError, ValidationError } from '#shared/errors.ts';
import { getOperation } from '#shared/operations.ts';
import { ENV } from '#shared/stage-names.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';

const DEPARTMENTS = 300;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'empty' });
  // A wide company: 300 departments under department 10 (itself included), a member in each tenth.
  const { directory } = harness.sandbox;
  directory.addDepartment({ id: 10, name: 'Company', parentid: 1 });
  for (let id = 11; id < 10 + DEPARTMENTS; id += 1) {
    directory.addDepartment({ id, name: `Team ${id}`, parentid: id < 30 ? 10 : 10 + (id % 20) + 1 });
  }
  for (let id = 10; id < 10 + DEPARTMENTS; id += 10) {
    directory.addMember({ userid: `m${id}`, name: `m${id}`, email: `m${id}@example.com`, department: [id] });
  }
  // The token first, so that the counters below show the listing's own calls.
  await harness.invoke(
    'user-simple-list',
    routeEvent('user-simple-list', { pathParameters: { department_id: '1' } }),
  );
});
afterAll(() => harness.stop());
beforeEach(() => harness.sandbox.resetCounters());
afterEach(() => {
  delete process.env[ENV.fetchChildMaxDepartments];
});

const walk = async (id: 'user-simple-list' | 'user-list', department: number) =>
  httpAnswer(
    await harness.invoke(
      id,
      routeEvent(id, { pathParameters: { department_id: String(department) }, query: { fetch_child: '1' } }),
    ),
  );

describe(`fetch_child=1 over ${DEPARTMENTS} departments`, () => {
  it.each(['user-simple-list', 'user-list'] as const)(
    '%s: refuses with 400 naming the limit and GET /userids, after one WeCom call',
    async (id) => {
      const { statusCode, body } = await walk(id, 10);

      expect(statusCode).toBe(400);
      expect(body.message).toContain(`${DEPARTMENTS} departments`);
      expect(body.message).toContain(`at most ${DEFAULT_MAX_WALKED_DEPARTMENTS}`);
      expect(body.issues).toEqual([
        { path: 'fetch_child', message: expect.stringContaining(SCALABLE_LISTING) },
      ]);
      expect(harness.sandbox.counters()).toEqual({ 'department/simplelist': 1 });
    },
  );

  it('walks the whole subtree when the stage raises the budget, one listing call per department', async () => {
    process.env[ENV.fetchChildMaxDepartments] = String(DEPARTMENTS);

    const { statusCode, body } = await walk('user-simple-list', 10);

    expect(statusCode).toBe(200);
    expect((body.userlist as unknown[]).length).toBe(DEPARTMENTS / 10);
    expect(harness.sandbox.counters()).toEqual({
      'department/simplelist': 1,
      'user/simplelist': DEPARTMENTS,
    });
  });

  it('walks a subtree within the default budget', async () => {
    const { statusCode } = await walk('user-list', 12);

    expect(statusCode).toBe(200);
    const calls = harness.sandbox.counters()['user/list'] ?? 0;
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThanOrEqual(DEFAULT_MAX_WALKED_DEPARTMENTS);
  });
});

describe('the budget', () => {
  it('names the scalable listing by its row’s route', () => {
    const { method, path } = getOperation('user-list-id').http;
    expect(SCALABLE_LISTING).toBe(`${method} ${path}`);
  });

  it('is the default without the variable, and the variable when it is a positive integer', () => {
    expect(maxWalkedDepartments({})).toBe(DEFAULT_MAX_WALKED_DEPARTMENTS);
    expect(maxWalkedDepartments({ [ENV.fetchChildMaxDepartments]: '250' })).toBe(250);
  });

  it.each(['0', '-3', '1.5', 'many'])('treats %j as a deployment error, not a caller error', (raw) => {
    expect(() => maxWalkedDepartments({ [ENV.fetchChildMaxDepartments]: raw })).toThrow(ConfigurationError);
  });

  it('allows exactly the limit and refuses one more', () => {
    expect(() => assertWalkWithinBudget(1, 100, 100)).not.toThrow();
    expect(() => assertWalkWithinBudget(1, 101, 100)).toThrow(ValidationError);
  });
});
