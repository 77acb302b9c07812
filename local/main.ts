/**
 * `npm start`: the local API on http://127.0.0.1:$PORT (default 3000), against the embedded WeCom
 * sandbox, or the real WeCom when WECOM_CORP_ID + WECOM_SECRET (or WECOM_SSM_PREFIX) are set.
 * Ctrl-C (or SIGTERM) stops it cleanly.
 */
import { type LocalApi, startLocalApi } from './server.ts';

const DEFAULT_PORT = 3000;

function portFromEnvironment(): number {
  const raw = process.env.PORT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number, not "${raw}"`);
  return port;
}

function banner(api: LocalApi): string {
  const width = Math.max(...api.routes.map(({ path }) => path.length));
  const idWidth = Math.max(...api.routes.map(({ id }) => id.length));
  const rows = api.routes.map(
    ({ method, path, id, summary }) =>
      `  ${method.padEnd(6)} ${path.padEnd(width)}  ${id.padEnd(idWidth)} ${summary}`,
  );
  const userid = api.sandbox?.directory.members()[0]?.userid ?? 'zhangsan';
  return [
    `WeCom contact API (local) on ${api.url}`,
    `WeCom: ${api.wecom}`,
    `Docs (read and try every route): ${api.url}/docs`,
    '',
    ...rows,
    '',
    'Try:',
    `  curl -s ${api.url}/users/${userid}`,
    `  curl -s '${api.url}/departments/1/users?fetch_child=1'`,
    ...(api.sandbox
      ? [
          '',
          'Directory change events (the sandbox console changes a member, WeCom-style callback, event printed here):',
          `  curl -s -X POST ${api.url}/_sandbox/console -d '{"kind":"update_user","userid":"${userid}","changes":{"department":[1,2]}}'`,
        ]
      : []),
    '',
    'Ctrl-C stops.',
  ].join('\n');
}

async function main(): Promise<void> {
  const api = await startLocalApi({
    port: portFromEnvironment(),
    log: (line) => console.log(line),
    printEvent: (text) => console.log(`Event published to wecom-contact-local:\n${text}`),
  });
  console.log(banner(api));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130); // a second Ctrl-C does not wait
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    api.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  console.error(
    code === 'EADDRINUSE'
      ? `The port is in use: set PORT to another one (e.g. PORT=3001 npm start)`
      : `Could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
