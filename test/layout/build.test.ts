/**
 * What scripts/build.ts puts in the artefacts, and what it leaves out: each function is its bare entry,
 * the layer carries no code only the local tools use, none of zod's translations, and a source map only
 * when the stack asks for one (`sourceMaps`).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS } from '#shared/operations.ts';
import {
  type BuildOutput,
  buildFunction,
  buildLayer,
  LAYER_PACKAGE,
  REPO_ROOT,
} from '../../scripts/build.ts';
import { FUNCTION_IDS } from '../../shared/src/function-ids.ts';

const root = mkdtempSync(path.join(tmpdir(), 'wecom-contact-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mapOf = ({ entry }: BuildOutput) => `${entry}.map`;
const linksAMap = ({ entry }: BuildOutput) => readFileSync(entry, 'utf8').includes('//# sourceMappingURL=');

describe('a function bundle', () => {
  const built = buildFunction('user-get', path.join(root, 'user-get'));
  const code = readFileSync(built.entry, 'utf8');

  it('is its entry alone, importing the layer package by name', () => {
    expect(built.inputs).toEqual(['functions/user-get.ts']);
    expect(code).toContain(`from"${LAYER_PACKAGE}"`);
  });

  it('carries neither the `require` banner nor a source map', () => {
    expect(code).not.toContain('createRequire');
    expect(linksAMap(built)).toBe(false);
    expect(existsSync(mapOf(built))).toBe(false);
  });
});

describe('the function entries', () => {
  const operationIds: readonly string[] = OPERATIONS.map(({ id }) => id);

  it('are generated for every row of the operation table, each naming its own operation', () => {
    for (const { id } of OPERATIONS) {
      const built = buildFunction(id, path.join(root, 'entries', id));
      expect(built.inputs).toEqual([`functions/${id}.ts`]);
      expect(readFileSync(built.entry, 'utf8')).toMatch(
        new RegExp(
          `^import\\{createOperationHandler as (\\w+)\\}from"${LAYER_PACKAGE}";var \\w+=\\1\\("${id}"\\)`,
        ),
      );
    }
  });

  it('are files in functions/ exactly for the functions without a row, none stale', () => {
    const files = readdirSync(path.join(REPO_ROOT, 'functions')).sort();
    const needed = FUNCTION_IDS.filter((id) => !operationIds.includes(id)).map((id) => `${id}.ts`);
    // A missing file fails here with its name; a file for a row would be ignored by the build.
    expect(files).toEqual(needed.sort());
  });
});

describe('the layer', () => {
  let layer: BuildOutput;
  let mapped: BuildOutput;
  beforeAll(() => {
    layer = buildLayer(path.join(root, 'layer'));
    mapped = buildLayer(path.join(root, 'layer-with-map'), { sourceMap: true });
  });

  it('bundles zod’s English messages and none of its other locales (namespace imports tree-shake them)', () => {
    const locales = layer.inputs.filter((input) => input.includes('node_modules/zod/v4/locales/'));
    expect(locales.map((input) => path.basename(input))).toEqual(['en.js']);
  });

  it('leaves out the OpenAPI generator, which only the local server and scripts use', () => {
    expect(layer.inputs.filter((input) => /openapi/i.test(input))).toEqual([]);
  });

  it('gives CommonJS dependencies a real `require`, without an ES import of `node:module`', () => {
    expect(readFileSync(layer.entry, 'utf8')).toMatch(
      /^const require = process\.getBuiltinModule\('node:module'\)\.createRequire\(import\.meta\.url\);/,
    );
  });

  it('imports no Node built-in as an ES module (its ESM facade reads every lazy export)', () => {
    const code = readFileSync(layer.entry, 'utf8');
    expect(code.match(/\bfrom\s*["'](node:)?[a-z_/0-9]+["']|\bimport\s*\(?\s*["']node:/g) ?? []).toEqual([]);
    expect(code).toContain('process.getBuiltinModule("node:http")');
  });

  it('bundles the credential providers a Lambda function uses (environment, container), not the whole chain', () => {
    const providers = layer.inputs
      .map(
        (input) => /node_modules\/@aws-sdk\/(credential-provider-[a-z-]+|nested-clients)\//.exec(input)?.[1],
      )
      .filter((name) => name !== undefined);
    expect(new Set(providers)).toEqual(new Set(['credential-provider-env', 'credential-provider-http']));
  });

  it('bundles the undici modules the layer uses, not its main entry (fetch, WebSocket, cookies…)', () => {
    const undici = layer.inputs.filter((input) => input.includes('node_modules/undici/'));
    expect(undici).toContain('node_modules/undici/lib/dispatcher/agent.js');
    expect(undici).not.toContain('node_modules/undici/index.js');
    expect(
      undici.filter((input) => /\/lib\/(web\/(cookies|websocket|cache|eventsource)|mock)\//.test(input)),
    ).toEqual([]);
  });

  it('ships and links a source map only when asked', () => {
    expect(linksAMap(layer)).toBe(false);
    expect(existsSync(mapOf(layer))).toBe(false);
    expect(linksAMap(mapped)).toBe(true);
    expect(JSON.parse(readFileSync(mapOf(mapped), 'utf8'))).toMatchObject({ version: 3 });
  });
});
