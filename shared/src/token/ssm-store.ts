/**
 * The token store on SSM Parameter Store (design.md §4, §6): a SecureString JSON record per credential
 * at parameterNames(prefix).token(name), and the refresh lease at parameterNames(prefix).lease(name),
 * created with Overwrite=false and holding its own expiry so that a dead holder cannot block anyone.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  type GetParameterCommandOutput,
  ParameterType,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type { CredentialName } from '../operations.ts';
import { parameterNames } from '../runtime-types.ts';
import { type Lease, parseLease, parseStoredToken, type StoredToken, type TokenStore } from './store.ts';

export interface SsmTokenStoreOptions {
  ssm: SSMClient;
  /** The stage's prefix, e.g. `/wecom-contact/dev`. */
  prefix: string;
}

export class SsmTokenStore implements TokenStore {
  readonly #ssm: SSMClient;
  readonly #names: ReturnType<typeof parameterNames>;

  constructor({ ssm, prefix }: SsmTokenStoreOptions) {
    this.#ssm = ssm;
    this.#names = parameterNames(prefix);
  }

  async read(credential: CredentialName): Promise<StoredToken | undefined> {
    const parameter = await this.#get(this.#names.token(credential), true);
    return parseStoredToken(parameter?.Value);
  }

  async write(credential: CredentialName, token: StoredToken): Promise<void> {
    await this.#put(this.#names.token(credential), JSON.stringify(token), ParameterType.SECURE_STRING, true);
  }

  async acquireLease(credential: CredentialName, lease: Lease, now: number): Promise<boolean> {
    const name = this.#names.lease(credential);
    const value = JSON.stringify(lease);
    try {
      await this.#put(name, value, ParameterType.STRING, false);
      return true;
    } catch (error) {
      if (!hasName(error, 'ParameterAlreadyExists')) throw error;
    }
    const current = await this.#get(name, false);
    // Released since our attempt: its holder has just stored a token, which the caller will read.
    if (current === undefined) return false;
    const held = parseLease(current.Value);
    if (held !== undefined && held.expiresAt > now) return false;
    // Expired (or unreadable): take it over. SSM numbers each write of a parameter, so of several
    // containers overwriting the version they all saw, exactly one gets that version + 1.
    const written = await this.#put(name, value, ParameterType.STRING, true);
    return written.Version === (current.Version ?? 0) + 1;
  }

  /**
   * Deletes the lease if `holder` still holds it. SSM has no conditional delete, so a takeover between
   * the read and the delete would lose its lease; the provider rules that out by releasing only while
   * its lease has a second or more to run (a takeover needs the lease expired).
   */
  async releaseLease(credential: CredentialName, holder: string): Promise<void> {
    const name = this.#names.lease(credential);
    const current = await this.#get(name, false);
    if (current === undefined || parseLease(current.Value)?.holder !== holder) return;
    try {
      await this.#ssm.send(new DeleteParameterCommand({ Name: name }));
    } catch (error) {
      if (!hasName(error, 'ParameterNotFound')) throw error;
    }
  }

  async #get(name: string, decrypt: boolean): Promise<GetParameterCommandOutput['Parameter']> {
    try {
      const { Parameter } = await this.#ssm.send(
        new GetParameterCommand({ Name: name, WithDecryption: decrypt }),
      );
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
