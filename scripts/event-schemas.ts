/**
 * Writes the JSON Schema of each event detail-type into docs/events/schemas/ (`npm run event-schemas`);
 * test/callback/detail-schemas.test.ts fails when the committed files differ from what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALL_DETAIL_TYPES, detailJsonSchema, schemaFileName } from '#shared/callback/detail-schemas.ts';
import { REPO_ROOT } from './build.ts';

export const SCHEMA_DIR = path.join(REPO_ROOT, 'docs', 'events', 'schemas');

export const schemaText = (detailType: (typeof ALL_DETAIL_TYPES)[number]) =>
  `${JSON.stringify(detailJsonSchema(detailType), null, 2)}\n`;

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const detailType of ALL_DETAIL_TYPES) {
    writeFileSync(path.join(SCHEMA_DIR, schemaFileName(detailType)), schemaText(detailType));
    console.log(`docs/events/schemas/${schemaFileName(detailType)}`);
  }
}
