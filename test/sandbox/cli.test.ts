/** `npm run sandbox` (sandbox/cli.ts): starts with the demo directory, answers a real client, stops on SIGTERM. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';

describe('sandbox CLI', () => {
  it('prints the corp id, the secrets and curl examples that work, then stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/cli.ts'], {
      env: { ...process.env, SANDBOX_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8');
    const banner = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Ctrl-C')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited early (${code}): ${output}`)));
    });
    await banner;

    const gettoken = /curl -s '(?<url>[^']+\/gettoken\?[^']+)'/.exec(output)?.groups?.url ?? '';
    const token = (await (await fetch(gettoken)).json()) as { access_token: string };
    expect(token).toMatchObject({ errcode: 0, access_token: expect.any(String) });
    const userGet = /curl -s '(?<url>[^']+\/user\/get\?[^']+)'/.exec(output)?.groups?.url ?? '';
    const member = await (
      await fetch(userGet.replace('<access_token from above>', token.access_token))
    ).json();
    expect(member).toMatchObject({ errcode: 0, name: '张三' });
    expect(output).toMatch(/corp id: +ww\w+/);
    expect(output).toMatch(/contact secret: +\S+/);
    expect(output).toMatch(/app secret: +\S+/);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
