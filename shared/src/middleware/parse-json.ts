/**
 * Second step: JSON text (an HTTP body, an SQS record body) becomes the request object, and the HTTP
 * path and query parameters are laid over it. A body that names a parameter with another value than
 * the URL (e.g. PATCH /users/a with `{"userid":"b"}`) is refused rather than silently overridden.
 */
import { ValidationError } from '../errors.ts';
import type { ParsedRequest, RawInput } from '../invocation.ts';

/** The request object of a raw input. */
export function parseJson({ json, parameters, payload }: RawInput): ParsedRequest {
  if (json === undefined && parameters === undefined) return { payload };
  const body = json === undefined ? {} : parseObject(json);
  return { payload: mergeParameters(body, parameters ?? {}) };
}

function parseObject(json: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function mergeParameters(
  body: Record<string, unknown>,
  parameters: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const conflicts = Object.entries(parameters)
    .filter(([name, value]) => Object.hasOwn(body, name) && !sameValue(body[name], value))
    .map(([name]) => ({ path: name, message: 'disagrees with the URL' }));
  if (conflicts.length > 0) {
    throw new ValidationError(
      `The body disagrees with the URL: ${conflicts.map(({ path }) => path).join(', ')}`,
      conflicts,
    );
  }
  return { ...body, ...parameters };
}

/** URL values are strings; a JSON number in the body agrees with the same digits in the URL. */
const sameValue = (bodyValue: unknown, urlValue: string) =>
  bodyValue === urlValue || (typeof bodyValue === 'number' && String(bodyValue) === urlValue);
