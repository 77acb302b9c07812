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

interface Node {
  readonly value: object;
  readonly depth: number;
  readonly parent?: Node;
  readonly key?: string;
}

/** The dotted path of a node, built only for the one reported. */
function pathOf(node: Node): string {
  const keys: string[] = [];
  for (let current: Node | undefined = node; current?.key !== undefined; current = current.parent) {
    keys.push(current.key);
  }
  return keys.reverse().join('.');
}

/** The first bound the value breaks, as a validation issue, or undefined. */
export function jsonBoundsIssue(value: unknown): ValidationIssue | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Node[] = [{ value, depth: 1 }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.depth > MAX_JSON_DEPTH) {
      return { path: pathOf(node), message: `is nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    const keys = keysWithinBound(node.value);
    if (keys === undefined) {
      return { path: pathOf(node), message: `has more than ${MAX_JSON_ENTRIES} entries` };
    }
    for (const key of keys) {
      const item: unknown = (node.value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null) {
        stack.push({ value: item, depth: node.depth + 1, parent: node, key });
      }
    }
  }
  return undefined;
}

/** The keys of an object or array, or undefined when it has too many (an array is refused before they are listed). */
function keysWithinBound(value: object): string[] | undefined {
  if (Array.isArray(value) && value.length > MAX_JSON_ENTRIES) return undefined;
  const keys = Object.keys(value);
  return keys.length > MAX_JSON_ENTRIES ? undefined : keys;
}
