/**
 * The token store on SSM Parameter Store (docs/tokens.md): a SecureString JSON record per credential at
 * parameterNames(prefix).token(name), and the lease at parameterNames(prefix).lease(name), a String
 * created with Overwrite=false and holding its own expiry, so that a dead holder cannot block anyone.
 * Both are read with one GetParameters; a cold container's first read may come from the stage read
 * started at module load (stage-read.ts), which fetched them with the corp id and secrets.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  type Parameter,
  ParameterType,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { CredentialName } from '../credential-roles.ts';
import { parameterNames } from '../stage-names.ts';
import { byName, type StageRead } from '../stage-read.ts';
import {
  type FleetView,
  isReleasableBy,
  isReplaceable,
  type Lease,
  type LeaseClaim,
  parseLease,
  parseStoredToken,
  type StoredToken,
  type TokenStore,
} from './store.ts';

/** Versions looked back through for the lease that counts, before going straight to the round's winner. */
const LOOK_BACK_VERSIONS = 8;

export interface SsmTokenStoreOptions {
  /** @example createSsmClient() (short timeouts, one retry) */
  ssm: SSMClient;
  /**
   * The stage's prefix: the records live under it.
   * @example '/wecom-contact/dev'
   */
  prefix: string;
  /**
   * The cold container's one read of every stage parameter, when it started one.
   * @default none: every read is a GetParameters of its own
   * @example startStageRead(ssm, stageParameterNames(prefix, credentials, corpId))
   */
  stageRead?: StageRead;
}

export class SsmTokenStore implements TokenStore {
  readonly #ssm: SSMClient;
  readonly #names: ReturnType<typeof parameterNames>;
  readonly #stageRead: StageRead | undefined;

  constructor({ ssm, prefix, stageRead }: SsmTokenStoreOptions) {
    this.#ssm = ssm;
    this.#names = parameterNames(prefix);
    this.#stageRead = stageRead;
  }

  async read(credential: CredentialName): Promise<FleetView> {
    const wanted = [this.#names.token(credential), this.#names.lease(credential)] as const;
    const found = (await this.#stageRead?.take(wanted)) ?? (await this.#getMany(wanted));
    return {
      token: parseStoredToken(found.get(wanted[0])?.Value),
      lease: await this.#effectiveLease(wanted[1], found.get(wanted[1])),
    };
  }

  async write(credential: CredentialName, token: StoredToken): Promise<void> {
    await this.#put(this.#names.token(credential), JSON.stringify(token), ParameterType.SECURE_STRING, true);
  }

  async acquireLease(
    credential: CredentialName,
    lease: Lease,
    now: number,
    key: string,
  ): Promise<LeaseClaim> {
    const name = this.#names.lease(credential);
    try {
      await this.#put(name, JSON.stringify(lease), ParameterType.STRING, false);
      return { granted: true, lease };
    } catch (error) {
      if (!hasName(error, 'ParameterAlreadyExists')) throw error;
    }
    const found = await this.#get(name);
    // Released since our attempt: its holder has just stored a token, which the caller will read.
    if (found === undefined) return { granted: false };
    const current = await this.#effectiveLease(name, found);
    if (current !== undefined && !isReplaceable(current, now, key)) return { granted: false, current };
    // Expired, refused for another key, or unreadable: take it over. SSM numbers each write of a
    // parameter, so of several containers overwriting the version they all saw, exactly one gets that
    // version + 1. All of them write that version as their round (see Lease.round).
    const round = found.Version ?? 0;
    const claimed: Lease = { ...lease, round };
    const written = await this.#put(name, JSON.stringify(claimed), ParameterType.STRING, true);
    if (written.Version !== round + 1) return { granted: false, ...(current ? { current } : {}) };
    return { granted: true, lease: claimed, ...(current ? { replaced: current } : {}) };
  }

  /**
   * SSM has no conditional delete, so a takeover between the read and the delete would lose its lease;
   * the provider rules that out by releasing only while its lease has a second or more to run (a
   * takeover needs the lease expired).
   */
  async releaseLease(credential: CredentialName, lease: Lease, failure?: Lease): Promise<void> {
    const name = this.#names.lease(credential);
    if (failure !== undefined) {
      await this.#put(name, JSON.stringify(failure), ParameterType.STRING, true);
      return;
    }
    const current = await this.#get(name);
    if (current === undefined || !isReleasableBy(parseLease(current.Value), lease)) return;
    try {
      await this.#ssm.send(new DeleteParameterCommand({ Name: name }));
    } catch (error) {
      if (!hasName(error, 'ParameterNotFound')) throw error;
    }
  }

  /**
   * The lease record that counts. A claimant that lost a takeover round may write after the winner's
   * own later write (a failure record, or after its delete): its record carries the round `r` at a
   * version other than r + 1. Such a record hides the one before it: look back through the versions
   * (then straight at the winner's claim, r + 1) for the first that is not one.
   */
  async #effectiveLease(name: string, parameter: Parameter | undefined): Promise<Lease | undefined> {
    let lease = parseLease(parameter?.Value);
    let version = parameter?.Version ?? 0;
    for (let steps = 1; lease?.round !== undefined && version !== lease.round + 1; steps++) {
      version = steps <= LOOK_BACK_VERSIONS ? version - 1 : lease.round + 1;
      // Deleted and created again since: the history is gone, and with it the lease.
      if (version < 1) return undefined;
      lease = parseLease((await this.#get(`${name}:${version}`))?.Value);
    }
    return lease;
  }

  async #getMany(names: readonly string[]): Promise<Map<string, Parameter>> {
    const { Parameters } = await this.#ssm.send(
      new GetParametersCommand({ Names: [...names], WithDecryption: true }),
    );
    return byName(Parameters);
  }

  async #get(name: string): Promise<Parameter | undefined> {
    try {
      const { Parameter: found } = await this.#ssm.send(new GetParameterCommand({ Name: name }));
      return found;
    } catch (error) {
      if (hasName(error, 'ParameterNotFound') || hasName(error, 'ParameterVersionNotFound')) return undefined;
      throw error;
    }
  }

  #put(name: string, value: string, type: ParameterType, overwrite: boolean) {
    return this.#ssm.send(
      new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: overwrite }),
    );
  }
}

function hasName(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
