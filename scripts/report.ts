/**
 * `npm run report -- [--date D | --from D --to D] [--webhook URL]`
 *
 * Runs the deployed report handler against an embedded WeCom sandbox seeded with the demo directory,
 * then prints the report. The JSON lines before it are what the function writes in Lambda: the
 * structured log line of each day and its EMF metric line. With `--webhook URL` the group-robot
 * message is posted to that URL; without it, it is only printed.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from '#sandbox/index.ts';
import { ReportFailedError } from '#shared/report/errors.ts';
import type { Comparison } from '#shared/report/figures.ts';
import { createReportHandler } from '#shared/report/handler.ts';
import { formatReportMessage } from '#shared/report/message.ts';
import type { ReportedDay, ReportResult } from '#shared/report/result.ts';
import { createRuntime } from '#shared/runtime.ts';

const USAGE =
  'Usage: npm run report -- [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD] [--webhook URL]';

function readArguments() {
  try {
    const { values } = parseArgs({
      options: {
        date: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        webhook: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const earlier = (label: string, day: Comparison | undefined) =>
  day ? `${label} ${day.date}: ${day.activeMembers}` : `${label}: not available`;

function printReport(result: ReportResult): void {
  const lines = result.days.map((day) =>
    day.status === 'reported'
      ? `  ${day.date}  ${String(day.activeMembers).padStart(6)}   (${earlier('previous day', day.previousDay)}; ` +
        `${earlier('7 days before', day.sevenDaysBefore)})` +
        (day.metric === 'emitted' ? '' : '  metric not emitted: older than CloudWatch accepts')
      : `  ${day.date}  FAILED   ${day.error.name}: ${day.error.message}`,
  );
  console.log(['', 'Active members (WeCom sandbox, demo directory, Beijing dates):', ...lines].join('\n'));
  const reported = result.days.filter((day): day is ReportedDay => day.status === 'reported');
  if (reported.length === 0) return;
  const outcome = {
    sent: 'sent to --webhook',
    failed: 'NOT sent: the webhook failed, see the log above',
    'not-configured': 'not sent: no --webhook',
    none: 'not sent',
  }[result.webhook];
  console.log(`\nGroup-robot message (${outcome}):`);
  console.log(formatReportMessage(reported));
}

const args = readArguments();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
// Unset options stay `undefined`, which the report's input schema reads as absent.
const event = { date: args.date, from: args.from, to: args.to };
const sandbox = await startSandbox({ seed: 'demo' });
try {
  const runtime = createRuntime({
    baseUrl: sandbox.url,
    corpId: sandbox.corpId,
    secrets: { contact: sandbox.contactSecret },
  });
  const handler = createReportHandler({ runtime: () => runtime, webhookUrl: async () => args.webhook });
  const outcome = await handler(event);
  if ('refused' in outcome) {
    console.error(`\n${outcome.refused.message}\n${USAGE}`);
    process.exitCode = 2;
  } else {
    printReport(outcome);
  }
} catch (error) {
  if (error instanceof ReportFailedError) printReport(error.result);
  console.error(`\n${(error as Error).name}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await sandbox.stop();
}
