/**
 * Which credential serves which calls, written once: the stack grants from it, the runtime picks from
 * it (docs/architecture.md §6). Plain data: importing it loads nothing else, so the standalone
 * contact-callback bundle and the CDK app take it without the operation table's schemas.
 */
import { ConfigurationError } from './errors.ts';

/** The credentials a deployment may configure; `app` is optional and takes the `read` calls. */
export const CREDENTIALS = ['contact', 'app'] as const;
export type CredentialName = (typeof CREDENTIALS)[number];

/**
 * Which credential a call needs. `contact` is the contact-sync (通讯录同步) secret, required by writes,
 * the join QR code, active stats and user/list_id. `read` calls work with a self-built app's secret:
 * they use the `app` credential when one is configured and fall back to `contact` otherwise.
 */
export type CredentialRole = 'contact' | 'read';

/** The environment variable naming the credentials a function may use (`contact` or `contact,app`). */
export const CREDENTIALS_ENV = 'WECOM_CREDENTIALS';

/**
 * The credentials that serve a role, given whether a deployment configured the optional `app`
 * credential: `read` → `app` when configured, else `contact`.
 */
export function credentialsForRole(role: CredentialRole, appConfigured: boolean): CredentialName[] {
  return role === 'read' && appConfigured ? ['app'] : ['contact'];
}

/** The rule above applied to what a function was configured with; throws when it lacks the credential. */
export function credentialFor(role: CredentialRole, configured: readonly CredentialName[]): CredentialName {
  const [wanted] = credentialsForRole(role, configured.includes('app'));
  if (wanted !== undefined && configured.includes(wanted)) return wanted;
  throw new ConfigurationError(
    `No credential is configured for ${role} calls (expected "contact" in ${CREDENTIALS_ENV})`,
  );
}
