/**
 * `npm run openapi`: prints the OpenAPI 3.1 document of the HTTP API (generated from the operation
 * table and its schemas), or writes it with `--out <file>`. `--server <url>` names the server, e.g.
 * the deployed stage's URL.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateOpenApi } from '#shared/openapi.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, server: { type: 'string' } },
  allowPositionals: false,
});

const json = `${JSON.stringify(generateOpenApi({ serverUrl: values.server }), null, 2)}\n`;
if (values.out === undefined) {
  process.stdout.write(json);
} else {
  writeFileSync(values.out, json);
  console.error(`Wrote ${values.out}`);
}
