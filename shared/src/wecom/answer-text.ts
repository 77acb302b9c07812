/**
 * The text WeCom sent for an answer the transport parsed. An HTTP caller gets WeCom's answer as WeCom
 * returned it: when a route passes that answer on untouched, its response body is this text, and the
 * answer is not serialised again (nor its large integers rounded by a parse/stringify round trip).
 * A WeakMap, not a property: a copy or a merge of the answer (a recursive listing) has no text, so it
 * can never be answered with text that no longer matches it.
 */
const texts = new WeakMap<object, string>();

export function rememberAnswerText<T extends object>(answer: T, text: string): T {
  texts.set(answer, text);
  return answer;
}

/** The text `answer` was parsed from, if it is an answer exactly as WeCom sent it. */
export function answerText(answer: unknown): string | undefined {
  return typeof answer === 'object' && answer !== null ? texts.get(answer) : undefined;
}
