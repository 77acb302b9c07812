/**
 * The README's route table, generated from the operation table so that a new row needs no README edit:
 * `npm run readme` rewrites the block between the markers, and test/readme.test.ts fails while the
 * README is behind the table.
 *
 *   tsx scripts/readme-routes.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { OPERATIONS } from '#shared/operations.ts';

export const README = new URL('../README.md', import.meta.url);
export const START = '<!-- routes: generated from shared/src/operations.ts by `npm run readme` -->';
export const END = '<!-- /routes -->';

const CREDENTIAL = { contact: 'contact-sync', read: 'app, else contact-sync' } as const;

/** A Markdown table with its columns padded, as the README's other tables are. */
function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(3, title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

export function routeTable(): string {
  return markdownTable(
    ['Function', 'Route', 'WeCom call', 'Credential', 'What it does'],
    OPERATIONS.map(({ id, http, wecomApi, credential, summary }) => [
      `\`${id}\``,
      `\`${http.method} ${http.path}${http.query ? `?${http.query.map((name) => `${name}=`).join('&')}` : ''}\``,
      `\`${wecomApi}\``,
      CREDENTIAL[credential],
      summary,
    ]),
  );
}

/** The README with its generated block replaced by the current table. */
export function withRouteTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start === -1 || end < start) throw new Error(`README.md lacks the markers ${START} … ${END}`);
  return `${readme.slice(0, start + START.length)}\n\n${routeTable()}\n\n${readme.slice(end)}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(README, withRouteTable(readFileSync(README, 'utf8')));
}
