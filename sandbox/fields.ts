/**
 * Typed readers for request fields. Each names the errcode WeCom uses for a bad value, so that a wrong
 * type gets the field's own code (e.g. `name: 5` → 60112), and 40058 otherwise.
 */
import { fail, invalidParameter } from './envelope.ts';

export const charLength = (value: string) => [...value].length;
export const byteLength = (value: string) => Buffer.byteLength(value, 'utf8');

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value);

/** A string field, or `undefined` when absent (`null` counts as absent, as lenient JSON servers do). */
export function optionalString(value: unknown, errcode: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(errcode);
  return value;
}

export function optionalInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isInteger(value)) invalidParameter(`${field} must be an integer`);
  return value;
}

export function optionalIntegerArray(value: unknown, errcode: number): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every(isInteger)) fail(errcode);
  return value;
}

/** A number, or a string of its digits: WxJava sends `main_department`, `party` and `tag` ids as strings. */
const asId = (value: unknown): number | undefined => {
  if (isInteger(value)) return value;
  return typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
};

/** An id (`main_department`), as a number or a digit string; anything else → 40058. */
export function optionalId(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const id = asId(value);
  if (id === undefined) invalidParameter(`${field} must be an integer`);
  return id;
}

/** A list of ids (invite `party`, `tag`), numbers or digit strings. */
export function optionalIdArray(value: unknown, errcode: number): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(errcode);
  const ids = value.map(asId);
  if (ids.some((id) => id === undefined)) fail(errcode);
  return ids as number[];
}

export function optionalStringArray(value: unknown, errcode: number): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) fail(errcode);
  return value;
}

/** A query parameter; an empty value counts as absent. */
export function queryValue(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

/** A decimal integer query parameter (ids, size_type); anything else → 40058. */
export function queryInteger(query: URLSearchParams, name: string): number | undefined {
  const value = queryValue(query, name);
  if (value === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(value)) invalidParameter(`${name} must be an integer`);
  return Number(value);
}
