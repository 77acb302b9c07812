/**
 * The WeCom sandbox's programmatic contract: what tests, benchmarks, the local API (`npm start`) and
 * the report script use. The sandbox is a faithful, stateful emulator of WeCom's member API as
 * docs/wecom.md describes it; this file is its public surface.
 */
import type { Member, WeComApi } from '../shared/src/wecom/apis.ts';

/**
 * Department and tag management beyond the product's calls: to build a tree over HTTP, and for the
 * admin console's changes (docs/directory-admin.md).
 */
export type DirectoryAdminApi =
  | `department/${'create' | 'update' | 'delete'}`
  | `tag/${'create' | 'update' | 'delete' | 'get' | 'list' | 'addtagusers' | 'deltagusers'}`;

/** The APIs the sandbox serves: the product's calls plus directory administration. */
export type SandboxApi = WeComApi | DirectoryAdminApi;

/** A self-built app (自建应用) with its own secret and token. */
export interface SandboxApp {
  agentId: number;
  secret: string;
  /** Created after 2022-06-20: user/get and user/list omit the sensitive fields (docs/wecom.md §1). */
  restricted?: boolean;
  /** Departments the app can see (visibility scope); members outside → 60011. Default: the root (all). */
  visibleDepartments?: number[];
}

export interface SandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  corpId?: string;
  /** The contact-sync (通讯录同步) secret. */
  contactSecret?: string;
  apps?: SandboxApp[];
  /** Token lifetime in seconds (WeCom: 7200). Tests use a few seconds. */
  tokenLifetimeSeconds?: number;
  /**
   * `same-token` (default): gettoken within a token's validity returns that token.
   * `rotate`: every gettoken issues a new token; older ones stay valid until their own expiry.
   */
  tokenMode?: 'same-token' | 'rotate';
  /**
   * What `expires_in` says when `same-token` mode hands out a live token again: its `remaining`
   * seconds (default) or the full `lifetime` (docs/wecom.md §2: the same-token rule itself is not
   * guaranteed, so what a reissued token reports is UNVERIFIED).
   */
  reissuedExpiresIn?: 'remaining' | 'lifetime';
  /** Calls per API per corp per minute before 45009 (WeCom: 10,000). */
  rateLimitPerMinute?: number;
  /** Calls in flight per API before 45033. Default: unlimited. */
  concurrencyLimit?: number;
  /**
   * The corp's seat cap (企业人数上限). A lookup API (user/getuserid, user/get_userid_by_email) that
   * errs more than 20 % of it in a Beijing day answers 45009 until the next Beijing midnight. Default 200.
   */
  seats?: number;
  /** Trusted-IP allow-list (企业可信IP) for business calls; undefined = none configured (all allowed). */
  trustedIps?: string[];
  /** `demo` (default for the CLI and `npm start`): a small company; `empty`: the root department only. */
  seed?: 'demo' | 'empty';
  /** Clock in epoch ms, for token expiry and the active-stat window. Default Date.now. */
  clock?: () => number;
}

/** One injected fault, applied to the next `count` calls of an API (or of every API with '*'). */
export type SandboxFault =
  | { kind: 'errcode'; errcode: number; errmsg?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'http'; status: number };

export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the client appends `/cgi-bin/...`). */
  readonly url: string;
  readonly corpId: string;
  readonly contactSecret: string;
  readonly apps: readonly SandboxApp[];
  /** Change limits and token behaviour at run time. */
  configure(
    options: Partial<
      Pick<
        SandboxOptions,
        | 'tokenLifetimeSeconds'
        | 'tokenMode'
        | 'reissuedExpiresIn'
        | 'rateLimitPerMinute'
        | 'concurrencyLimit'
        | 'trustedIps'
        | 'seats'
      >
    >,
  ): void;
  /** `count` defaults to 1. Faults queue per API; an API's own faults come before those of '*'. */
  injectFault(api: SandboxApi | '*', fault: SandboxFault, count?: number): void;
  clearFaults(): void;
  /** Revoke every token issued so far (WeCom revoking early): they then answer 40014. */
  revokeTokens(): void;
  /** Requests received per API path (`gettoken`, `user/get`, …), counted before any check. */
  counters(): Readonly<Record<string, number>>;
  resetCounters(): void;
  /** Read and arrange the directory directly (tests), bypassing the API and its counters. */
  readonly directory: {
    member(userid: string): Member | undefined;
    members(): Member[];
    departments(): Array<{ id: number; name: string; parentid: number; order: number }>;
    /** Add a department (0 ≤ parentid; the root is 1). */
    addDepartment(department: { id: number; name: string; parentid: number; order?: number }): void;
    /** 1 activated, 2 disabled, 4 not activated, 5 left. Activated members have a WeChat binding. */
    setStatus(userid: string, status: 1 | 2 | 4 | 5): void;
    /** The userid of the corp creator, who cannot be deleted (301005). */
    readonly creator: string | undefined;
    /** Make an existing member the corp creator. */
    setCreator(userid: string): void;
    /**
     * Add a member exactly as user/create would (same rules, unknown departments auto-created; throws
     * the WeCom error on a broken one), then give it `status` (default 4, not activated).
     */
    addMember(member: Member, status?: 1 | 2 | 4 | 5): void;
    /**
     * Add many members at once for scale tests (tens of thousands), bypassing user/create's rules,
     * whose uniqueness checks scan the whole directory for each member. Each needs a new userid and
     * departments that exist; they are activated (status 1).
     */
    addMembersInBulk(members: ReadonlyArray<Member & { department: number[] }>): void;
  };
  stop(): Promise<void>;
}

export type StartSandbox = (options?: SandboxOptions) => Promise<Sandbox>;
