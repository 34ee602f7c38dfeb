// End to end through the service with the external VTM-23.2 (skips LOUDLY when VTM_ENCODER_APP/VTM_DECODER_APP
// are unset): upload foreman (2 frames) -> anchor job -> anchor table -> VTM encode job at the anchor QPs ->
// report with BD-rate 0.00% and every rate/decoder rule passing -> summary -> a targetKbps job (rate matching).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { FOREMAN, json, startStack, submit, upload, waitForState, type Stack } from '../service/helpers.js';

const ENC = process.env.VTM_ENCODER_APP, DEC = process.env.VTM_DECODER_APP;
const skip = !ENC || !DEC ? `SKIPPED: ${!ENC ? 'VTM_ENCODER_APP' : 'VTM_DECODER_APP'} not set` : !existsSync(FOREMAN) ? `SKIPPED: ${FOREMAN} missing` : false;
if (skip) console.log(`\n*** ${skip} — VTM end-to-end service test did not run ***\n`);

const FRAME = 176 * 144 * 3 / 2;
let s: Stack;
let seqId: string;

before(async () => {
  if (skip) return;
  // Only VTM decodes here: the test stack's fake nnvvc-dec cannot read VTM bitstreams.
  s = await startStack({ env: { VTM_ENCODER_APP: ENC!, VTM_DECODER_APP: DEC!, NNVVC_DEC: '/nonexistent/nnvvc-dec' } });
  const bytes = (await readFile(FOREMAN)).subarray(0, 2 * FRAME);
  const res = await upload(s.base, bytes, { width: 176, height: 144, bitDepth: 8, fps: 30, name: 'foreman' });
  assert.equal(res.status, 201);
  seqId = (await json(res)).id;
});
after(async () => { await s?.close(); });

test('anchor job -> VTM job: BD-rate 0.00%, rate windows and VTM MD5 pass; summary; rate matching', { skip, timeout: 2_400_000 }, async () => {
  // 1. anchor
  let res = await submit(s.base, { sequenceId: seqId, config: 'ra', kind: 'anchor' });
  assert.equal(res.status, 201, await res.clone().text());
  const anchorJob = (await json(res)).id;
  let v = await waitForState(s.base, anchorJob, ['completed', 'failed'], 900_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  const anchors = (await json(await fetch(`${s.base}/v1/anchors`))).items;
  assert.equal(anchors.length, 1);
  const table = anchors[0];
  assert.deepEqual(table.points.map((p: { qp: number }) => p.qp), [22, 27, 32, 37]);
  assert.equal(table.source, 'computed');
  assert.equal(table.jobId, anchorJob);
  assert.ok(table.machine.cpu);
  const ar = await json(await fetch(`${s.base}/v1/jobs/${anchorJob}/report`));
  assert.equal(ar.kind, 'anchor');
  assert.equal(ar.anchorStored, table.key);
  console.log('anchor table:', table.points.map((p: any) => `QP${p.qp} ${p.kbps.toFixed(2)} kbps Y ${p.psnrY.toFixed(4)} U ${p.psnrU.toFixed(4)} V ${p.psnrV.toFixed(4)} ${p.encodeSeconds.toFixed(1)} s`).join(' | '));

  // 2. VTM as the "user" encoder at the anchor QPs
  res = await submit(s.base, { sequenceId: seqId, config: 'ra', encoder: 'vtm' });
  const job = (await json(res)).id;
  v = await waitForState(s.base, job, ['completed', 'failed'], 900_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  const rep = await json(await fetch(`${s.base}/v1/jobs/${job}/report`));
  assert.equal(rep.anchor.key, table.key);
  assert.equal(rep.bdRate.toFixed(2), '0.00');
  const rule = (id: string) => rep.rules.find((r: { id: string }) => r.id === id);
  for (const id of ['decode-matches-recon', 'rate-window', 'rate-extremes', 'decode-md5', 'point-count']) assert.equal(rule(id).pass, true, `${id}: ${rule(id).detail}`);
  assert.equal(rule('time-ratio').pass, rep.ratePoints.every((p: any) => p.time.ratio <= 0.7)); // judged per point
  for (const p of rep.ratePoints) {
    assert.equal(p.rateRatio, 1);
    assert.equal(p.rules.decodeMd5, true);
    assert.ok(p.decoders.some((d: { name: string; md5Ok: boolean }) => d.name === 'VTM-23.2' && d.md5Ok));
  }
  console.log(`VTM job: BD-rate ${rep.bdRate.toFixed(4)}% (cubic ${rep.bd.yuv.cubic.toFixed(4)}%), T1/T2 ${rep.timeRatio.ratio.toFixed(3)}; rules ${rep.rules.map((r: any) => `${r.id}=${r.pass}`).join(' ')}`);
  const md = await (await fetch(`${s.base}/v1/jobs/${job}/artifacts/report.md`)).text();
  assert.match(md, /BD-rate \(PSNR YUV 6:1:1, PCHIP\) \*\*0\.00%\*\*/);
  const svg = await fetch(`${s.base}/v1/jobs/${job}/artifacts/rd.svg`);
  assert.equal(svg.status, 200);
  assert.match(await svg.text(), /<svg /);

  // 3. summary across jobs
  const sum = await json(await fetch(`${s.base}/v1/summary?config=ra`));
  assert.equal(sum.groups.length, 1);
  assert.equal(sum.groups[0].averageBdRate.toFixed(2), '0.00');

  // 4. rate matching: a target between the QP 27 and QP 32 anchor rates
  const target = Math.sqrt(table.points[1].kbps * table.points[2].kbps);
  res = await submit(s.base, { sequenceId: seqId, config: 'ra', encoder: 'vtm', targetKbps: [target] });
  assert.equal(res.status, 201, await res.clone().text());
  const rm = (await json(res)).id;
  v = await waitForState(s.base, rm, ['completed', 'failed'], 900_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  const rr = await json(await fetch(`${s.base}/v1/jobs/${rm}/report`));
  const p0 = rr.ratePoints[0];
  console.log(`rate match: target ${target.toFixed(2)} kbps -> ${p0.rateSearch.trials.map((t: any) => `QP${t.qp}:${t.kbps.toFixed(2)}`).join(', ')}; matched=${p0.rateSearch.matched} ${p0.rateSearch.reason ?? ''}`);
  assert.equal(p0.targetKbps, target);
  assert.ok(p0.rateSearch.trials.length >= 1 && p0.rateSearch.trials.length <= 8);
  assert.equal(p0.qp, p0.rateSearch.trials.reduce((b: any, t: any) => (Math.abs(Math.log(t.ratio)) < Math.abs(Math.log(b.ratio)) ? t : b)).qp);
  if (p0.rateSearch.matched) assert.ok(p0.kbps >= 0.9 * target && p0.kbps <= 1.1 * target);
  const arts = (await json(await fetch(`${s.base}/v1/jobs/${rm}/artifacts`))).items.map((a: { name: string }) => a.name);
  assert.ok(arts.includes('rp0.266'), arts.join(','));
});
