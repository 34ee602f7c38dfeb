// Headless Chromium for the dashboard tests (Debian's /usr/bin/chromium driven by playwright-core).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve('test-output/dashboard');

/** Reason to skip browser tests, or undefined. Printed loudly by the caller. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `SKIPPED: chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
}

/** A page that fails the test on uncaught page errors and console errors (collected in `errors`). */
export async function newPage(browser: Browser, width: number, height = 900): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // HTTP 4xx answers the tests provoke on purpose are logged by Chrome as "Failed to load resource"; those are
  // checked through the UI instead. Anything else logged as an error fails the test.
  page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`); });
  return { page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
