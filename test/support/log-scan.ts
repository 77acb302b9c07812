/** What the log-scan tests look for: the secrets of a scenario must appear nowhere in what it printed or threw. */
import type { Sandbox } from '#sandbox/index.ts';

/** Every mobile and e-mail address in the sandbox's directory, with and without the +86 prefix. */
export function personalData(held: Sandbox): string[] {
  return held.directory
    .members()
    .flatMap((member) => [member.mobile, member.email, member.biz_mail])
    .filter((value): value is string => typeof value === 'string' && value !== '')
    .flatMap((value) => [value, value.replace(/^\+86 /, '')]);
}

/** An error as an invoker or a log could see it: message, stack, own fields, causes. */
export function describeThrown(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    parts.push(String(current), current.stack ?? '', JSON.stringify(current));
    current = current.cause;
  }
  return parts.join('\n');
}
