/**
 * The doctor against the sandbox: every check ok on a healthy stage, and for each first-deployment
 * fault the failing check with its fix; missing parameters skip what depends on them without calling
 * WeCom; a dead letter is named with the redrive command; no token ever appears in the report.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_FAULTS, type LocalFault, runLocalDoctor } from '#local/doctor.ts';
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import { type DoctorSetup, runDoctor } from '#shared/doctor/checks.ts';
import { type CheckResult, type DoctorReport, formatReport } from '#shared/doctor/report.ts';
import { createRuntime } from '#shared/runtime.ts';
import { parameterNames } from '#shared/stage-names.ts';

const PREFIX = '/wecom-contact/test';
const names = parameterNames(PREFIX);

const byCheck = (report: DoctorReport) => new Map(report.checks.map((result) => [result.check, result]));
const statuses = (report: DoctorReport) =>
  Object.fromEntries(report.checks.map(({ check, status }) => [check, status]));

describe('npm run doctor (the local sandbox)', () => {
  it('passes every check of a healthy stage, both credentials', async () => {
    const { report } = await runLocalDoctor({ env: {} });

    expect(report.ok).toBe(true);
    expect(statuses(report)).toEqual({
      'corp-id': 'ok',
      'secret:contact': 'ok',
      'secret:app': 'ok',
      'token:contact': 'ok',
      'contact:contact': 'ok',
      'token:app': 'ok',
      'read:app': 'ok',
    });
    expect(formatReport(report)).toContain('All 7 checks passed');
  });

  const expectations: Record<LocalFault, { check: string; fix: RegExp[] }> = {
    'wrong-secret': {
      check: 'token:contact',
      fix: [
        /put-parameter --name '\/wecom-contact\/local\/secrets\/contact' --type SecureString --overwrite/,
      ],
    },
    'wrong-corp-id': { check: 'token:contact', fix: [/corp-id' --type String --overwrite/, /-c corpId=/] },
    'untrusted-ip': { check: 'read:app', fix: [/add 127\.0\.0\.1 to 企业可信IP/, /-c egress=fixed-ip/] },
    'contact-reads-refused': {
      check: 'read:contact',
      fix: [/configure the app credential/, /secrets\/app' --type SecureString/, /-c appCredential=true/],
    },
    'app-as-contact': { check: 'contact:contact', fix: [/corp\/get_join_qrcode/, /API sync enabled/] },
  };

  it.each(Object.keys(LOCAL_FAULTS) as LocalFault[])('names the fault %s with its fix', async (fault) => {
    const { report } = await runLocalDoctor({ fault, env: {} });
    const { check, fix } = expectations[fault];

    expect(report.ok).toBe(false);
    const result = byCheck(report).get(check);
    expect(result?.status).toBe('fix');
    for (const pattern of fix) expect(result?.fix).toMatch(pattern);
  });
});

describe('runDoctor', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 'demo' });
  });
  afterAll(() => sandbox.stop());
  beforeEach(() => {
    sandbox.resetCounters();
    sandbox.configure({ trustedIps: undefined });
  });

  const setup = (overrides: Partial<DoctorSetup> = {}): DoctorSetup => {
    const runtime = createRuntime({
      baseUrl: sandbox.url,
      corpId: sandbox.corpId,
      secrets: { contact: sandbox.contactSecret },
    });
    return {
      prefix: PREFIX,
      credentials: ['contact'],
      missingParameters: async () => [],
      tokens: runtime.tokens,
      client: runtime.client,
      deadline: () => Date.now() + 5_000,
      ...overrides,
    };
  };

  it('with a missing secret: names the parameter and its put-parameter command, skips the rest, calls no WeCom', async () => {
    const report = await runDoctor(setup({ missingParameters: async () => [names.secret('contact')] }));

    expect(statuses(report)).toEqual({
      'corp-id': 'ok',
      'secret:contact': 'fix',
      'token:contact': 'skipped',
      'read:contact': 'skipped',
      'contact:contact': 'skipped',
    });
    expect(byCheck(report).get('secret:contact')?.fix).toBe(
      `aws ssm put-parameter --name '${names.secret('contact')}' --type SecureString --value '<the contact-sync (通讯录同步) secret>'`,
    );
    expect(sandbox.counters()).toEqual({});
  });

  it('takes the corp id from the stack when given, and checks no parameter for it', async () => {
    let asked: readonly string[] = [];
    const report = await runDoctor(
      setup({
        corpId: sandbox.corpId,
        missingParameters: async (wanted) => {
          asked = wanted;
          return [];
        },
      }),
    );

    expect(asked).toEqual([names.secret('contact')]);
    expect(byCheck(report).get('corp-id')?.detail).toContain('corpId context');
    expect(report.ok).toBe(true);
  });

  it('a wrong corp id from the stack: the fix is to deploy with the right one, not a parameter', async () => {
    const wrong = createRuntime({
      baseUrl: sandbox.url,
      corpId: 'wwwrong',
      secrets: { contact: sandbox.contactSecret },
    });
    const report = await runDoctor(setup({ corpId: 'wwwrong', tokens: wrong.tokens, client: wrong.client }));

    expect(byCheck(report).get('token:contact')?.fix).toBe(
      'WeCom refused the corp id wwwrong of the corpId context: deploy again with -c corpId=<the right corp id>',
    );
  });

  it('checks the webhook parameter when the report posts to a group robot', async () => {
    const webhook = names.reportWebhookUrl;
    const missing = await runDoctor(
      setup({ webhookParameter: webhook, missingParameters: async () => [webhook] }),
    );
    const present = await runDoctor(setup({ webhookParameter: webhook }));

    expect(byCheck(missing).get('webhook')).toMatchObject({
      status: 'fix',
      fix: expect.stringContaining(`--name '${webhook}' --type SecureString`),
    });
    expect(byCheck(present).get('webhook')?.status).toBe('ok');
    expect(byCheck(await runDoctor(setup())).has('webhook')).toBe(false);
  });

  it('names a dead-letter queue that holds messages, with the redrive command', async () => {
    const queues = [
      { name: 'user-create', url: 'https://sqs.example/1/create-dlq', arn: 'arn:aws:sqs:r:1:create-dlq' },
      { name: 'user-invite', url: 'https://sqs.example/1/invite-dlq', arn: 'arn:aws:sqs:r:1:invite-dlq' },
    ];
    const report = await runDoctor(
      setup({ deadLetterQueues: queues, queueDepth: async ({ name }) => (name === 'user-invite' ? 3 : 0) }),
    );

    expect(byCheck(report).get('dead-letters:user-create')?.status).toBe('ok');
    expect(byCheck(report).get('dead-letters:user-invite')).toMatchObject<Partial<CheckResult>>({
      status: 'fix',
      detail: '3 message(s) failed for good',
      fix: expect.stringContaining(
        "aws sqs start-message-move-task --source-arn 'arn:aws:sqs:r:1:invite-dlq'",
      ),
    });
  });

  it('never shows the token, nor a secret', async () => {
    const doctor = setup();
    const report = await runDoctor({ ...doctor, tokens: doctor.tokens });
    const token = await doctor.tokens.getToken('contact');

    const shown = `${JSON.stringify(report)}\n${formatReport(report)}`;
    expect(shown).not.toContain(token);
    expect(shown).not.toContain(sandbox.contactSecret);
    // One gettoken for the check (the value above came from the provider's memory).
    expect(sandbox.counters().gettoken).toBe(1);
  });
});
