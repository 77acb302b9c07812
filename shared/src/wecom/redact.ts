/**
 * Redaction of the values that must never reach a log line or an error: the access_token and the
 * corp secret wherever a URL carries them, and members' mobile numbers and e-mail addresses wherever
 * free text (an errmsg, an error's message) happens to echo them. One module, so the transport, the
 * logger and the tests share one definition.
 *
 * Not pure: besides the patterns it keeps container-wide state, the secrets and tokens this container
 * loaded (`rememberSecret`, `rememberToken`), and redacts those wherever they appear. That state lives
 * as long as the module instance (the Lambda container, or a test file's worker).
 */

export const REDACTED = '[REDACTED]';

/** Query parameters that carry credentials (WeCom puts both in the query string). */
const CREDENTIAL_PARAMS = /\b(access_token|corpsecret)=[^&#\s"'\\]*/gi;
/** An e-mail address. */
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
/**
 * A mainland mobile number, with an optional +86 prefix. Only a run that stands on its own: longer
 * digit runs (request hints) and ASCII letter-and-digit runs (hex request ids: a UUID's last group
 * `19556275931a` holds eleven digits that read as a mobile) stay whole, or a log line would lose the
 * request id it is found by. Chinese text around a number still counts as a boundary.
 */
const MOBILE = /(?<![0-9A-Za-z.])(?:\+?86[ -]?)?1[3-9]\d{9}(?![0-9A-Za-z.])/g;
/**
 * Any other number in WeCom's international form (docs/wecom.md §3): `+`, a country code and the
 * number, digits optionally separated by spaces or dashes (`+852 91234567`, `+1-202-555-0123`).
 */
const INTERNATIONAL_MOBILE = /(?<![\w+])\+\d{1,4}(?:[ -]?\d){6,14}(?!\d)/g;

/** `https://…/gettoken?corpid=x&corpsecret=s` → `https://…/gettoken?corpid=x&corpsecret=[REDACTED]`. */
export function redactUrl(url: string | URL): string {
  return String(url).replace(CREDENTIAL_PARAMS, `$1=${REDACTED}`);
}

/**
 * The values this container holds, so that redaction also catches them where no pattern would (an SDK
 * error echoing a value, a token in an unexpected field). Secrets (a handful per stage, reloaded only
 * on rotation) are never forgotten. Tokens are bounded: a container sees one per credential every ~2
 * hours, but a long-lived local server in `rotate` mode sees many; the oldest, long expired, go first.
 */
const knownSecrets = new Set<string>();
const knownTokens = new Set<string>();
const MAX_KNOWN_TOKENS = 64;
/** Shorter values would redact ordinary words. */
const MIN_LENGTH = 6;

/** Registers a secret the layer loaded: it is never printed for as long as the container lives. */
export function rememberSecret(value: string): void {
  if (value.length >= MIN_LENGTH) knownSecrets.add(value);
}

/** Registers an access_token the layer obtained; only the latest `MAX_KNOWN_TOKENS` are kept. */
export function rememberToken(value: string): void {
  if (value.length < MIN_LENGTH || knownTokens.has(value)) return;
  if (knownTokens.size >= MAX_KNOWN_TOKENS) {
    const oldest = knownTokens.values().next().value;
    if (oldest !== undefined) knownTokens.delete(oldest);
  }
  knownTokens.add(value);
}

/** Credentials in URLs, known secrets and tokens, e-mail addresses and mobile numbers in any free text. */
export function redactText(text: string): string {
  let redacted = redactUrl(text);
  for (const known of [knownSecrets, knownTokens]) {
    for (const value of known) redacted = redacted.replaceAll(value, REDACTED);
  }
  return redacted.replace(EMAIL, REDACTED).replace(MOBILE, REDACTED).replace(INTERNATIONAL_MOBILE, REDACTED);
}

/** Removes one known secret value (e.g. the token a request carried) from a text that might echo it. */
export function redactValue(text: string, secret: string | undefined): string {
  return secret ? text.replaceAll(secret, REDACTED) : text;
}
