/**
 * WeCom call budgets (docs/operations.md, "Scale"). WeCom allows each corp 10,000 calls per minute per
 * API and, after a 45009, blocks that API for the rest of the minute for every system of the company.
 * A request that fans out (`fetch_child=1`: one listing per department) must therefore be bounded per
 * request, and the stack bounds calls in flight (reserved concurrency × calls per invocation): these
 * figures are the one source of both.
 */
import { optionalEnv } from './config.ts';
import { ConfigurationError, ValidationError } from './errors.ts';
import { ENV } from './stage-names.ts';

/** WeCom's per-API limit for one corp (docs/operations.md). */
export const WECOM_CALLS_PER_MINUTE_PER_API = 10_000;

/**
 * Calls per minute that one call in flight can make at WeCom's fastest (~50 ms a call): the unit of the
 * worst-case arithmetic.
 */
export const CALLS_PER_MINUTE_PER_CALL_IN_FLIGHT = 1_200;

/** The WeCom API a `fetch_child=1` walk starts with (the subtree): one call per request. */
export const WALK_SUBTREE_API = 'department/simplelist';

/** Listing calls one `fetch_child=1` walk keeps in flight: quick on wide trees, bounded for the budget. */
export const WALK_PARALLELISM = 2;

/**
 * Departments one `fetch_child=1` request may walk (the department itself included), unless the stack
 * sets `WECOM_FETCH_CHILD_MAX_DEPARTMENTS` (the `fetchChildMaxDepartments` context key).
 * @default 100
 */
export const DEFAULT_MAX_WALKED_DEPARTMENTS = 100;

/** The scalable way to list a large company: one paged WeCom call per 1,000 members. */
export const SCALABLE_LISTING = 'GET /userids';

/** The walk budget from the environment; a wrong value is the deployment's fault, not the caller's. */
export function maxWalkedDepartments(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const raw = optionalEnv(ENV.fetchChildMaxDepartments, env);
  if (raw === undefined) return DEFAULT_MAX_WALKED_DEPARTMENTS;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigurationError(`${ENV.fetchChildMaxDepartments} must be a positive integer, not "${raw}"`);
  }
  return value;
}

/**
 * Refuses a walk over more departments than the budget, before any listing call: the caller learns the
 * limit and the alternatives, and WeCom has seen one call (the subtree lookup).
 */
export function assertWalkWithinBudget(departmentId: number, departments: number, limit: number): void {
  if (departments <= limit) return;
  throw new ValidationError(
    `Department ${departmentId} has ${departments} departments in its subtree; fetch_child=1 walks at most ${limit} per request`,
    [
      {
        path: 'fetch_child',
        message:
          `walks at most ${limit} departments (one WeCom call each); this subtree has ${departments}: ` +
          `use ${SCALABLE_LISTING} (every member, paged), or list the sub-departments one at a time without fetch_child`,
      },
    ],
  );
}
