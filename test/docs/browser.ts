/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (`.ci/run` installs it when
 * missing), driven by playwright-core. Without it the tests say they skipped and why — and fail instead
 * when `CI=true`, like the other tools the tests look for on PATH.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser'];

/** The Chromium executable on PATH, if any. */
export function chromiumPath(): string | undefined {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) {
      const candidate = join(directory, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Whether the browser tests can run; throws on CI when they cannot. */
export function chromiumAvailable(): boolean {
  if (chromiumPath() !== undefined) return true;
  const message = 'chromium is not on PATH: the browser tests need it (apt-get install -y chromium)';
  if (process.env.CI === 'true') throw new Error(`${message}. CI must run them.`);
  console.warn(`SKIPPED: ${message}.`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox; the page is our own.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
