/**
 * The one synth that bundles for real (the others skip it): `cdk synth` must build each function and
 * the layer through scripts/build.ts, each function from its own entry (test/layout/build.test.ts
 * looks inside the bundles).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineApp } from '#cdk/wecom-contact-app.ts';
import { REPORT_FUNCTION } from '#shared/report/function.ts';
import { LAYER_PACKAGE } from '../../scripts/build.ts';
import { logicalId } from './synth.ts';

describe('cdk synth with bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'wecom-contact-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('builds each function from its own entry, with the layer package left to the layer asset', () => {
    const app = new App({ outdir });
    const stack = defineApp(app);
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // "Bundling asset …" lines
    try {
      app.synth();
    } finally {
      quiet.mockRestore();
    }
    const resources = JSON.parse(
      readFileSync(join(outdir, `${stack.stackName}.template.json`), 'utf8'),
    ).Resources;
    const assetDirectory = (id: string, codeProperty: 'Code' | 'Content') =>
      join(outdir, `asset.${resources[id].Properties[codeProperty].S3Key.replace(/\.zip$/, '')}`);

    const functions = new Map([...stack.functions, [REPORT_FUNCTION.id, stack.report.reporter]]);
    for (const [id, fn] of functions) {
      const directory = assetDirectory(logicalId(fn.function), 'Code');
      const bundle = readFileSync(join(directory, 'index.mjs'), 'utf8');
      expect(bundle, id).toContain(`from"${LAYER_PACKAGE}"`);
      if (id !== REPORT_FUNCTION.id) expect(bundle, id).toContain(`"${id}"`);
      expect(existsSync(join(directory, 'index.mjs.map')), id).toBe(false);
    }

    const [layerId] =
      Object.entries(resources).find(
        ([, r]) => (r as { Type: string }).Type === 'AWS::Lambda::LayerVersion',
      ) ?? [];
    const packageDirectory = join(
      assetDirectory(layerId ?? '', 'Content'),
      'nodejs',
      'node_modules',
      LAYER_PACKAGE,
    );
    expect(JSON.parse(readFileSync(join(packageDirectory, 'package.json'), 'utf8'))).toMatchObject({
      name: LAYER_PACKAGE,
      type: 'module',
      exports: { '.': './index.mjs' },
    });
    expect(existsSync(join(packageDirectory, 'index.mjs'))).toBe(true);
    // Without the `sourceMaps` context key, nothing would read a map.
    expect(existsSync(join(packageDirectory, 'index.mjs.map'))).toBe(false);
  });
});
