/**
 * Recursive listing (`fetch_child=1`): the service walks the department tree itself. Against the
 * sandbox over a 3-level tree with members in several departments, and the bounded fan-out alone.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WALK_PARALLELISM } from '#shared/call-budget.ts';
import { mapWithConcurrency } from '#shared/listing.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'empty' });
  // 1 (root)
  // └─ 10 Sales ─┬─ 11 North ── 12 Beijing
  //              └─ 13 South
  // 20 Ops (outside the subtree)
  const { directory } = harness.sandbox;
  directory.addDepartment({ id: 10, name: 'Sales', parentid: 1 });
  directory.addDepartment({ id: 11, name: 'North', parentid: 10 });
  directory.addDepartment({ id: 12, name: 'Beijing', parentid: 11 });
  directory.addDepartment({ id: 13, name: 'South', parentid: 10 });
  directory.addDepartment({ id: 20, name: 'Ops', parentid: 1 });
  const people: Array<[string, number[]]> = [
    ['head', [10]],
    ['north-lead', [11, 12]],
    ['beijing-rep', [12]],
    ['south-rep', [13, 10]],
    ['everywhere', [12, 13, 20]],
    ['ops-only', [20]],
  ];
  for (const [userid, department] of people) {
    directory.addMember({ userid, name: userid, email: `${userid}@example.com`, department });
  }
});
afterAll(() => harness.stop());
beforeEach(() => harness.sandbox.resetCounters());

const list = async (
  id: 'user-simple-list' | 'user-list',
  department: string,
  query?: Record<string, string>,
) =>
  httpAnswer(
    await harness.invoke(id, routeEvent(id, { pathParameters: { department_id: department }, query })),
  );

const userids = (body: Record<string, unknown>) =>
  (body.userlist as Array<{ userid: string }>).map(({ userid }) => userid);

describe('fetch_child=1', () => {
  it.each(['user-simple-list', 'user-list'] as const)(
    '%s: lists every member of the subtree once, whatever the number of departments they sit in',
    async (id) => {
      const { statusCode, body } = await list(id, '10', { fetch_child: '1' });

      expect(statusCode).toBe(200);
      expect(body).toMatchObject({ errcode: 0, errmsg: 'ok' });
      expect(userids(body).toSorted()).toEqual([
        'beijing-rep',
        'everywhere',
        'head',
        'north-lead',
        'south-rep',
      ]);
    },
  );

  it('asks WeCom for the subtree once, then each of its departments once, never with fetch_child', async () => {
    await list('user-list', '10', { fetch_child: '1' });

    expect(harness.sandbox.counters()).toEqual({ 'department/simplelist': 1, 'user/list': 4 });
  });

  it("keeps WeCom's member objects as they are (all their departments, their details)", async () => {
    const { body } = await list('user-list', '11', { fetch_child: '1' });
    const members = body.userlist as Array<{ userid: string; department: number[]; email?: string }>;

    expect(members.find((member) => member.userid === 'everywhere')).toMatchObject({
      department: [12, 13, 20],
      email: 'everywhere@example.com',
    });
    expect(userids(body).toSorted()).toEqual(['beijing-rep', 'everywhere', 'north-lead']);
  });

  it('lists a department without sub-departments like a plain listing', async () => {
    const { body } = await list('user-simple-list', '13', { fetch_child: '1' });

    expect(userids(body).toSorted()).toEqual(['everywhere', 'south-rep']);
  });
});

describe('without fetch_child', () => {
  it.each([undefined, { fetch_child: '0' }])(
    'lists the department alone in one WeCom call (%j)',
    async (query) => {
      const { body } = await list('user-simple-list', '10', query);

      expect(userids(body).toSorted()).toEqual(['head', 'south-rep']);
      expect(harness.sandbox.counters()).toEqual({ 'user/simplelist': 1 });
    },
  );
});

describe('the fan-out', () => {
  const deferred = () => {
    let resolve = () => {};
    const promise = new Promise<void>((done) => {
      resolve = done;
    });
    return { promise, resolve };
  };

  it(`has at most ${WALK_PARALLELISM} calls in flight and keeps the input order`, async () => {
    let inFlight = 0;
    let peak = 0;
    const gates = Array.from({ length: 10 }, deferred);

    const results = mapWithConcurrency([...gates.keys()], WALK_PARALLELISM, async (index) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await gates[index]?.promise;
      inFlight -= 1;
      return index * 10;
    });
    for (const gate of gates.toReversed()) gate.resolve();

    await expect(results).resolves.toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(peak).toBe(WALK_PARALLELISM);
  });

  it('starts nothing more after a failure and reports that failure', async () => {
    const started: number[] = [];

    const results = mapWithConcurrency([0, 1, 2, 3, 4, 5, 6, 7], 2, async (index) => {
      started.push(index);
      if (index === 1) throw new Error('department 1 failed');
      await new Promise((resolve) => setImmediate(resolve));
      return index;
    });

    await expect(results).rejects.toThrow('department 1 failed');
    expect(started).toEqual([0, 1]);
  });
});
