/**
 * Listing a department's members, optionally with every department under it (docs/architecture.md §3).
 *
 * WeCom removed `fetch_child` from user/simplelist and user/list, and a recursive user/list on a large
 * department fails with 45029 (answer too large). So the service walks the tree itself: one
 * department/simplelist for the subtree, one listing per department (a few at a time), merged in the
 * order WeCom gives the departments, each member once even when it sits in several of them.
 */
import {
  assertWalkWithinBudget,
  maxWalkedDepartments,
  WALK_PARALLELISM,
  WALK_SUBTREE_API,
} from './call-budget.ts';
import { isListedDepartment, isListedMember, listIn } from './wecom/answer-shape.ts';
import type { WeComApi, WeComRequest, WeComResponse } from './wecom/apis.ts';

export type ListingApi = 'user/simplelist' | 'user/list';

/** A WeCom call with its credential and deadline already bound. */
export type BoundCall = <A extends WeComApi>(api: A, request: WeComRequest<A>) => Promise<WeComResponse<A>>;

export interface ListingInput {
  department_id: number;
  fetch_child?: 0 | 1;
}

export async function listMembers<A extends ListingApi>(
  call: BoundCall,
  api: A,
  { department_id, fetch_child }: ListingInput,
): Promise<WeComResponse<A>> {
  // Without fetch_child: one WeCom call, and WeCom's answer as it is (the removed flag is never sent).
  if (fetch_child !== 1) return call(api, { department_id });

  // Read before any call: a wrong setting is the deployment's error, and costs WeCom nothing.
  const limit = maxWalkedDepartments();
  // The answers are read here, not passed on: their shape is checked (a 502 rather than a TypeError).
  const tree = await call(WALK_SUBTREE_API, { id: department_id });
  const subtree = listIn(WALK_SUBTREE_API, tree, 'department_id', isListedDepartment);
  const departments = [...new Set([department_id, ...subtree.map(({ id }) => id)])];
  assertWalkWithinBudget(department_id, departments.length, limit);
  // Departments listed at once: quick on wide trees, gentle on WeCom's per-API rate limit.
  const answers = await mapWithConcurrency(departments, WALK_PARALLELISM, async (id) =>
    listIn(api, await call(api, { department_id: id }), 'userlist', isListedMember),
  );
  const members = new Map<string, (typeof answers)[number][number]>();
  for (const member of answers.flat()) {
    if (!members.has(member.userid)) members.set(member.userid, member);
  }
  // The same shape as WeCom's own answer for the API (a generic cannot prove it).
  return { errcode: 0, errmsg: 'ok', userlist: [...members.values()] } as WeComResponse<A>;
}

/**
 * Maps with at most `limit` calls in flight, results in input order. After a failure no new call
 * starts, and the first failure is what the caller gets.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await map(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
