/** The README's route table is the operation table's: regenerate it with `npm run readme`. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '#shared/operations.ts';
import { README, routeTable, withRouteTable } from '../scripts/readme-routes.ts';

describe("the README's route table", () => {
  const readme = readFileSync(README, 'utf8');

  it('is generated from the operation table (run `npm run readme` after changing a row)', () => {
    expect(readme, 'README.md is behind the operation table: run `npm run readme`').toBe(
      withRouteTable(readme),
    );
  });

  it('has one line per operation, with its route and WeCom call', () => {
    const lines = routeTable().split('\n').slice(2);
    expect(lines).toHaveLength(OPERATIONS.length);
    OPERATIONS.forEach(({ id, http, wecomApi }, index) => {
      expect(lines[index]).toMatch(
        new RegExp(
          `^\\| \`${id}\` +\\| \`${http.method} ${http.path.replace(/[{}]/g, '\\$&')}.*\`${wecomApi}\``,
        ),
      );
    });
  });
});
