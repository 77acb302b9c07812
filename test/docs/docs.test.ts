/**
 * `npm start` serves /docs, an interactive page for /openapi.json: in a real (headless) browser every
 * operation of the table is listed, and "Try it out" on one of them gets the local API's 200. A
 * screenshot of the page stays in test-artifacts/ (git-ignored) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalApi, startLocalApi } from '#local/server.ts';
import { OPERATIONS } from '#shared/operations.ts';
import { chromiumAvailable, launchChromium } from './browser.ts';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const TIMEOUT_MS = 30_000;

// CI installs Chromium (.ci/run), so there the test always runs; a machine without it skips it.
describe.skipIf(!chromiumAvailable() && process.env.CI !== 'true')('the interactive API docs (/docs)', () => {
  let api: LocalApi;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    [api, browser] = await Promise.all([startLocalApi({ env: {} }), launchChromium()]);
    page = await browser.newPage({ viewport: { width: 1280, height: 2400 } });
    await page.goto(`${api.url}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: TIMEOUT_MS });
  }, TIMEOUT_MS * 2);
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('lists every operation of the table, each with its method and path', async () => {
    const shown = await page
      .locator('.opblock')
      .evaluateAll((blocks) =>
        blocks.map(
          (block) =>
            `${block.querySelector('.opblock-summary-method')?.textContent?.trim()} ${block.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`,
        ),
      );

    expect(shown.toSorted()).toEqual(OPERATIONS.map(({ http }) => `${http.method} ${http.path}`).toSorted());
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('docs-routes.png', ARTIFACTS).pathname });
  });

  it(
    'runs "Try it out" on GET /users/{userid} against the local API and shows its 200',
    async () => {
      const operation = page.locator('.opblock-get').filter({
        has: page.locator('.opblock-summary-path[data-path="/users/{userid}"]'),
      });
      await operation.locator('.opblock-summary').click();
      const tryItOut = operation.locator('.try-out__btn');
      if ((await tryItOut.count()) > 0 && (await tryItOut.textContent())?.includes('Try it out'))
        await tryItOut.click();
      await operation.locator('.parameters input').first().fill('zhangsan');
      await operation.locator('.execute').click();

      const status = operation.locator('.live-responses-table tbody .response-col_status').first();
      await status.waitFor({ timeout: TIMEOUT_MS });
      expect((await status.textContent())?.trim()).toBe('200');
      await expect(
        operation.locator('.live-responses-table .microlight').first().textContent(),
      ).resolves.toContain('"userid": "zhangsan"');

      mkdirSync(ARTIFACTS, { recursive: true });
      await operation.scrollIntoViewIfNeeded();
      await page.screenshot({ path: new URL('docs.png', ARTIFACTS).pathname, fullPage: false });
    },
    TIMEOUT_MS * 2,
  );
});
