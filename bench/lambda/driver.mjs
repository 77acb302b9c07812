/**
 * Plays the Lambda runtime for one built function: imports `<function dir>/index.mjs` (its init) and
 * invokes its `handler` `<invocations>` times in sequence with the event in $BENCH_EVENT and a fresh
 * context each time, as one warm container would. Plain JavaScript, so that the Node running it loads
 * nothing but the function (no TypeScript loader); the context is the Lambda layout test's
 * (test/layout/lambda/runtime.mjs), built from the Lambda variables the bench sets.
 *
 *   node bench/lambda/driver.mjs <function dir> [invocations=1]
 *
 * Prints `{"progress":n}` every 1,000 invocations, then `{"statuses":{…},"maxRssKb":n,"cpuMs":n,…}`
 * (cpuMs: the whole process's CPU time, start-up included), and exits.
 * With more than one invocation it also reports `initRssKb`, the RSS at rest after the first
 * invocation (what a 128 MB function keeps), and `warmCpuUs`, the CPU time (user + system) per
 * invocation over the second half of them.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { lambdaContext } from '../../test/layout/lambda/runtime.mjs';

const PROGRESS_EVERY = 1_000;
/** How long the container idles after its first invocation before its resting RSS is read. */
const REST_MS = 200;

const [functionDir, count = '1'] = process.argv.slice(2);
if (functionDir === undefined) throw new Error('usage: driver.mjs <function dir> [invocations]');
const invocations = Number(count);
const event = JSON.parse(process.env.BENCH_EVENT ?? '{}');

const { handler } = await import(pathToFileURL(path.join(functionDir, 'index.mjs')).href);

const statuses = {};
const summary = {};
const warmFrom = Math.floor(invocations / 2) + 1;
let cpuFrom;
for (let invocation = 1; invocation <= invocations; invocation++) {
  if (invocation === warmFrom && invocations > 1) cpuFrom = process.cpuUsage();
  const result = await handler(structuredClone(event), lambdaContext());
  const status = String(result?.statusCode ?? 'none');
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (invocation === 1 && invocations > 1) {
    await new Promise((resolve) => setTimeout(resolve, REST_MS));
    summary.initRssKb = process.memoryUsage.rss() / 1024;
  }
  if (invocation % PROGRESS_EVERY === 0 && invocation < invocations) {
    process.stdout.write(`${JSON.stringify({ progress: invocation })}\n`);
  }
}
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

if (cpuFrom !== undefined) {
  const { user, system } = process.cpuUsage(cpuFrom);
  summary.warmCpuUs = (user + system) / (invocations - warmFrom + 1);
}
process.stdout.write(
  `${JSON.stringify({ statuses, maxRssKb: process.resourceUsage().maxRSS, cpuMs: cpuMs(), ...summary })}\n`,
);
// A Lambda container is frozen, not drained: do not wait for keep-alive sockets to close.
process.exit(0);
