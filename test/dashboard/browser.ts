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

export interface ProgressSample { state: string; pct: number; mode: string }

/**
 * Samples the job detail page every 25 ms and returns each distinct (state, progress percent, live mode) it showed.
 * Ends at a state in `until`, after more than `maxSamples` samples (0: no limit), or rejects after `timeoutMs`
 * (0: no limit). No named inner functions: the callback is serialised into the page as is.
 */
export function recordJobProgress(page: Page, o: { until: string[]; timeoutMs?: number; maxSamples?: number }): Promise<ProgressSample[]> {
  return page.evaluate(({ until, timeoutMs, maxSamples }) => new Promise<ProgressSample[]>((resolve, reject) => {
    const out: ProgressSample[] = [];
    const t0 = Date.now();
    const timer = setInterval(() => {
      const state = document.querySelector('[data-testid=job-state]')?.textContent ?? '';
      const pct = Number(document.querySelector('[data-testid=job-progress] progress')?.getAttribute('value') ?? NaN);
      const mode = (document.querySelector('[data-testid=live-mode]') as HTMLElement | null)?.dataset.mode ?? '';
      const last = out[out.length - 1];
      if (!last || last.state !== state || last.pct !== pct || last.mode !== mode) out.push({ state, pct, mode });
      if (until.includes(state) || (maxSamples > 0 && out.length > maxSamples)) { clearInterval(timer); resolve(out); }
      if (timeoutMs > 0 && Date.now() - t0 > timeoutMs) { clearInterval(timer); reject(new Error(`no completion: ${JSON.stringify(out)}`)); }
    }, 25);
  }), { until: o.until, timeoutMs: o.timeoutMs ?? 0, maxSamples: o.maxSamples ?? 0 });
}
