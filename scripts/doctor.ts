/**
 * `npm run doctor` — is this deployment healthy? (docs/operations.md, "Doctor")
 *
 *   npm run doctor                                  the checks against the local WeCom (the sandbox, or
 *                                                   WECOM_CORP_ID + WECOM_SECRET for the real one)
 *   npm run doctor -- --fault untrusted-ip          …with a first-deployment fault played by the sandbox
 *   npm run doctor -- --stage dev [--region R]      the deployed stage: invokes its doctor function
 *                                                   (AWS CLI and credentials, as for `cdk deploy`)
 *
 * Prints one line per check (ok / FIX with the command / skip) and exits 1 when something needs a fix.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type DoctorReport, formatReport } from '#shared/doctor/report.ts';
import { LOCAL_FAULTS, type LocalFault, runLocalDoctor } from '../local/doctor.ts';

const USAGE = `Usage: npm run doctor -- [--stage STAGE [--region REGION] | --fault ${Object.keys(LOCAL_FAULTS).join('|')}]`;

function readArguments() {
  try {
    return parseArgs({
      options: {
        stage: { type: 'string' },
        region: { type: 'string' },
        fault: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

/** Runs the AWS CLI; its own error output reaches the terminal. */
function aws(region: string | undefined, args: string[]): string {
  return execFileSync('aws', [...args, ...(region ? ['--region', region] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** The stage's doctor function, found by its stack output, invoked synchronously. */
function invokeDeployed(stage: string, region: string | undefined): DoctorReport {
  const functionName = aws(region, [
    'cloudformation',
    'describe-stacks',
    '--stack-name',
    `WeComContact-${stage}`,
    '--query',
    "Stacks[0].Outputs[?OutputKey=='DoctorFunctionName'].OutputValue",
    '--output',
    'text',
  ]);
  if (functionName === '' || functionName === 'None')
    throw new Error(`Stack WeComContact-${stage} has no doctor: deploy this version first (npm run deploy)`);
  const directory = mkdtempSync(path.join(tmpdir(), 'wecom-doctor-'));
  const answer = path.join(directory, 'doctor.json');
  try {
    aws(region, ['lambda', 'invoke', '--function-name', functionName, '--cli-read-timeout', '90', answer]);
    const report = JSON.parse(readFileSync(answer, 'utf8')) as DoctorReport & { errorMessage?: string };
    if (report.errorMessage !== undefined) throw new Error(`The doctor failed: ${report.errorMessage}`);
    return report;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { stage, region, fault, help } = readArguments();
  if (help) return console.log(USAGE);
  if (fault !== undefined && !(fault in LOCAL_FAULTS)) {
    console.error(`Unknown fault "${fault}"\n${USAGE}`);
    process.exit(2);
  }
  let report: DoctorReport;
  if (stage !== undefined) {
    console.log(`Doctor of stage ${stage} (its function, in its own network path)\n`);
    report = invokeDeployed(stage, region);
  } else {
    const run = await runLocalDoctor({ fault: fault as LocalFault | undefined });
    console.log(`Doctor against ${run.target}\n`);
    report = run.report;
  }
  console.log(formatReport(report));
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
