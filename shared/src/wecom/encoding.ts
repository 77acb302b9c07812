/**
 * What WeCom can read. WeCom wants raw UTF-8 and refuses any `\uXXXX` escape (40033, docs/wecom.md §0);
 * JSON.stringify writes every character as itself except the C0 controls without a short escape and
 * lone surrogates. Plain functions with no imports: the schemas (which refuse such input with a 400)
 * and the transport (the last guard before sending) share them.
 */

/** \b \t \n \f \r: JSON.stringify writes these as two-character escapes, which WeCom accepts. */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Whether JSON.stringify writes `text` without a `\uXXXX` escape. */
export function isEncodable(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20) {
      if (!SHORT_ESCAPES.has(unit)) return false;
    } else if (isSurrogate(unit)) {
      // A high surrogate must be followed by a low one; a low one alone is lone.
      if (isLowSurrogate(unit) || !isLowSurrogate(text.charCodeAt(index + 1))) return false;
      index++;
    }
  }
  return true;
}

/**
 * The path of the first string, key or value, in a JSON value that WeCom cannot read. Iterative, so a
 * deeply nested value costs heap rather than stack (the inputs are bounded before, json-bounds.ts).
 */
export function unencodablePath(value: unknown, path: readonly string[] = []): string[] | undefined {
  const stack: Array<{ value: unknown; path: readonly string[] }> = [{ value, path }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (typeof next.value === 'string') {
      if (!isEncodable(next.value)) return [...next.path];
      continue;
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    const entries = Object.entries(next.value);
    const badKey = entries.find(([key]) => !isEncodable(key));
    if (badKey !== undefined) return [...next.path, badKey[0]];
    // Pushed in reverse, so that values are visited in document order.
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, item] = entries[index] as [string, unknown];
      stack.push({ value: item, path: [...next.path, key] });
    }
  }
  return undefined;
}
