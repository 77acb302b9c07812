/**
 * Reserved concurrency per function, and the worst case of WeCom calls per minute it allows for each
 * WeCom API (docs/operations.md, "Scale"). Without a cap, a slow WeCom makes a route hold
 * throttle × timeout executions (50 req/s × 25 s = 1,250, over the default account quota of 1,000),
 * starving the queue consumers, the report and everything else in the account.
 *
 * Calls, not requests, are what WeCom limits (10,000 per minute per API per corp). A call in flight makes
 * at most 1,200 calls a minute (at WeCom's fastest, ~50 ms a call), so a function's calls per minute are
 * bounded by its reserved concurrency × the calls one invocation keeps in flight, and by the route
 * throttle × the calls one request makes, whichever is lower.
 */
import {
  CALLS_PER_MINUTE_PER_CALL_IN_FLIGHT,
  WALK_PARALLELISM,
  WALK_SUBTREE_API,
  WECOM_CALLS_PER_MINUTE_PER_API,
} from '#shared/call-budget.ts';
import { CALLBACK_FUNCTION } from '#shared/callback/function.ts';
import { FUNCTION_IDS } from '#shared/function-ids.ts';
import { OPERATIONS, type OperationDefinition } from '#shared/operations.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import type { StackConfig } from './config.ts';

/** How long a request takes while WeCom is healthy (a call is tens to hundreds of ms, plus a retry). */
const HEALTHY_REQUEST_SECONDS = 1;

/** The share of WeCom's per-API limit a stage's worst case may use: the rest is for the company's other systems. */
export const WECOM_LIMIT_SHARE = 0.8;

/**
 * What an account may reserve with Lambda's default quota: 1,000 concurrent executions, of which
 * Lambda keeps 100 unreserved (a larger reservation fails the deployment).
 */
export const DEFAULT_RESERVABLE_CONCURRENCY = 900;

/** The report and the doctor run one at a time (a schedule, an operator); 2 lets a retry meet a manual run. */
const OPERATOR_FUNCTION_CONCURRENCY = 2;

export type ConcurrencySettings = Pick<
  StackConfig,
  | 'apiThrottle'
  | 'callbackThrottle'
  | 'writeConcurrency'
  | 'reservedConcurrency'
  | 'listingConcurrency'
  | 'fetchChildMaxDepartments'
> & {
  /** HTTP APIs in front of the same functions: 1, or 2 with the JWT API. */
  readonly apis: number;
};

export class ConcurrencyPlan {
  constructor(private readonly settings: ConcurrencySettings) {}

  /** Requests per second all APIs may send one route. */
  private get routeRate(): number {
    return this.settings.apiThrottle.rateLimit * this.settings.apis;
  }

  /**
   * Reserved concurrency of an endpoint function, the contact callback, the report or the doctor;
   * `undefined`: none (`off`).
   */
  forFunction(functionId: string): number | undefined {
    const { reservedConcurrency, listingConcurrency, writeConcurrency, callbackThrottle } = this.settings;
    if (reservedConcurrency === 'off') return undefined;
    // The callback route has its own throttle (WeCom's pushes), on the IAM API only.
    if (functionId === CALLBACK_FUNCTION.id)
      return Math.ceil(callbackThrottle.rateLimit * HEALTHY_REQUEST_SECONDS);
    const operation = OPERATIONS.find(({ id }) => id === functionId);
    if (operation === undefined) return OPERATOR_FUNCTION_CONCURRENCY;
    if (walksDepartments(operation)) return listingConcurrency ?? defaultListingConcurrency();
    const route = reservedConcurrency ?? Math.ceil(this.routeRate * HEALTHY_REQUEST_SECONDS);
    // The queue's pollers get their own share, so HTTP traffic cannot throttle them.
    return route + (operation.queued ? writeConcurrency : 0);
  }

  /** The stage's reserved concurrency in all, every function's (0 with `off`). */
  totalReserved(): number {
    return FUNCTION_IDS.reduce((total, id) => total + (this.forFunction(id) ?? 0), 0);
  }

  /** The most calls per minute the stage can make of each WeCom API (the token's gettoken left out). */
  worstCaseCallsPerMinute(): Record<string, number> {
    const calls: Record<string, number> = {};
    const add = (api: string, perMinute: number) => {
      calls[api] = (calls[api] ?? 0) + perMinute;
    };
    const perMinute = (invocations: number | undefined, inFlight: number, throttled: number) =>
      Math.min(
        throttled,
        (invocations ?? Number.POSITIVE_INFINITY) * inFlight * CALLS_PER_MINUTE_PER_CALL_IN_FLIGHT,
      );
    const requestsPerMinute = this.routeRate * 60;
    for (const operation of OPERATIONS) {
      const reserved = this.forFunction(operation.id);
      if (walksDepartments(operation)) {
        const walked = this.settings.fetchChildMaxDepartments;
        add(operation.wecomApi, perMinute(reserved, WALK_PARALLELISM, requestsPerMinute * walked));
        add(WALK_SUBTREE_API, perMinute(reserved, 1, requestsPerMinute));
        continue;
      }
      add(operation.wecomApi, perMinute(reserved, 1, requestsPerMinute));
      // A write function works through its batch one record at a time: one call in flight per poller.
      if (operation.queued)
        add(operation.wecomApi, this.settings.writeConcurrency * CALLS_PER_MINUTE_PER_CALL_IN_FLIGHT);
    }
    add(
      REPORT_FUNCTION.wecomApi,
      perMinute(this.forFunction(REPORT_FUNCTION.id), 1, Number.POSITIVE_INFINITY),
    );
    add(
      CALLBACK_FUNCTION.wecomApi,
      perMinute(this.forFunction(CALLBACK_FUNCTION.id), 1, this.settings.callbackThrottle.rateLimit * 60),
    );
    return calls;
  }

  /** WeCom APIs whose worst case reaches the stage's share of WeCom's limit. */
  overBudget(): string[] {
    const budget = WECOM_CALLS_PER_MINUTE_PER_API * WECOM_LIMIT_SHARE;
    return Object.entries(this.worstCaseCallsPerMinute())
      .filter(([, calls]) => calls > budget)
      .map(([api, calls]) => `${api}: ${Number.isFinite(calls) ? calls : 'unbounded'} calls/min`);
  }
}

/** An operation whose `fetch_child=1` walks the department tree (several WeCom calls per request). */
export const walksDepartments = (operation: Pick<OperationDefinition, 'http'>): boolean =>
  operation.http.query?.includes('fetch_child') === true;

/**
 * The listing functions' default: as many invocations as keep their walks (WALK_PARALLELISM calls in
 * flight each) within the stage's share of WeCom's limit: ⌊8,000 / (2 × 1,200)⌋ = 3.
 */
export function defaultListingConcurrency(): number {
  return Math.floor(
    (WECOM_CALLS_PER_MINUTE_PER_API * WECOM_LIMIT_SHARE) /
      (WALK_PARALLELISM * CALLS_PER_MINUTE_PER_CALL_IN_FLIGHT),
  );
}
