/**
 * The doctor's checks, in the order a deployment needs them (docs/operations.md, "Doctor"): the
 * parameters the stack cannot create, a token for each credential (never shown), one cheap call per
 * credential through the stage's own network path (trusted IP, permissions), and the dead-letter
 * queues. A check that depends on one that failed is skipped, so the first fix is the one listed.
 */

import type { WeComClient } from '../contracts.ts';
import type { CredentialName } from '../credential-roles.ts';
import { credentialFor } from '../credential-roles.ts';
import { describeError } from '../error-mapping.ts';
import {
  ConfigurationError,
  DependencyUnavailableError,
  ServiceError,
  UpstreamNetworkError,
  UpstreamTimeoutError,
  WeComError,
} from '../errors.ts';
import { parameterNames } from '../stage-names.ts';
import type { AccessTokenSource } from '../token/provider.ts';
import type { WeComApi } from '../wecom/apis.ts';
import { fixForErrcode, putCorpId, putParameter, putSecret, putWebhook } from './fixes.ts';
import { type CheckResult, type DoctorReport, doctorReport, needsFix, ok, skipped } from './report.ts';

/** A dead-letter queue to check, as the stack names it. */
export interface DeadLetterQueue {
  /** What it holds the failures of: a write function's id, or the report's. */
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface DoctorSetup {
  /** The stage's SSM prefix. */
  readonly prefix: string;
  readonly credentials: readonly CredentialName[];
  /** The corp id when the stack gave it as a value (`corpId` context): no parameter to check. */
  readonly corpId?: string;
  /** Which of these parameter names do not exist; absent where nothing is read from SSM (local mode). */
  readonly missingParameters?: (names: readonly string[]) => Promise<readonly string[]>;
  readonly tokens: AccessTokenSource;
  readonly client: WeComClient;
  /** The report's webhook parameter, when the stage enables it. */
  readonly webhookParameter?: string;
  /** More SecureStrings the stage needs (the contact callback's Token and EncodingAESKey), by check name. */
  readonly otherSecrets?: ReadonlyArray<{
    readonly check: string;
    readonly name: string;
    readonly value: string;
  }>;
  readonly deadLetterQueues?: readonly DeadLetterQueue[];
  /** Messages waiting in a queue. */
  readonly queueDepth?: (queue: DeadLetterQueue) => Promise<number>;
  /** Each check's absolute deadline (epoch ms). */
  readonly deadline: () => number;
}

/** One cheap call per credential, standing for the calls it serves. */
const PROBES: Record<'read' | 'contact', { api: WeComApi; request: object; serves: string }> = {
  read: { api: 'department/simplelist', request: {}, serves: 'reads and listings' },
  contact: { api: 'corp/get_join_qrcode', request: { size_type: 1 }, serves: 'writes, QR code and stats' },
};

export async function runDoctor(setup: DoctorSetup): Promise<DoctorReport> {
  const results: CheckResult[] = [];
  const missing = await missingParameters(setup, results);
  for (const credential of setup.credentials) {
    results.push(...(await credentialChecks(setup, credential, missing)));
  }
  results.push(...(await deadLetterChecks(setup)));
  return doctorReport(setup.prefix, results);
}

/** corp-id, secret:<credential>, webhook: present or the put-parameter command. Returns the missing names. */
async function missingParameters(setup: DoctorSetup, results: CheckResult[]): Promise<Set<string>> {
  const names = parameterNames(setup.prefix);
  const wanted = [
    ...(setup.corpId === undefined ? [names.corpId] : []),
    ...setup.credentials.map(names.secret),
    ...(setup.webhookParameter === undefined ? [] : [setup.webhookParameter]),
    ...(setup.otherSecrets ?? []).map(({ name }) => name),
  ];
  const found = setup.missingParameters;
  let missing: Set<string>;
  try {
    missing = new Set(found === undefined ? [] : await found(wanted));
  } catch (error) {
    results.push(needsFix('parameters', `SSM could not be read: ${reason(error)}`, ssmFix(error)));
    return new Set(wanted);
  }
  const where = (name: string) => (found === undefined ? 'given to the local runtime' : name);
  /** One parameter's result: present, or the command that creates it. */
  const check = (
    name: string,
    id: string,
    fix: string,
    detail = { missing: `${name} does not exist`, ok: where(name) },
  ) => results.push(missing.has(name) ? needsFix(id, detail.missing, fix) : ok(id, detail.ok));
  if (setup.corpId !== undefined)
    results.push(ok('corp-id', 'from the corpId context (an environment value)'));
  else check(names.corpId, 'corp-id', putCorpId(setup.prefix));
  for (const credential of setup.credentials) {
    check(names.secret(credential), `secret:${credential}`, putSecret(setup.prefix, credential));
  }
  const webhook = setup.webhookParameter;
  if (webhook !== undefined) {
    check(webhook, 'webhook', putWebhook(setup.prefix), {
      missing: `${webhook} does not exist (reportWebhook is on)`,
      ok: `${webhook} (the report posts to the group robot)`,
    });
  }
  for (const { check: id, name, value } of setup.otherSecrets ?? []) {
    check(name, id, putParameter(name, value, true));
  }
  return missing;
}

async function credentialChecks(
  setup: DoctorSetup,
  credential: CredentialName,
  missing: ReadonlySet<string>,
): Promise<CheckResult[]> {
  const names = parameterNames(setup.prefix);
  const tokenCheck = `token:${credential}`;
  const roles = (['read', 'contact'] as const).filter(
    (role) => credentialFor(role, setup.credentials) === credential,
  );
  const probeChecks = roles.map((role) => `${role}:${credential}`);
  if (missing.has(names.secret(credential)) || missing.has(names.corpId)) {
    return [tokenCheck, ...probeChecks].map((check) => skipped(check, 'needs the parameters above'));
  }
  try {
    await setup.tokens.getToken(credential, { deadline: setup.deadline() });
  } catch (error) {
    return [
      failure(setup, tokenCheck, credential, 'gettoken', error),
      ...probeChecks.map((check) => skipped(check, 'needs a token')),
    ];
  }
  const results = [ok(tokenCheck, 'WeCom issued a token (not shown)')];
  for (const role of roles) {
    const { api, request, serves } = PROBES[role];
    const check = `${role}:${credential}`;
    try {
      await setup.client.call(api, request as never, {
        credential,
        deadline: setup.deadline(),
        idempotent: true,
      });
      results.push(ok(check, `${api} answered: WeCom accepts this stage's ${serves}`));
    } catch (error) {
      results.push(failure(setup, check, credential, api, error));
    }
  }
  return results;
}

async function deadLetterChecks(setup: DoctorSetup): Promise<CheckResult[]> {
  const { deadLetterQueues = [], queueDepth } = setup;
  if (queueDepth === undefined) return [];
  return Promise.all(
    deadLetterQueues.map(async (queue) => {
      const check = `dead-letters:${queue.name}`;
      try {
        const depth = await queueDepth(queue);
        return depth === 0
          ? ok(check, 'empty')
          : needsFix(
              check,
              `${depth} message(s) failed for good`,
              `read them, fix the cause (the function's log), then redrive:\naws sqs receive-message --queue-url '${queue.url}' --max-number-of-messages 10\naws sqs start-message-move-task --source-arn '${queue.arn}'`,
            );
      } catch (error) {
        return needsFix(
          check,
          `could not be read: ${reason(error)}`,
          "check the doctor's sqs:GetQueueAttributes grant",
        );
      }
    }),
  );
}

function failure(
  setup: DoctorSetup,
  check: string,
  credential: CredentialName,
  api: string,
  error: unknown,
): CheckResult {
  if (error instanceof WeComError) {
    const fix = fixForErrcode(setup, credential, error.api, error.errcode, error.errmsg);
    const detail = `WeCom ${error.api} answered ${error.errcode}`;
    return needsFix(check, detail, fix ?? describeError(error).message);
  }
  if (error instanceof DependencyUnavailableError) return needsFix(check, reason(error), ssmFix(error));
  if (error instanceof UpstreamNetworkError || error instanceof UpstreamTimeoutError) {
    return needsFix(
      check,
      `${api}: ${reason(error)}`,
      "the functions cannot reach WeCom: with egress fixed-ip, check the NAT gateways' routes; check WECOM_BASE_URL and any proxy",
    );
  }
  const message = error instanceof ConfigurationError ? error.message : describeError(error).message;
  return needsFix(check, `${api}: ${reason(error)}`, message);
}

function ssmFix(error: unknown): string {
  return error instanceof DependencyUnavailableError
    ? 'SSM Parameter Store is throttled or unreachable from the functions: retry; with egress fixed-ip, check the NAT route'
    : "check the doctor's SSM permissions (ssm:GetParameters on the stage's parameters)";
}

/** A failure's class and message: our own errors carry no secret, anything else is named only. */
const reason = (error: unknown) =>
  error instanceof ServiceError
    ? `${error.name}: ${error.message}`
    : error instanceof Error
      ? error.name
      : 'error';
