/**
 * access_token issuing and checking (docs/wecom.md §2, §17). One token per credential (the contact-sync
 * secret, each app secret); `same-token` mode re-issues the live token, `rotate` mode a new one each
 * time while older ones stay valid to their own expiry. Expired tokens answer 42001, unknown or revoked
 * ones 40014. A token expired for longer than a lifetime is forgotten (then unknown: 40014), so that
 * rotate mode under load keeps a bounded number of tokens.
 */
import { randomBytes } from 'node:crypto';
import { fail } from './envelope.ts';
import type { SandboxOptions } from './types.ts';

/** Read at every call, so that `Sandbox.configure` takes effect at once (for tokens issued from then on). */
export type TokenSettings = Required<
  Pick<SandboxOptions, 'tokenLifetimeSeconds' | 'tokenMode' | 'reissuedExpiresIn'>
>;

interface IssuedToken {
  readonly credential: string;
  readonly expiresAt: number;
}

/** gettoken's answer fields (§2). */
export type TokenGrant = { access_token: string; expires_in: number };

export class TokenIssuer {
  readonly #tokens = new Map<string, IssuedToken>();
  /** The latest token per credential, the one `same-token` mode hands out again. */
  readonly #latest = new Map<string, string>();

  constructor(
    private readonly clock: () => number,
    private readonly settings: Readonly<TokenSettings>,
  ) {}

  issue(credential: string): TokenGrant {
    const now = this.clock();
    this.#forgetExpired(now);
    const latest = this.#latest.get(credential);
    const live = latest === undefined ? undefined : this.#tokens.get(latest);
    if (this.settings.tokenMode === 'same-token' && latest !== undefined && live && live.expiresAt > now) {
      const remaining = Math.ceil((live.expiresAt - now) / 1000);
      const expiresIn =
        this.settings.reissuedExpiresIn === 'remaining' ? remaining : this.settings.tokenLifetimeSeconds;
      return { access_token: latest, expires_in: expiresIn };
    }
    // 64 URL-safe characters, the look of real tokens (≤ 512 bytes per §2).
    const token = randomBytes(48).toString('base64url');
    this.#tokens.set(token, { credential, expiresAt: now + this.settings.tokenLifetimeSeconds * 1000 });
    this.#latest.set(credential, token);
    return { access_token: token, expires_in: this.settings.tokenLifetimeSeconds };
  }

  /** Tokens are kept in issue order, so the ones to forget come first. */
  #forgetExpired(now: number): void {
    const forgetBefore = now - this.settings.tokenLifetimeSeconds * 1000;
    for (const [token, issued] of this.#tokens) {
      if (issued.expiresAt > forgetBefore) return;
      this.#tokens.delete(token);
    }
  }

  /** The credential a token belongs to; throws 41001/40014/42001 like WeCom. */
  verify(token: string | undefined): string {
    if (token === undefined || token === '') fail(41001);
    const issued = this.#tokens.get(token);
    if (!issued) fail(40014);
    if (issued.expiresAt <= this.clock()) fail(42001);
    return issued.credential;
  }

  /** WeCom invalidating tokens early: every token issued so far answers 40014 from now on. */
  revokeAll(): void {
    this.#tokens.clear();
    this.#latest.clear();
  }
}
