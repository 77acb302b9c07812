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
  type GetParameterCommandOutput,
  GetParametersCommand,
  ParameterType,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { CredentialName } from '../operations.ts';
import { parameterNames } from '../runtime-types.ts';
import type { StageRead } from '../stage-read.ts';
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

export interface SsmTokenStoreOptions {
  ssm: SSMClient;
  /** The stage's prefix, e.g. `/wecom-contact/dev`. */
  prefix: string;
  /** The cold container's one read of every stage parameter, when it started one. */
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
    const values =
      (await this.#stageRead?.take(wanted)) ??
      new Map(
        (
          (await this.#ssm.send(new GetParametersCommand({ Names: [...wanted], WithDecryption: true })))
            .Parameters ?? []
        ).map((parameter) => [parameter.Name, parameter.Value]),
      );
    return { token: parseStoredToken(values.get(wanted[0])), lease: parseLease(values.get(wanted[1])) };
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
    const current = parseLease(found.Value);
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

  async #get(name: string): Promise<GetParameterCommandOutput['Parameter']> {
    try {
      const { Parameter } = await this.#ssm.send(new GetParameterCommand({ Name: name }));
      return Parameter;
    } catch (error) {
      if (hasName(error, 'ParameterNotFound')) return undefined;
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
