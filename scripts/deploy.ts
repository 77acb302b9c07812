/**
 * `npm run deploy [-- cdk deploy options]`: `cdk deploy` with the options given (e.g. `-c stage=prod`,
 * `--require-approval never` from CI), then the command that checks the new deployment from inside.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The stage the deployment targets: `-c stage=…` / `--context stage=…`, else cdk.json's. */
export function stageOf(argv: readonly string[], fallback: string): string {
  for (const [index, arg] of argv.entries()) {
    const inline = /^(?:-c|--context)=(.*)$/.exec(arg)?.[1];
    const pair = inline ?? (arg === '-c' || arg === '--context' ? argv[index + 1] : undefined);
    if (pair?.startsWith('stage=')) return pair.slice('stage='.length);
  }
  return fallback;
}

function main(args: readonly string[]): number {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: { stage?: string };
  };
  const result = spawnSync('cdk', ['deploy', ...args], {
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
  });
  if (result.status === 0) {
    const stage = stageOf(args, cdkJson.context.stage ?? 'dev');
    console.log('\nDeployed. Check it from inside (docs/operations.md, Doctor):');
    console.log(`  npm run doctor -- --stage ${stage}`);
  }
  return result.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(main(process.argv.slice(2)));
}
