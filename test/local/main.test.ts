/**
 * `npm start` as a user runs it: a child process on the machine's Node, its banner (routes and a
 * curl example), a request, then Ctrl-C (SIGINT) and SIGTERM stop it cleanly.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '#shared/operations.ts';

const ROOT = new URL('../../', import.meta.url);

function start(): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', WECOM_CORP_ID: '', WECOM_SECRET: '', WECOM_SSM_PREFIX: '' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output };
}

async function banner(output: () => string): Promise<string> {
  for (let attempt = 0; attempt < 300 && !output().includes('Ctrl-C stops.'); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return output();
}

describe('npm start', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'serves every route, prints how to call them, and stops on %s',
    async (signal) => {
      const { child, output } = start();
      try {
        const text = await banner(output);
        const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];

        expect(url).toBeDefined();
        for (const { http } of OPERATIONS) expect(text).toContain(`${http.method.padEnd(6)} ${http.path}`);
        expect(text).toContain(`curl -s ${url}/users/`);
        const answer = await fetch(`${url}/users/zhangsan`);
        expect(answer.status).toBe(200);

        child.kill(signal);
        const [code] = await once(child, 'exit');
        expect(code).toBe(0);
        expect(output()).toContain(`${signal}: stopping`);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
});
