/**
 * What a business call (every API but gettoken) is: its HTTP method, who may call it, its success
 * word and its handler. The server runs the common checks (token, trusted IP, method, permission,
 * body) before a handler sees the call.
 */
import type { Caller, Visibility } from '../access.ts';
import type { Directory } from '../directory.ts';
import type { SuccessWord } from '../envelope.ts';
import type { LookupBudget } from '../lookup-budget.ts';

/** Sandbox-wide facts a handler may read. */
export interface CorpState {
  readonly corpId: string;
  readonly directory: Directory;
  readonly clock: () => number;
  /** The lookups' daily error budget (routes/lookups.ts). */
  readonly lookupBudget: LookupBudget;
}

export interface CallContext {
  readonly query: URLSearchParams;
  /** The JSON object of a POST call; empty for GET calls. */
  readonly body: Record<string, unknown>;
  readonly caller: Caller;
  readonly visibility: Visibility;
  readonly corp: CorpState;
}

export interface Route {
  readonly method: 'GET' | 'POST';
  /** `contact`: the contact-sync token only, app tokens get 48002 (§1.2). `any`: every token. */
  readonly access: 'contact' | 'any';
  /** Default `ok`. */
  readonly success?: SuccessWord;
  /** Fields WeCom still sends in an error answer, e.g. user/get's empty lists (§0). */
  readonly errorFields?: Readonly<Record<string, unknown>>;
  handle(call: CallContext): Record<string, unknown>;
}

/** Every route in one module is declared through this, so a typo in a key or a field fails to compile. */
export const defineRoutes = <const K extends string>(routes: Record<K, Route>) => routes;
