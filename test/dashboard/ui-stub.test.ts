// Browser tests of the dashboard against the in-memory stub API: upload validation (client and server
// messages), live progress, detail page (table, RD plot, CU overlay, CNN prediction, log tail), compare + BD-rate, and the
// layout at 1280 px and 375 px. The real-server end-to-end test is e2e.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launch, newPage, recordJobProgress, shot } from './browser.js';
import { startStubApi } from './stub-api.js';

const skip = chromiumMissing();
if (skip) console.log(`\n*** ${skip} ***\n`);

/**
 * Words of stacked-table cells (values and their labels) that wrap mid-word: a value word whose text spans two
 * line boxes, or a label (drawn by ::before) wider than its column. Words longer than the whole cell may break.
 */
async function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
    document.body.append(probe);
    for (const td of document.querySelectorAll<HTMLElement>('table.stack td')) {
      if (td.offsetParent === null) continue;
      const before = getComputedStyle(td, '::before');
      const labelColumn = parseFloat(getComputedStyle(td).gridTemplateColumns.split(' ')[0]);
      probe.style.font = before.font;
      for (const word of (td.dataset.label ?? '').split(/\s+/).filter(Boolean)) {
        probe.textContent = word;
        if (probe.getBoundingClientRect().width > labelColumn + 0.5) out.push(`label "${word}" (${td.dataset.label})`);
      }
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        // a break right after a hyphen ("nnvvc-|dec") is a normal line break, not a word cut
        for (const m of text.matchAll(/[^\s-]+-?/g)) {
          const r = document.createRange();
          r.setStart(n, m.index!);
          r.setEnd(n, m.index! + m[0].length);
          const tops = new Set([...r.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)));
          if (tops.size > 1 && r.getBoundingClientRect().width < td.getBoundingClientRect().width * 0.6) out.push(`value "${m[0]}" (${td.dataset.label})`);
        }
      }
    }
    probe.remove();
    return out;
  });
}

describe('dashboard UI (stub API)', { skip }, () => {
  let browser: Browser;
  let stub: Awaited<ReturnType<typeof startStubApi>>;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'nnvvc-dash-'));
  // 64x48 8-bit, 3 frames; name carries the size so the form pre-fills.
  const clip = path.join(tmp, 'tiny_64x48_25fps_8bit_3f.yuv');
  writeFileSync(clip, Buffer.alloc(64 * 48 * 1.5 * 3, 100));

  before(async () => {
    stub = await startStubApi({ stepMs: 60 });
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await stub?.app.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function upload(page: Page, fields: Record<string, string>, file = clip, query = '') {
    await page.goto(`${stub.url}/dashboard/#/upload${query}`);
    await page.setInputFiles('#file', file);
    for (const [k, v] of Object.entries(fields)) await page.fill(`#${k}`, v);
    await page.click('form[data-testid=upload-form] button[type=submit]');
  }

  test('client-side checks catch a non-numeric width before any upload', async () => {
    const { page, errors } = await newPage(browser, 1280);
    let posted = 0;
    page.on('request', (r) => { if (r.method() === 'POST') posted++; });
    await upload(page, { width: 'abc' });
    // (the submit handler runs after the click returns: wait for its message rather than read at once, which
    // failed once in CI with an empty message)
    await page.waitForFunction(() => !!document.querySelector('[data-testid=error-size]')?.textContent);
    const msg = await page.textContent('[data-testid=error-size]');
    assert.match(msg ?? '', /Width must be a whole number/);
    assert.equal(await page.getAttribute('#width', 'aria-invalid'), 'true');
    assert.equal(posted, 0, 'nothing must be sent when the client check fails');
    await shot(page, 'stub-upload-client-error-1280');
    assert.deepEqual(errors, []);
  });

  test("the server's 400 message appears next to the size fields (non-numeric, size mismatch)", async () => {
    const { page } = await newPage(browser, 1280);
    await upload(page, { width: 'abc' }, clip, '?skipClientChecks=1');
    await page.waitForFunction(() => document.querySelector('[data-testid=error-size]')?.textContent?.startsWith('Server:'));
    assert.match((await page.textContent('[data-testid=error-size]'))!, /^Server: width must be a positive number, got "abc"/);
    await upload(page, { width: '60' }, clip, '?skipClientChecks=1');
    await page.waitForFunction(() => /not a multiple/.test(document.querySelector('[data-testid=error-size]')?.textContent ?? ''));
    assert.match((await page.textContent('[data-testid=error-size]'))!, /Server: body is 13824 bytes, not a multiple of the 60x48 8-bit frame size 4320/);
  });

  test('upload, start a job, watch progress, then detail page shows table, RD plot, CU overlay, CNN prediction and log', async () => {
    const { page, errors } = await newPage(browser, 1280);
    await upload(page, {});
    await page.waitForSelector('[data-testid=start-job-link]');
    await page.click('[data-testid=start-job-link]');
    await page.waitForSelector('[data-testid=new-job-form]');
    assert.notEqual(await page.inputValue('#sequenceId'), '');
    await page.fill('#rates', '22, 37');
    await page.click('[data-testid=new-job-form] button[type=submit]');
    await page.waitForURL(/#\/jobs\/job\d+$/);
    const seen = new Set<string>();
    await page.waitForFunction(() => document.querySelector('[data-testid=job-state]')?.textContent === 'completed', undefined, { timeout: 15000, polling: 50 })
      .catch(() => {});
    const pct = await page.getAttribute('[data-testid=job-progress] progress', 'value');
    seen.add(pct ?? '');
    assert.equal(await page.textContent('[data-testid=job-state]'), 'completed');
    await page.waitForSelector('[data-testid=ratepoint-table] tbody tr');
    assert.equal(await page.locator('[data-testid=ratepoint-table] tbody tr').count(), 2);
    assert.equal(await page.locator('[data-testid=rd-plot] svg .series').count(), 2, 'ours + anchor');
    assert.match((await page.textContent('[data-testid=bd-rate]'))!, /BD-rate vs anchor .*-10\.00 %/);
    await page.waitForFunction(() => /CUs from qp22\.stats\.json/.test(document.querySelector('[data-testid=frame-caption]')?.textContent ?? ''));
    // the overlay's colours are explained next to it
    assert.equal(await page.isVisible('[data-testid=partition-legend]'), true);
    assert.deepEqual(await page.locator('[data-testid=partition-legend] li').allTextContents(), [
      'blue: 1024 samples or more (32×32 and larger)', 'yellow: 128–1023 samples (16×8 to 32×16)', 'red: under 128 samples (8×8, 4×16 and smaller)']);
    // Beside it, the CNN's prediction from the job's split hints (qp22.hints.txt: QT depth 3 in the top-left
    // 32x32, 1 elsewhere), on the same luma at the same scale, with its legend.
    await page.waitForFunction(() => /CNN prediction from qp22\.hints\.txt/.test(document.querySelector('[data-testid=cnn-caption]')?.textContent ?? ''));
    assert.match((await page.textContent('[data-testid=cnn-caption]'))!, /frame 0: 48 cells \(8×6 grid of 8×8\) shaded by predicted QT depth, QT leaves outlined; hints aggressiveness 0\./);
    assert.equal(await page.getAttribute('[data-testid=cnn-canvas]', 'data-cells'), '48');
    assert.equal(await page.isVisible('[data-testid=cnn-canvas]'), true);
    assert.equal(await page.isVisible('[data-testid=cnn-placeholder]'), false);
    assert.deepEqual(await page.locator('[data-testid=cnn-legend] li').allTextContents(),
      ['QT depth 0: 128×128', 'QT depth 1: 64×64', 'QT depth 2: 32×32', 'QT depth 3: 16×16', 'QT depth 4: 8×8']);
    const canvasInfo = (sel: string, x: number, y: number) => page.evaluate(([sel, x, y]) => {
      const c = document.querySelector(sel as string) as HTMLCanvasElement;
      return { size: [c.width, c.height], px: Array.from(c.getContext('2d')!.getImageData(x as number, y as number, 1, 1).data) };
    }, [sel, x, y] as const);
    const enc = await canvasInfo('[data-testid=frame-canvas]', 0, 0);
    const tl = await canvasInfo('[data-testid=cnn-canvas]', 10, 10), br = await canvasInfo('[data-testid=cnn-canvas]', 242, 178);
    assert.deepEqual(tl.size, enc.size, 'same scale as the encoder view');
    assert.ok(tl.px[0] > tl.px[2] + 50 && tl.px[1] > tl.px[2] + 50, `top-left cell shaded yellow (QT depth 3): ${tl.px}`);
    assert.ok(br.px[2] > br.px[0] + 50, `bottom-right cell shaded sky blue (QT depth 1): ${br.px}`);
    assert.match((await page.textContent('[data-testid=log-tail]'))!, /POC 2 QP 37 encoded/);
    await page.selectOption('#frame-yuv', 'qp37.dec.yuv');
    await page.waitForFunction(() => /No encoder stats/.test(document.querySelector('[data-testid=frame-caption]')?.textContent ?? ''));
    assert.equal(await page.isVisible('[data-testid=partition-legend]'), false, 'no overlay drawn, no legend');
    await page.waitForFunction(() => /^CNN prediction from qp37\.hints\.txt, frame 0: 48 cells/.test(document.querySelector('[data-testid=cnn-caption]')?.textContent ?? ''));
    await page.selectOption('#frame-yuv', 'qp22.dec.yuv');
    await page.waitForFunction(() => /CUs from/.test(document.querySelector('[data-testid=frame-caption]')?.textContent ?? ''));
    // The canvas must show the synthetic gradient: pixel (10,0) of frame 0 is ((10*4)>>2)=10 grey at scale 4.
    const px = await page.evaluate(() => Array.from((document.querySelector('[data-testid=frame-canvas]') as HTMLCanvasElement).getContext('2d')!.getImageData(4 * 30 + 2, 4 * 20 + 2, 1, 1).data));
    assert.deepEqual(px, [50, 50, 50, 255]);
    await shot(page, 'stub-detail-1280');
    assert.deepEqual(errors, []);
  });

  test('a job without CNN split hints says so where the prediction would be drawn', async () => {
    const { page, errors } = await newPage(browser, 1280);
    const seq = (await (await fetch(`${stub.url}/v1/sequences`)).json()).items[0];
    const { id } = await (await fetch(`${stub.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: seq.id, config: 'ai', preset: 'trivial', qps: [22], frames: 1 }) })).json();
    await page.goto(`${stub.url}/dashboard/#/jobs/${id}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=job-state]')?.textContent === 'completed', undefined, { timeout: 15000 });
    await page.waitForSelector('[data-testid=cnn-placeholder]', { state: 'visible' });
    assert.equal(await page.textContent('[data-testid=cnn-placeholder]'), 'No CNN prediction for this job: preset trivial has no partition search to prune.');
    assert.equal(await page.isVisible('[data-testid=cnn-canvas]'), false);
    assert.equal(await page.isVisible('[data-testid=cnn-legend]'), false);
    assert.match((await page.textContent('[data-testid=frame-caption]'))!, /CUs from qp22\.stats\.json/, 'the encoder view is drawn as before');
    assert.deepEqual(errors, []);
  });

  test('job list shows live progress for a running job', async () => {
    const { page, errors } = await newPage(browser, 1280);
    const seq = (await (await fetch(`${stub.url}/v1/sequences`)).json()).items[0];
    const res = await fetch(`${stub.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: seq.id, config: 'ai', preset: 'slow', qps: [22, 27, 32, 37, 42, 47, 51] }) });
    const { id } = await res.json();
    await page.goto(`${stub.url}/dashboard/#/jobs`);
    const row = `tr[data-job-id="${id}"]`;
    await page.waitForSelector(row);
    const values: number[] = [];
    for (let i = 0; i < 6; i++) {
      values.push(Number(await page.getAttribute(`${row} progress`, 'value')));
      await page.waitForTimeout(250);
    }
    assert.ok(values[values.length - 1] > values[0], `progress should advance: ${values.join(',')}`);
    await shot(page, 'stub-jobs-1280');
    await page.waitForSelector(`${row}[data-state=completed]`, { timeout: 15000 });
    assert.deepEqual(errors, []);
  });

  test('compare two jobs: overlaid curves and BD-rate table computed in the browser', async () => {
    const { page, errors } = await newPage(browser, 1280);
    const seq = (await (await fetch(`${stub.url}/v1/sequences`)).json()).items[0];
    const ids: string[] = [];
    for (const preset of ['medium', 'fast']) {
      const r = await fetch(`${stub.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: seq.id, config: 'ra', preset, frames: 1 }) });
      ids.push((await r.json()).id);
    }
    await page.goto(`${stub.url}/dashboard/#/jobs`);
    for (const id of ids) await page.waitForSelector(`tr[data-job-id="${id}"][data-state=completed]`, { timeout: 15000 });
    for (const id of ids) await page.check(`tr[data-job-id="${id}"] input[type=checkbox]`);
    await page.click('text=Compare selected');
    await page.waitForSelector('[data-testid=compare-table] tbody tr');
    assert.equal(await page.locator('[data-testid=compare-plot] svg .series').count(), 3, 'two jobs + reference anchor');
    // Second job has 1.05/0.9 of the first's rate at every PSNR: +16.67 %.
    assert.equal((await page.locator('[data-testid=bd-vs-ref]').nth(1).textContent()), '+16.67 %');
    // Jobs that differ only in preset are told apart: in the table and in the plot legend
    assert.deepEqual(await page.locator('[data-testid=cmp-encoder]').allTextContents(), ['nnvvc · preset medium · CNN hints on', 'nnvvc · preset fast · CNN hints on']);
    const legend = await page.locator('[data-testid=compare-plot] svg .legend text').allTextContents();
    assert.equal(new Set(legend).size, legend.length, `legend labels must differ: ${JSON.stringify(legend)}`);
    assert.ok(legend.some((l) => l.includes('preset fast')) && legend.some((l) => l.includes('preset medium')), JSON.stringify(legend));
    await shot(page, 'stub-compare-1280');
    const phone = await newPage(browser, 375, 800);
    await phone.page.goto(page.url());
    await phone.page.waitForSelector('[data-testid=compare-table] tbody tr');
    const phoneLegend = await phone.page.locator('[data-testid=compare-plot] svg .legend text').allTextContents();
    assert.ok(phoneLegend[0].includes('preset medium') && phoneLegend[1].includes('preset fast'), `phone legend: ${JSON.stringify(phoneLegend)}`);
    assert.deepEqual(await brokenWords(phone.page), [], 'no word broken across lines in the stacked table');
    await shot(phone.page, 'stub-compare-375');
    assert.deepEqual(errors, []);
  });

  test('new-job form: configs and default from GET /v1/encoders (ra offered and default only where supported)', async () => {
    const { page, errors } = await newPage(browser, 1280);
    await page.goto(`${stub.url}/dashboard/#/new`);
    await page.waitForSelector('[data-testid=new-job-form]');
    const configs = () => page.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('input[name=config]')].map((i) => `${i.value}${i.checked ? '*' : ''}`));
    assert.deepEqual(await configs(), ['ai', 'ra*'], 'encoder with ra: offered and the default');
    assert.equal(await page.inputValue('#preset'), 'medium');
    const aiOnly = await startStubApi({ stepMs: 60, nnvvcConfigs: ['ai'] });
    try {
      await page.goto('about:blank');
      await page.goto(`${aiOnly.url}/dashboard/#/new`);
      await page.waitForSelector('[data-testid=new-job-form]');
      assert.deepEqual(await configs(), ['ai*'], 'all-intra-only encoder: ai alone, checked');
      assert.match((await page.textContent('#hint-config'))!, /all intra only/);
      // VTM (reference) does both; back to nnvvc keeps a still-offered choice
      await page.selectOption('#encoder', 'vtm');
      assert.deepEqual(await configs(), ['ai*', 'ra']);
      assert.equal(await page.isVisible('#preset'), false, 'VTM has no presets');
      await page.selectOption('#encoder', 'nnvvc');
      assert.deepEqual(await configs(), ['ai*']);
    } finally {
      await aiOnly.app.close();
    }
    assert.deepEqual(errors, []);
  });

  test('phone width (375 px): no horizontal overflow on list, upload and detail pages', async () => {
    const { page, errors } = await newPage(browser, 375, 800);
    const jobs = (await (await fetch(`${stub.url}/v1/jobs`)).json()).items;
    for (const [route, name] of [['#/jobs', 'jobs'], ['#/upload', 'upload'], ['#/new', 'new'], [`#/jobs/${jobs[0].id}`, 'detail']]) {
      await page.goto(`${stub.url}/dashboard/${route}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(200);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name}: page is ${overflow}px wider than the 375px viewport`);
      if (name === 'detail') await page.waitForSelector('[data-testid=ratepoint-table] tbody tr');
      assert.deepEqual(await brokenWords(page), [], `${name}: a word of a stacked table broken across lines`);
      await shot(page, `stub-${name}-375`);
    }
    assert.deepEqual(errors, []);
  });

  test('cancel from the detail page stops a running job', async () => {
    const { page, errors } = await newPage(browser, 1280);
    const seq = (await (await fetch(`${stub.url}/v1/sequences`)).json()).items[0];
    const { id } = await (await fetch(`${stub.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: seq.id, config: 'ai', preset: 'slow', qps: [20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42] }) })).json();
    await page.goto(`${stub.url}/dashboard/#/jobs/${id}`);
    // ~11 s of work at 300 ms a frame: ample time to click Cancel even on a loaded machine.
    await page.waitForFunction(() => document.querySelector('[data-testid=job-state]')?.textContent === 'active');
    await page.click('button:text("Cancel job")');
    await page.waitForFunction(() => document.querySelector('[data-testid=job-state]')?.textContent === 'cancelled', undefined, { timeout: 10_000 });
    assert.equal(await page.isVisible('button:text("Cancel job")'), false);
    assert.deepEqual(errors, []);
  });

  test('keyboard: skip link, then Tab reaches the nav links with a visible focus outline', async () => {
    const { page } = await newPage(browser, 1280);
    await page.goto(`${stub.url}/dashboard/#/upload`);
    await page.waitForSelector('#file');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    assert.equal(outline, 'solid');
    // Every form control on every page has a label.
    const jobs = (await (await fetch(`${stub.url}/v1/jobs`)).json()).items.filter((j: { state: string }) => j.state === 'completed');
    for (const route of ['#/upload', '#/new', '#/jobs', `#/jobs/${jobs[0].id}`, `#/compare/${jobs[0].id},${jobs[1].id}`]) {
      await page.goto('about:blank'); // a hash-only change would not reload the page
      await page.goto(`${stub.url}/dashboard/${route}`);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300);
      const controls = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')].map((el) => ({
        id: el.id || el.outerHTML.slice(0, 60), labelled: !!((el as HTMLInputElement).labels?.length || el.getAttribute('aria-label')) })));
      assert.ok(controls.length > 0, route);
      assert.deepEqual(controls.filter((c) => !c.labelled).map((c) => c.id), [], `unlabelled controls on ${route}`);
    }
  });
});

describe('dashboard UI without an event stream (polling fallback)', { skip }, () => {
  test('progress still advances and the page says it is polling', async () => {
    const stub = await startStubApi({ stepMs: 60, sse: false });
    const browser = await launch();
    try {
      const { page, errors } = await newPage(browser, 1280);
      const seq = await (await fetch(`${stub.url}/v1/sequences?width=64&height=48&fps=25&bitDepth=8`, { method: 'POST', body: Buffer.alloc(64 * 48 * 1.5 * 3), headers: { 'content-type': 'application/octet-stream' } })).json();
      // 12 points x 3 frames x 300 ms: about 11 s, so several 2 s polls land while it runs.
      const { id } = await (await fetch(`${stub.url}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: seq.id, config: 'ai', preset: 'slow', qps: [20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42] }) })).json();
      await page.goto(`${stub.url}/dashboard/#/jobs/${id}`);
      const seen = await recordJobProgress(page, { until: ['completed'], maxSamples: 500 });
      const polled = seen.filter((s) => s.state === 'active' && s.mode === 'polling' && s.pct > 0 && s.pct < 100);
      assert.ok(new Set(polled.map((s) => s.pct)).size >= 2, `progress should advance by polling: ${JSON.stringify(seen)}`);
      assert.equal(seen[seen.length - 1].state, 'completed');
      await page.waitForSelector('[data-testid=ratepoint-table] tbody tr');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await stub.app.close();
    }
  });
});
