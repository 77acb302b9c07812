/**
 * Who is calling and what they may see (docs/wecom.md §1): the contact-sync token sees everyone; an
 * app token sees the members and departments inside its visibility scope, and a "restricted" app
 * (created after 2022-06-20) does not get the sensitive fields.
 */

import { type Directory, type MemberRecord, ROOT_DEPARTMENT } from './directory.ts';
import type { SandboxApp } from './types.ts';

export type Caller = { readonly kind: 'contact' } | { readonly kind: 'app'; readonly app: SandboxApp };

export class Visibility {
  readonly #roots: readonly number[] | undefined;

  constructor(
    private readonly directory: Directory,
    caller: Caller,
  ) {
    this.#roots = caller.kind === 'app' ? (caller.app.visibleDepartments ?? [ROOT_DEPARTMENT]) : undefined;
  }

  seesDepartment(id: number): boolean {
    if (!this.directory.department(id)) return false;
    return this.#roots === undefined || this.#roots.some((root) => this.directory.isWithin(id, root));
  }

  seesMember(record: MemberRecord): boolean {
    return (record.member.department ?? []).some((id) => this.seesDepartment(id));
  }

  seesUserid(userid: string): boolean {
    const record = this.directory.member(userid);
    return record !== undefined && this.seesMember(record);
  }
}

/** The secrets gettoken accepts, each naming the credential its tokens act as. */
export class Credentials {
  readonly #bySecret = new Map<string, string>();
  readonly #callers = new Map<string, Caller>();

  constructor(contactSecret: string, apps: readonly SandboxApp[]) {
    this.#register(contactSecret, 'contact', { kind: 'contact' });
    for (const app of apps) this.#register(app.secret, `app:${app.agentId}`, { kind: 'app', app });
  }

  /** The credential of a secret, or undefined for a secret this corp does not have (40001). */
  credentialOf(secret: string): string | undefined {
    return this.#bySecret.get(secret);
  }

  callerOf(credential: string): Caller {
    return this.#callers.get(credential) ?? { kind: 'contact' };
  }

  #register(secret: string, credential: string, caller: Caller): void {
    if (this.#bySecret.has(secret)) throw new Error(`two credentials share one secret (${credential})`);
    this.#bySecret.set(secret, credential);
    this.#callers.set(credential, caller);
  }
}
