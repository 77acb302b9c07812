/**
 * Bounds on the shape of a request object, checked right after parsing and before anything walks it
 * (the schemas, the encodability check, the transport): a 6,000-deep body must be a 400, not a stack
 * overflow's 500. WeCom's deepest request (an `external_profile` attribute) is 5 levels deep and its
 * longest list (an invite's 1,000 users) far below the entry bound, so no request WeCom takes is refused.
 *
 * The walk is iterative: its own depth costs heap, never stack.
 */
import type { ValidationIssue } from '../errors.ts';

/** Nesting levels of objects and arrays, the request object itself being level 1. */
export const MAX_JSON_DEPTH = 32;
/** Entries of one array, or fields of one object. */
export const MAX_JSON_ENTRIES = 10_000;

/** The first bound the value breaks, as a validation issue, or undefined. */
export function jsonBoundsIssue(value: unknown): ValidationIssue | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 1, path: '' }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const path = next.path;
    if (next.depth > MAX_JSON_DEPTH) {
      return { path, message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    const entries = Array.isArray(next.value) ? next.value.entries() : Object.entries(next.value);
    let count = 0;
    for (const [key, item] of entries) {
      if (++count > MAX_JSON_ENTRIES) return { path, message: `has more than ${MAX_JSON_ENTRIES} entries` };
      if (typeof item === 'object' && item !== null) {
        stack.push({
          value: item,
          depth: next.depth + 1,
          path: path === '' ? String(key) : `${path}.${key}`,
        });
      }
    }
  }
  return undefined;
}
