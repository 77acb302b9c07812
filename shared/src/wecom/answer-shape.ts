/**
 * Shape checks for the parts of WeCom's success answers that the service reads itself (the listings
 * it merges, the member a reconciler compares). Answers passed to the caller as they are need none.
 * A list WeCom leaves out counts as empty (an empty department may come without one); a list or a
 * field of another type is an `UnexpectedAnswerError` (502), never a TypeError (500).
 */
import { UnexpectedAnswerError } from '../errors.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `answer[field]` as a list whose entries all pass `isItem`; absent (or null) → empty. */
export function listIn<T>(
  api: string,
  answer: unknown,
  field: string,
  isItem: (item: unknown) => item is T,
): T[] {
  if (!isObject(answer)) throw new UnexpectedAnswerError(api, '(answer)');
  const list = answer[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new UnexpectedAnswerError(api, field);
  const index = list.findIndex((item) => !isItem(item));
  if (index >= 0) throw new UnexpectedAnswerError(api, `${field}.${index}`);
  return list as T[];
}

/** An object with a string `userid` (a member of user/simplelist or user/list). */
export const isListedMember = (item: unknown): item is { userid: string } & Record<string, unknown> =>
  isObject(item) && typeof item.userid === 'string';

/** An object with an integer `id` (a department of department/simplelist). */
export const isListedDepartment = (item: unknown): item is { id: number } & Record<string, unknown> =>
  isObject(item) && Number.isSafeInteger(item.id);

/** Throws unless each of `fields` of `answer` is a string or absent. */
export function assertTextFields(api: string, answer: unknown, fields: readonly string[]): void {
  if (!isObject(answer)) throw new UnexpectedAnswerError(api, '(answer)');
  const wrong = fields.find((field) => answer[field] !== undefined && typeof answer[field] !== 'string');
  if (wrong !== undefined) throw new UnexpectedAnswerError(api, wrong);
}
