/**
 * The callback's Token and EncodingAESKey, and the receive id they are checked against (the corp id).
 *
 * Deployed: SecureStrings under the stage prefix (`<prefix>/callback/token`,
 * `<prefix>/callback/encoding-aes-key`) with the corp id beside the credentials (`<prefix>/corp-id`),
 * read at first use and cached for the container like the credentials; a failed read is not cached.
 * Locally: WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY and WECOM_CORP_ID.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../errors.ts';
import {
  keptOnSuccess,
  missingParameters,
  parameterReadFailure,
  readParameterValues,
} from '../ssm-values.ts';
import { parameterNames } from '../stage-names.ts';
import { rememberSecret } from '../wecom/redact.ts';
import { aesKeyOf } from './crypto.ts';

export interface CallbackSecrets {
  readonly token: string;
  /** The 32-byte AES key decoded from the EncodingAESKey. */
  readonly key: Buffer;
  /** What the plaintext must end with: the corp id (contact-sync callbacks). */
  readonly receiveId: string;
}

export type CallbackSecretSource = () => Promise<CallbackSecrets>;

/** SSM names of the callback's parameters under a stage prefix; the stack grants exactly these. */
export const callbackParameterNames = (prefix: string) => ({
  corpId: parameterNames(prefix).corpId,
  token: `${prefix}/callback/token`,
  encodingAesKey: `${prefix}/callback/encoding-aes-key`,
});

/** Checks the values as WeCom's console does; the message never carries them. */
export function callbackSecrets(token: string, encodingAesKey: string, receiveId: string): CallbackSecrets {
  if (!/^[A-Za-z0-9]{1,32}$/.test(token)) {
    throw new ConfigurationError('The callback Token must be 1 to 32 letters or digits');
  }
  let key: Buffer;
  try {
    key = aesKeyOf(encodingAesKey);
  } catch {
    throw new ConfigurationError('The callback EncodingAESKey must be 43 letters or digits');
  }
  rememberSecret(token);
  rememberSecret(encodingAesKey);
  return { token, key, receiveId };
}

export function staticCallbackSecrets(token: string, encodingAesKey: string, receiveId: string) {
  const secrets = callbackSecrets(token, encodingAesKey, receiveId);
  return async () => secrets;
}

/**
 * @param corpId the corp id when the stack set it (WECOM_CORP_ID, the `corpId` context): then
 *   `<prefix>/corp-id` is neither read nor expected.
 */
export function ssmCallbackSecrets(
  ssm: () => SSMClient,
  prefix: string,
  corpId?: string,
): CallbackSecretSource {
  const names = callbackParameterNames(prefix);
  const wanted = [...(corpId === undefined ? [names.corpId] : []), names.token, names.encodingAesKey];
  const subject = 'the contact callback parameters';

  const read = async (): Promise<CallbackSecrets> => {
    const values = await readParameterValues(ssm(), wanted).catch((error: unknown) => {
      throw parameterReadFailure(subject, wanted, error);
    });
    if (missingParameters(subject, wanted, values).length > 0) {
      throw new ConfigurationError('The contact callback is not set up (see docs/events.md, Deploy)');
    }
    const value = (name: string) => values.get(name) as string;
    return callbackSecrets(value(names.token), value(names.encodingAesKey), corpId ?? value(names.corpId));
  };

  const kept = keptOnSuccess(read);
  return () => kept.get();
}
