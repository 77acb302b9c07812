/**
 * `npm run deploy` passes its options to `cdk deploy` and ends with the doctor's command for the
 * stage deployed (a stand-in `cdk` on PATH records what it was given).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stageOf } from '../../scripts/deploy.ts';

const bin = mkdtempSync(path.join(tmpdir(), 'fake-cdk-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

function deploy(args: string[], exitCode = 0) {
  writeFileSync(path.join(bin, 'cdk'), `#!/bin/sh\necho "cdk $*"\nexit ${exitCode}\n`);
  chmodSync(path.join(bin, 'cdk'), 0o755);
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/deploy.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
  });
}

describe('npm run deploy', () => {
  it('runs cdk deploy with the options given, then prints the doctor command of that stage', () => {
    const { status, stdout } = deploy(['-c', 'stage=prod', '--require-approval', 'never']);

    expect(status).toBe(0);
    expect(stdout).toContain('cdk deploy -c stage=prod --require-approval never');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('  npm run doctor -- --stage prod');
  });

  it('prints no doctor command when the deployment failed, and fails too', () => {
    const { status, stdout } = deploy([], 3);

    expect(status).toBe(3);
    expect(stdout).not.toContain('npm run doctor');
  });

  it('reads the stage from each way of giving context, else the default', () => {
    expect(stageOf(['--context', 'stage=qa'], 'dev')).toBe('qa');
    expect(stageOf(['-c=stage=qa'], 'dev')).toBe('qa');
    expect(stageOf(['-c', 'corpId=ww1'], 'dev')).toBe('dev');
  });
});
