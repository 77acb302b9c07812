/**
 * Third step: the request object is bounded (json-bounds.ts), then checked against the operation's
 * schema (schemas.ts). A failure lists every problem by field, names the rule and never echoes the
 * value (personal data).
 */
import type { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { ParsedRequest, ReadyRequest } from '../invocation.ts';
import type { OperationDefinition } from '../operations.ts';
import { jsonBoundsIssue } from './json-bounds.ts';

/** The operation's validation step: a request object → the request, ready to run. */
export const validateInput =
  (operation: OperationDefinition) =>
  ({ payload }: ParsedRequest): ReadyRequest =>
    validate(operation, payload);

function validate(operation: OperationDefinition, payload: unknown): ReadyRequest {
  // Before the schema walks it: a bound broken is a 400, never a stack overflow.
  const bound = jsonBoundsIssue(payload);
  if (bound !== undefined) {
    throw new ValidationError(
      `The request is too large or too deep: ${bound.path || '(body)'} ${bound.message}`,
      [bound],
    );
  }
  const validated = operation.validate(payload);
  if (!validated.success) throw toValidationError(validated.error);
  return validated.run;
}

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
