import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules, allRequiredPass, pointFlags } from '../../src/quality/rules.js';
import { buildReport, reportMarkdown, reportSvg, REPORT_JSON_SCHEMA } from '../../src/quality/report.js';
import type { AnchorTable } from '../../src/quality/anchors.js';
import type { MachineInfo } from '../../src/quality/machine.js';

const M: MachineInfo = { cpu: 'TestCPU', cores: 2, os: 'Linux', hostname: 'h1', memGiB: 24 };
const anchorKbps = [1000, 500, 250, 125];
const pt = (i: number, kbps: number, secs = 7, md5Ok = true) => ({ label: `p${i}`, kbps, encodeSeconds: secs, decodeOk: true, md5Ok, anchor: { kbps: anchorKbps[i], encodeSeconds: 10 } });

test('rate window [0.9, 1.1] inclusive; extremes [0.8, 1.2] on lowest/highest only', () => {
  const pts = [pt(0, 1100), pt(1, 450), pt(2, 250), pt(3, 125 * 0.85)];
  const f = pointFlags(pts);
  assert.deepEqual(f.map((x) => x.rateWindow), [true, true, true, false]);
  assert.deepEqual(f.map((x) => x.extremeWindow), [true, null, null, true]);
  const rules = evaluateRules({ points: pts, machine: M, anchorMachine: M });
  const r = Object.fromEntries(rules.map((x) => [x.id, x]));
  assert.equal(r['rate-window'].pass, false);
  assert.match(r['rate-window'].detail, /p3: 106\.250 \/ 125\.000 kbps = 85\.0%/);
  assert.equal(r['rate-extremes'].pass, true);
  assert.equal(r['rate-extremes'].required, false);
  assert.equal(allRequiredPass(rules), false);
  assert.equal(pointFlags([pt(0, 1000 * 1.1000001)])[0].rateWindow, false);
  assert.equal(pointFlags([pt(3, 125 * 0.79)])[0].extremeWindow, false);
});

test('time ratio T1/T2 <= 0.7 per point, with machines recorded', () => {
  const ok = evaluateRules({ points: [0, 1, 2, 3].map((i) => pt(i, anchorKbps[i], 7)), machine: M, anchorMachine: M });
  const t = ok.find((r) => r.id === 'time-ratio')!;
  assert.equal(t.pass, true);
  assert.match(t.detail, /p0: T1 7\.000 s \/ T2 10\.000 s = 0\.7000;/);
  assert.match(t.detail, /total T1 28\.000 s \/ T2 40\.000 s = 0\.7000 \(same machine: TestCPU x2\)/);
  assert.equal(allRequiredPass(ok), true);
  const slow = evaluateRules({ points: [0, 1, 2, 3].map((i) => pt(i, anchorKbps[i], 7.1)), machine: M, anchorMachine: { ...M, hostname: 'other' } });
  const ts = slow.find((r) => r.id === 'time-ratio')!;
  assert.equal(ts.pass, false);
  assert.match(ts.detail, /DIFFERENT machines/);
});

test('time ratio is judged per point: a fast total does not hide one slow point', () => {
  // total 1+1+1+7.5 = 10.5 s of 40 s (0.26), but p3 alone is 7.5/10 = 0.75 > 0.7
  const pts = [1, 1, 1, 7.5].map((secs, i) => pt(i, anchorKbps[i], secs));
  assert.deepEqual(pointFlags(pts).map((f) => f.timeRatio), [true, true, true, false]);
  const t = evaluateRules({ points: pts, machine: M, anchorMachine: M }).find((r) => r.id === 'time-ratio')!;
  assert.equal(t.pass, false);
  assert.match(t.detail, /p3: T1 7\.500 s \/ T2 10\.000 s = 0\.7500 FAIL/);
  // one point without an anchor time: not judged
  const partial = evaluateRules({ points: [pt(0, 1000, 1), { ...pt(1, 500, 1), anchor: { kbps: 500 } }] }).find((r) => r.id === 'time-ratio')!;
  assert.equal(partial.pass, null);
  assert.match(partial.detail, /p1: T2 unknown/);
});

test('MD5 rule and unknown anchor give false / null', () => {
  const r = evaluateRules({ points: [pt(0, 1000, 1, false)] });
  assert.equal(r.find((x) => x.id === 'decode-md5')!.pass, false);
  const noAnchor = evaluateRules({ points: [{ label: 'a', kbps: 10, encodeSeconds: 1, decodeOk: true, md5Ok: true }] });
  assert.equal(noAnchor.find((x) => x.id === 'rate-window')!.pass, null);
  assert.equal(noAnchor.find((x) => x.id === 'time-ratio')!.pass, null);
  assert.equal(allRequiredPass(noAnchor), null);
});

const table: AnchorTable = {
  key: `${'a'.repeat(64)}.ra.2f`, sequence: { sha256: 'a'.repeat(64), name: 'foreman' }, config: 'ra', frames: 2, encoder: 'VTM-23.2',
  source: 'imported', machine: M, createdAt: '2026-01-01T00:00:00Z',
  points: [22, 27, 32, 37].map((qp, i) => ({ qp, kbps: anchorKbps[i], psnrY: 40 - 3 * i, psnrU: 44 - 2 * i, psnrV: 45 - 2 * i, psnrYuv: (6 * (40 - 3 * i) + 44 - 2 * i + 45 - 2 * i) / 8, encodeSeconds: 10 })),
};

function points(scale: number, secs: number) {
  return table.points.map((a) => ({
    label: `qp${a.qp}`, qp: a.qp, kbps: a.kbps * scale, bits: Math.round(a.kbps * scale * 1000), encodeSeconds: secs,
    psnr: { y: a.psnrY, u: a.psnrU, v: a.psnrV, yuv: a.psnrYuv }, decodeOk: true, md5Ok: true, decoders: [{ name: 'VTM-23.2', ok: true }],
  }));
}

test('report: same curve as anchor -> BD-rate 0, all rules pass when faster', () => {
  const rep = buildReport({ jobId: 'j1', sequence: { name: 'foreman', width: 176, height: 144, bitDepth: 8, fps: 30 }, frames: 2, config: 'ra', encoder: 'nnvvc-enc', machine: M, anchor: table, points: points(1, 5) });
  assert.equal(rep.bdRate, 0);
  assert.equal(rep.bd!.yuv.cubic, 0);
  assert.equal(rep.verdict, true);
  assert.equal(rep.timeRatio!.ratio, 0.5);
  assert.equal(rep.ratePoints[2].anchor!.qp, 32);
  assert.equal(rep.ratePoints[2].rateRatio, 1);
  assert.deepEqual(rep.ratePoints[2].time, { t1: 5, t2: 10, ratio: 0.5 });
  assert.equal(rep.ratePoints[2].rules.timeRatio, true);
  const md = reportMarkdown(rep);
  assert.match(md, /BD-rate \(PSNR YUV 6:1:1, PCHIP\) \*\*0\.00%\*\*/);
  assert.match(md, /\| qp32 \| 32 \| 250\.000 \| 250\.000 \| 100\.0% \|/);
  const svg = reportSvg(rep);
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 4);
  assert.equal((svg.match(/<rect x=/g) ?? []).length, 1 + 4); // frame + anchor markers
  assert.ok(svg.trim().endsWith('</svg>'));
  // Every required field of the schema is present.
  for (const k of REPORT_JSON_SCHEMA.required) assert.ok(k in rep, k);
  assert.equal(JSON.stringify(rep).includes('NaN'), false);
});

test('report: 0.9x rate -> -10.00% BD-rate; 90% is inside the window; slower than 70% fails', () => {
  const rep = buildReport({ jobId: 'j2', sequence: { width: 176, height: 144, bitDepth: 8, fps: 30 }, frames: 2, config: 'ra', encoder: 'x', machine: M, anchor: table, points: points(0.9, 10) });
  assert.equal(rep.bdRate!.toFixed(2), '-10.00');
  assert.equal(rep.rules.find((r) => r.id === 'rate-window')!.pass, true);
  assert.equal(rep.rules.find((r) => r.id === 'time-ratio')!.pass, false);
  assert.equal(rep.verdict, false);
});

test('report: non-monotonic ours -> bdRate absent with the reason, no NaN', () => {
  const p = points(1, 5);
  p[1].psnr = { ...p[1].psnr, yuv: p[0].psnr.yuv + 1 };
  const rep = buildReport({ jobId: 'j3', sequence: { width: 176, height: 144, bitDepth: 8, fps: 30 }, frames: 2, config: 'ra', encoder: 'x', machine: M, anchor: table, points: p });
  assert.equal(rep.bdRate, undefined);
  assert.match(rep.bd!.yuv.error!, /not monotonic/);
  assert.equal(JSON.stringify(rep).includes('NaN'), false);
});

test('report without anchor: verdict null, no BD', () => {
  const rep = buildReport({ jobId: 'j4', sequence: { width: 176, height: 144, bitDepth: 8, fps: 30 }, frames: 2, config: 'ra', encoder: 'x', machine: M, points: points(1, 5) });
  assert.equal(rep.anchor, null);
  assert.equal(rep.bd, undefined);
  assert.equal(rep.verdict, null);
  assert.match(reportMarkdown(rep), /Anchor: none/);
});

test('decode-md5 is not judged (null) when VTM DecoderApp did not run', () => {
  const r = evaluateRules({ points: [{ ...pt(0, 1000), vtmDecodeMd5: null }, { ...pt(1, 500), vtmDecodeMd5: true }] });
  const d = r.find((x) => x.id === 'decode-md5')!;
  assert.equal(d.pass, null);
  assert.match(d.detail, /did not run for p0/);
  const f = evaluateRules({ points: [{ ...pt(0, 1000), vtmDecodeMd5: null }, { ...pt(1, 500), vtmDecodeMd5: false }] });
  assert.equal(f.find((x) => x.id === 'decode-md5')!.pass, false);
});
