/**
 * GET /userids at scale, end to end (route → layer → sandbox): a 25,000-member directory walked in
 * pages of 10,000, each member once per department, and a walk that stays exact for the members that
 * did not change while other members came and went between its pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Member } from '#shared/wecom/apis.ts';
import { routeEvent } from './support/events.ts';
import { type Harness, httpAnswer, startHarness } from './support/harness.ts';

const MEMBERS = 25_000;
const DEPARTMENTS = [2, 3, 4, 5, 6];

/** Member `index` sits in one department, every fourth in a second one too. */
function generated(index: number, prefix = 'm'): Member & { department: number[] } {
  const first = DEPARTMENTS[index % DEPARTMENTS.length] as number;
  const second = DEPARTMENTS[(index + 2) % DEPARTMENTS.length] as number;
  return {
    userid: `${prefix}${index}`,
    name: `${prefix}${index}`,
    department: index % 4 === 0 ? [first, second] : [first],
  };
}

const pairsOf = (members: ReadonlyArray<Pick<Member, 'userid' | 'department'>>) =>
  members.flatMap(({ userid, department = [] }) => department.map((id) => `${userid}/${id}`));

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ seed: 'empty' });
  for (const id of DEPARTMENTS)
    harness.sandbox.directory.addDepartment({ id, name: `部门${id}`, parentid: 1 });
  harness.sandbox.directory.addMembersInBulk(Array.from({ length: MEMBERS }, (_, index) => generated(index)));
});
afterAll(() => harness.stop());

interface Page {
  next_cursor: string;
  dept_user: Array<{ userid: string; department: number }>;
}

async function page(cursor: string | undefined): Promise<Page> {
  const query = { limit: '10000', ...(cursor === undefined ? {} : { cursor }) };
  const answer = httpAnswer(await harness.invoke('user-list-id', routeEvent('user-list-id', { query })));
  expect(answer.statusCode).toBe(200);
  return answer.body as unknown as Page;
}

/** Every page of one walk; `between` runs after each page but the last. */
async function walk(between: (pageNumber: number) => Promise<void> = async () => undefined): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    pages.push(next);
    cursor = next.next_cursor;
    if (cursor !== '') await between(pages.length);
  } while (cursor !== '');
  return pages;
}

describe('GET /userids over 25,000 members', () => {
  it('pages of 10,000 list every userid exactly once per department, in WeCom’s own shape', async () => {
    const pages = await walk();
    const listed = pages.flatMap(({ dept_user }) =>
      dept_user.map(({ userid, department }) => `${userid}/${department}`),
    );
    const expected = pairsOf(harness.sandbox.directory.members());

    expect(expected).toHaveLength(MEMBERS + MEMBERS / 4);
    expect(pages.map(({ dept_user }) => dept_user.length)).toEqual([10_000, 10_000, 10_000, 1_250]);
    expect(pages.at(-1)?.next_cursor).toBe('');
    expect(new Set(listed).size).toBe(listed.length);
    expect(listed.toSorted()).toEqual(expected.toSorted());
    expect(Object.keys(pages[0] ?? {}).toSorted()).toEqual(['dept_user', 'errcode', 'errmsg', 'next_cursor']);
  });

  it('stays exact for unchanged members while others join and leave between pages', async () => {
    const before = harness.sandbox.directory.members();
    const leaving = new Set(['m5', 'm15000', 'm24999']); // one in each part of the walk
    const pages = await walk(async (pageNumber) => {
      if (pageNumber !== 1) return;
      harness.sandbox.directory.addMembersInBulk([generated(1, 'new'), generated(2, 'new')]);
      for (const userid of leaving) await deleteMember(userid);
    });
    const listed = pages.flatMap(({ dept_user }) =>
      dept_user.map(({ userid, department }) => `${userid}/${department}`),
    );
    const unchanged = pairsOf(before.filter(({ userid }) => !leaving.has(userid)));

    const listedOnce = new Set(listed);
    expect(listedOnce.size).toBe(listed.length);
    expect(unchanged.filter((pair) => !listedOnce.has(pair))).toEqual([]);
    // Members who joined during the walk come after everyone who was there: a walk still under way lists them.
    expect(listed).toEqual(expect.arrayContaining(['new1/3', 'new2/4']));
    expect(listed.filter((pair) => pair.startsWith('m15000/') || pair.startsWith('m24999/'))).toEqual([]);
  });
});

/** Through WeCom's own call, so that the directory changes as an HR system would change it. */
async function deleteMember(userid: string): Promise<void> {
  const answer = httpAnswer(
    await harness.invoke('user-delete', routeEvent('user-delete', { pathParameters: { userid } })),
  );
  expect(answer.statusCode).toBe(200);
}
