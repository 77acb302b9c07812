/**
 * `npm run sandbox`: the WeCom sandbox alone, with the demo directory, on 127.0.0.1:$SANDBOX_PORT
 * (default 8910). Prints the credentials and how to call it; stops on Ctrl-C or SIGTERM.
 */
import { startSandbox } from './index.ts';

const DEFAULT_PORT = 8910;

function portFromEnvironment(): number {
  const raw = process.env.SANDBOX_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`SANDBOX_PORT must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

const sandbox = await startSandbox({ seed: 'demo', port: portFromEnvironment() });
const [app] = sandbox.apps;
const base = `${sandbox.url}/cgi-bin`;

console.log(`WeCom sandbox listening on ${sandbox.url} (demo directory, ${sandbox.directory.members().length} members)

  corp id:         ${sandbox.corpId}
  contact secret:  ${sandbox.contactSecret}   (通讯录同步: every call)
${app ? `  app secret:      ${app.secret}   (self-built app ${app.agentId}: reads only)\n` : ''}
Try it:
  curl -s '${base}/gettoken?corpid=${sandbox.corpId}&corpsecret=${sandbox.contactSecret}'
  curl -s '${base}/user/get?access_token=<access_token from above>&userid=${sandbox.directory.creator}'

Ctrl-C stops it.`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the sandbox`);
  sandbox.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('the sandbox did not stop cleanly:', error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
