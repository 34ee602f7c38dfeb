// End to end in a real headless browser against the real service: the service's buildApp on loopback, real Redis (own key
// prefix, removed afterwards), a real EncodeWorker running the pipeline with the fake encoder/decoder fixtures
// (test/fixtures) slowed to 250 ms a frame so progress can be watched. Screenshots: test-output/dashboard/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launch, newPage, recordJobProgress, shot } from './browser.js';
import { FAKE_ENC, FOREMAN, TEST_REDIS_URL, startStack, wrapper, type Stack } from '../service/helpers.js';

async function redisMissing(): Promise<string | undefined> {
  const r = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try { await r.connect(); await r.ping(); return undefined; } catch (err) {
    return `SKIPPED: Redis not reachable at ${TEST_REDIS_URL} (${(err as Error).message})`;
  } finally { r.disconnect(); }
}

const skip = chromiumMissing() ?? (await redisMissing()) ?? (existsSync(FOREMAN) ? undefined : `SKIPPED: test sequence ${FOREMAN} missing`);
if (skip) console.log(`\n*** dashboard e2e ${skip} ***\n`);

describe('dashboard end to end (real buildApp + worker + Redis + Chromium)', { skip, timeout: 180_000 }, () => {
  let browser: Browser;
  let stack: Stack;
  const pageErrors: string[] = [];
  let jobUrl = '';
  let tmp = '';

  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'nnvvc-dash-e2e-'));
    const slowEnc = await wrapper(tmp, 'slow-fake-enc.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '250' });
    stack = await startStack({ env: { NNVVC_ENC: slowEnc } });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
  });

  async function open(width: number, route: string): Promise<Page> {
    const { page, errors } = await newPage(browser, width, width < 500 ? 800 : 900);
    page.on('close', () => pageErrors.push(...errors));
    await page.goto(`${stack.base}/dashboard/${route}`);
    return page;
  }

  async function fillUpload(page: Page, fields: Record<string, string>) {
    await page.setInputFiles('#file', FOREMAN);
    for (const [k, v] of Object.entries(fields)) await page.fill(`#${k}`, v);
    await page.click('form[data-testid=upload-form] button[type=submit]');
  }

  test("'/' lands on the dashboard; operator link to bull-board works", async () => {
    const { page, errors } = await newPage(browser, 1280);
    await page.goto(`${stack.base}/`);
    assert.equal(new URL(page.url()).pathname, '/dashboard/');
    await page.waitForSelector('h1:text("Jobs")');
    const queues = await page.getAttribute('a:text("Queue (operator)")', 'href');
    assert.equal(queues, '/queues');
    assert.equal((await fetch(`${stack.base}${queues}`)).status, 200);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("bad upload input: the server's 400 message is shown next to the width/height field", async () => {
    const page = await open(1280, '#/upload?skipClientChecks=1');
    const sizeError = page.locator('#err-size');
    // Non-numeric size: rejected by the server's query schema.
    await fillUpload(page, { width: 'abc', height: '144', fps: '30' });
    await page.waitForFunction(() => document.querySelector('#err-size')?.textContent?.startsWith('Server:'));
    assert.match((await sizeError.textContent())!, /^Server: .*width.*integer/);
    assert.equal(await page.getAttribute('#width', 'aria-invalid'), 'true');
    // The message sits inside the frame-size fieldset, right after the width/height inputs, and is their description.
    assert.equal(await page.evaluate(() => document.querySelector('#err-size')!.closest('fieldset')!.contains(document.querySelector('#width'))), true);
    assert.equal(await page.getAttribute('#width', 'aria-describedby'), 'err-size');
    await shot(page, 'e2e-upload-server-error-nonnumeric-1280');
    // Size mismatch: 380160 bytes are not whole 170x144 frames.
    await page.fill('#width', '170');
    await page.click('form[data-testid=upload-form] button[type=submit]');
    await page.waitForFunction(() => /170x144/.test(document.querySelector('#err-size')?.textContent ?? ''));
    assert.match((await sizeError.textContent())!, /^Server: body has 380160 bytes, which is not a whole number of 170x144 8-bit 4:2:0 frames \(36720 bytes each\)/);
    await shot(page, 'e2e-upload-server-error-mismatch-1280');
    const phone = await open(375, '#/upload?skipClientChecks=1');
    await fillUpload(phone, { width: '170', height: '144', fps: '30' });
    await phone.waitForFunction(() => /170x144/.test(document.querySelector('#err-size')?.textContent ?? ''));
    await shot(phone, 'e2e-upload-server-error-mismatch-375');
    await phone.close();
    await page.close();
  });

  test('client-side checks stop a mismatched upload before it is sent', async () => {
    const page = await open(1280, '#/upload');
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST') posts++; });
    await fillUpload(page, { width: '170' });
    await page.waitForFunction(() => !!document.querySelector('#err-size')?.textContent);
    assert.match((await page.textContent('#err-size'))!, /^File is 380160 bytes, which is not a whole number of 170x144 8-bit/);
    assert.equal(posts, 0);
    await page.close();
  });

  test('upload a sequence, start a job, watch progress advance, then see the RD plot and the table', async () => {
    const page = await open(1280, '#/upload');
    // Size, fps and bit depth are guessed from the file name (foreman_176x144_30fps_8bit_10f.yuv).
    await fillUpload(page, {});
    await page.waitForSelector('[data-testid=start-job-link]', { timeout: 20_000 });
    assert.match((await page.textContent('[data-testid=upload-status]'))!, /176x144, 8-bit, 10 frames/);
    await page.click('[data-testid=start-job-link]');
    await page.waitForSelector('[data-testid=new-job-form]');
    // The server's nnvvc-enc (the test encoder) lists only "ai" under --list-configs: the form offers ai alone, checked.
    assert.deepEqual(await page.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('input[name=config]')].map((i) => `${i.value}${i.checked ? '*' : ''}`)), ['ai*']);
    await page.check('input[name=config][value=ai]');
    await page.fill('#rates', '22, 37');
    await page.fill('#frames', '10');
    // The server refuses encoder=vtm here (no VTM_ENCODER_APP); its message lands next to the encoder field.
    await page.selectOption('#encoder', 'vtm');
    await page.click('[data-testid=new-job-form] button[type=submit]');
    await page.waitForFunction(() => !!document.querySelector('#err-encoder')?.textContent);
    assert.match((await page.textContent('#err-encoder'))!, /^Server: .*VTM_ENCODER_APP/);
    await shot(page, 'e2e-new-job-server-error-1280');
    await page.selectOption('#encoder', 'nnvvc');
    await page.click('[data-testid=new-job-form] button[type=submit]');
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    jobUrl = page.url();

    // Record every distinct (state, percent) the detail page shows until the job completes.
    const seen = await recordJobProgress(page, { until: ['completed', 'failed'], timeoutMs: 60_000 });
    const active = seen.filter((s) => s.state === 'active' && s.pct > 0 && s.pct < 100);
    assert.ok(active.length >= 3, `progress should be seen advancing while active: ${JSON.stringify(seen)}`);
    for (let i = 1; i < active.length; i++) assert.ok(active[i].pct >= active[i - 1].pct, `progress went backwards: ${JSON.stringify(seen)}`);
    assert.deepEqual({ ...seen[seen.length - 1], mode: undefined }, { state: 'completed', pct: 100, mode: undefined });
    // Progress came over the SSE stream, not the polling fallback.
    // (The first sample may predate the stream's open event; the page must never fall back to polling.)
    assert.ok(active.filter((s) => s.mode === 'stream').length >= 3, `expected progress over the event stream: ${JSON.stringify(seen)}`);
    assert.ok(!seen.some((s) => s.mode === 'polling'), `fell back to polling: ${JSON.stringify(seen)}`);

    await page.waitForSelector('[data-testid=ratepoint-table] tbody tr');
    const rows = page.locator('[data-testid=ratepoint-table] tbody tr');
    assert.equal(await rows.count(), 2);
    const firstRow = (await rows.first().innerText()).replace(/\s+/g, ' ');
    assert.match(firstRow, /qp22/);
    assert.match(firstRow, /pass/);
    // kbps and PSNR cells hold numbers that came from report.json.
    const report = await (await fetch(`${stack.base}/v1/jobs/${decodeURIComponent(jobUrl.split('/').pop()!)}/report`)).json();
    assert.equal(await rows.first().locator('td[data-label=kbps]').textContent(), report.ratePoints[0].kbps.toFixed(2));
    assert.equal(await rows.first().locator('td[data-label="PSNR Y"]').textContent(), report.ratePoints[0].psnr.y.toFixed(2));
    const plot = page.locator('[data-testid=rd-plot] svg');
    assert.equal(await plot.count(), 1);
    assert.equal(await plot.locator('.series circle').count(), 2, 'one marker per rate point');
    assert.match((await plot.getAttribute('aria-labelledby'))!, /t .*d$/);
    // Frame viewer: the fake encoder's stats have no CU list, which must be said, not drawn.
    await page.waitForFunction(() => /frame 0 of 10/.test(document.querySelector('[data-testid=frame-caption]')?.textContent ?? ''));
    assert.match((await page.textContent('[data-testid=frame-caption]'))!, /has no CU list for frame 0/);
    // The CNN split predictor ran (nnvvc, all-intra, preset medium): its hints are a job artifact and are drawn
    // beside the encoder's view, 22x18 cells of 8x8 for foreman's 176x144.
    assert.equal(report.splitPrediction.hints.qp22, 'qp22.hints.txt');
    const hintsRes = await fetch(`${stack.base}/v1/jobs/${jobUrl.split('/').pop()}/artifacts/qp22.hints.txt`);
    assert.equal(hintsRes.status, 200);
    assert.match(hintsRes.headers.get('content-type') ?? '', /^text\/plain/);
    // (version 2: the predicted probabilities, decided per node at all-intra medium's operating point)
    // (the split direction, 0.2 since the twenty-second session: its tokens carry 9 digits; and since the
    // thirty-third the chroma tree's set 0.05 / 0.05 / 0.05, with 'c' and 7 digits of c1's after each token)
    assert.match(await hintsRes.text(), /^nnvvc-split-hints 2\n[^]*picture 176 144\n[^]*\nthreshold 0.15 0.35 0.15 0.2 0 0.05 0.05 0.05\nframes 10\nframe 0\np[A-Za-z0-9_-]{9}c[A-Za-z0-9_-]{7} /);
    await page.waitForFunction(() => /^CNN prediction from qp22\.hints\.txt, frame 0: 396 cells \(22×18 grid of 8×8\)/.test(document.querySelector('[data-testid=cnn-caption]')?.textContent ?? ''));
    assert.equal(await page.getAttribute('[data-testid=cnn-canvas]', 'data-cells'), '396');
    assert.equal(await page.isVisible('[data-testid=cnn-legend]'), true);
    assert.equal(await page.isVisible('[data-testid=cnn-placeholder]'), false);
    await page.waitForFunction(() => /frame \d+ done/.test(document.querySelector('[data-testid=log-tail]')?.textContent ?? ''));
    const link = await page.getAttribute('[data-testid=artifacts] a:text-is("qp22.266")', 'href');
    assert.equal((await fetch(`${stack.base}${link}`)).status, 200);
    await shot(page, 'e2e-detail-1280');
    await page.close();
  });

  test('screenshots: job list and detail at 1280 px and 375 px without horizontal overflow', async () => {
    assert.ok(jobUrl, 'needs the job from the previous test');
    const hash = new URL(jobUrl).hash;
    for (const width of [1280, 375]) {
      for (const [route, name] of [['#/jobs', 'jobs'], [hash, 'detail'], ['#/upload', 'sequences']]) {
        const page = await open(width, route);
        await page.waitForLoadState('networkidle');
        if (name === 'detail') await page.waitForSelector('[data-testid=rd-plot] svg');
        if (name === 'jobs') await page.waitForSelector('tr[data-state=completed]');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} at ${width}px overflows by ${overflow}px`);
        await shot(page, `e2e-${name}-${width}`);
        await page.close();
      }
    }
  });
});
