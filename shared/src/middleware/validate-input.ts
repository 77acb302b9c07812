/**
 * Third step: the request object is bounded (json-bounds.ts), then checked against the operation's
 * schema (schemas.ts). A failure lists every problem by field, names the rule and never echoes the
 * value (personal data).
 */
import type { MiddlewareObj } from '@middy/core';
import type { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { OperationDefinition } from '../operations.ts';
import { invocationOf } from './invocation.ts';
import { jsonBoundsIssue } from './json-bounds.ts';

export function validateInput(operation: OperationDefinition): MiddlewareObj {
  return {
    name: 'validateInput',
    before: (request) =>
      invocationOf(request.event).forEachPending((item) => {
        item.input = validate(operation.input, item.payload);
        item.payload = undefined;
      }),
  };
}

function validate(schema: z.ZodType, payload: unknown): Record<string, unknown> {
  // Before the schema walks it: a bound broken is a 400, never a stack overflow.
  const bound = jsonBoundsIssue(payload);
  if (bound !== undefined) {
    throw new ValidationError(
      `The request is too large or too deep: ${bound.path || '(body)'} ${bound.message}`,
      [bound],
    );
  }
  const result = schema.safeParse(payload);
  if (!result.success) throw toValidationError(result.error);
  if (!isObject(result.data)) throw new Error('An operation input schema must describe an object');
  return result.data;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function toValidationError(error: z.ZodError): ValidationError {
  const issues = error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = issues
    .map(({ path, message }) => (path === '' ? message : `${path}: ${message}`))
    .join('; ');
  return new ValidationError(`Invalid request: ${summary}`, issues);
}
