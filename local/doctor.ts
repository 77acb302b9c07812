/**
 * The doctor against the local WeCom: the embedded sandbox (optionally with one of the faults an
 * operator meets on a first deployment, to see what the doctor says), or the real WeCom when
 * WECOM_CORP_ID + WECOM_SECRET [+ WECOM_APP_SECRET] are set. The checks are the deployed function's;
 * only SSM and the queues are absent here.
 */
import { startSandbox } from '#sandbox/index.ts';
import type { Sandbox } from '#sandbox/types.ts';
import type { CredentialName } from '#shared/credential-roles.ts';
import { runDoctor } from '#shared/doctor/checks.ts';
import type { DoctorReport } from '#shared/doctor/report.ts';
import { createRuntime } from '#shared/runtime.ts';
import { type Environment, environmentCredentials } from './wecom-target.ts';

/** What can go wrong on a first deployment, played by the sandbox. */
export const LOCAL_FAULTS = {
  'wrong-secret': 'the contact secret in SSM is not the corp’s (40001)',
  'wrong-corp-id': 'the corp id is not the one the secret belongs to (40013)',
  'untrusted-ip': 'the functions’ IP is not in 企业可信IP (60020)',
  'contact-reads-refused': 'the contact-sync secret may not read from a new IP (48009)',
  'app-as-contact': 'an app’s secret where the contact-sync secret belongs (48002)',
} as const;

export type LocalFault = keyof typeof LOCAL_FAULTS;

export interface LocalDoctorOptions {
  readonly fault?: LocalFault;
  /** Default process.env: WECOM_CORP_ID + WECOM_SECRET select the real WeCom. */
  readonly env?: Environment;
}

export interface LocalDoctorRun {
  readonly report: DoctorReport;
  /** Which WeCom was checked (no secrets). */
  readonly target: string;
}

const LOCAL_PREFIX = '/wecom-contact/local';
const CHECK_TIMEOUT_MS = 10_000;

export async function runLocalDoctor(options: LocalDoctorOptions = {}): Promise<LocalDoctorRun> {
  // The real WeCom as the local API selects it (wecom-target.ts), else the sandbox.
  const real = environmentCredentials(options.env ?? process.env);
  if (real !== undefined) return { report: await check(real), target: real.description };
  const sandbox = await startSandbox({ seed: 'demo' });
  try {
    const report = await check(arrange(sandbox, options.fault));
    const fault = options.fault ? `, fault: ${options.fault}` : '';
    return { report, target: `the embedded WeCom sandbox (demo directory${fault})` };
  } finally {
    await sandbox.stop();
  }
}

interface Target {
  readonly corpId: string;
  readonly secrets: { contact: string; app?: string };
  readonly baseUrl?: string;
}

/** The sandbox's settings and the runtime's secrets for a fault. */
function arrange(sandbox: Sandbox, fault: LocalFault | undefined): Target {
  const app = sandbox.apps[0]?.secret;
  const target = {
    corpId: sandbox.corpId,
    secrets: { contact: sandbox.contactSecret, app },
    baseUrl: sandbox.url,
  };
  switch (fault) {
    case 'wrong-secret':
      return { ...target, secrets: { ...target.secrets, contact: 'not-the-contact-secret' } };
    case 'wrong-corp-id':
      return { ...target, corpId: 'ww0000000000000000' };
    case 'untrusted-ip':
      sandbox.configure({ trustedIps: ['203.0.113.10'] });
      return target;
    case 'contact-reads-refused':
      sandbox.injectFault('department/simplelist', {
        kind: 'errcode',
        errcode: 48009,
        errmsg: 'api forbidden for the contact secret from a new ip, from ip: 127.0.0.1',
      });
      return { ...target, secrets: { contact: sandbox.contactSecret } };
    case 'app-as-contact':
      return { ...target, secrets: { contact: app ?? '' } };
    default:
      return target;
  }
}

async function check({ corpId, secrets, baseUrl }: Target): Promise<DoctorReport> {
  const runtime = createRuntime({ baseUrl, corpId, secrets });
  const credentials: CredentialName[] = secrets.app === undefined ? ['contact'] : ['contact', 'app'];
  return runDoctor({
    prefix: LOCAL_PREFIX,
    credentials,
    tokens: runtime.tokens,
    client: runtime.client,
    deadline: () => Date.now() + CHECK_TIMEOUT_MS,
  });
}
