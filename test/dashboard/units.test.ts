// Unit tests of the dashboard's pure browser modules (they are plain ES modules, importable from Node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bdRate, pchipIntegral } from '../../src/dashboard/public/js/bdrate.js';
import { bdRate as metricsBdRate } from '../../src/quality/bdrate.js';
import { fieldForServerError, frameBytes, jobFieldForServerError, parseNumberList, validateNewJob, validateUpload } from '../../src/dashboard/public/js/validate.js';
import { cusForFrame, lumaRange, lumaToRgba, statsNameFor } from '../../src/dashboard/public/js/yuv.js';
import { rdPlotSvg, reportSeries } from '../../src/dashboard/public/js/rdplot.js';
import { describeEncoder, describeRequest, fmtDuration, jobTiming, shortId } from '../../src/dashboard/public/js/format.js';
import { hintsForFrame, hintsNameFor, predictedQt, probableQt } from '../../src/dashboard/public/js/hints.js';
import { hintsText, type FramePrediction } from '../../src/models/split-predictor.js';

const anchor = [{ kbps: 1000, psnr: 38 }, { kbps: 1800, psnr: 40.1 }, { kbps: 3300, psnr: 42 }, { kbps: 6000, psnr: 43.6 }];

test('BD-rate: equal curves give 0, a uniform 10 % rate saving gives exactly -10 %', () => {
  assert.equal(bdRate(anchor, anchor), 0);
  const test90 = anchor.map((p) => ({ kbps: p.kbps * 0.9, psnr: p.psnr }));
  assert.ok(Math.abs(bdRate(anchor, test90) + 10) < 1e-9);
  // Order of the points must not matter.
  assert.ok(Math.abs(bdRate([...anchor].reverse(), test90) + 10) < 1e-9);
});

test('BD-rate: the browser copy agrees with src/metrics bdRate (PCHIP) on irregular curves', () => {
  const curves = [
    [{ kbps: 950, psnr: 37.7 }, { kbps: 1700, psnr: 40.3 }, { kbps: 3500, psnr: 42.2 }, { kbps: 5600, psnr: 43.1 }],
    [{ kbps: 1200, psnr: 38.6 }, { kbps: 2000, psnr: 40.0 }, { kbps: 3000, psnr: 41.9 }, { kbps: 7000, psnr: 44.0 }],
    [{ kbps: 800, psnr: 37.0 }, { kbps: 1600, psnr: 39.9 }, { kbps: 2600, psnr: 41.0 }],
  ];
  for (const c of curves) {
    const ours = bdRate(anchor, c);
    const theirs = metricsBdRate(anchor, c, 'pchip');
    assert.ok(Math.abs(ours - theirs) < 1e-9, `dashboard ${ours} vs metrics ${theirs}`);
    assert.ok(Math.abs(ours) > 0.1, 'test curves differ from the anchor');
  }
});

test('PCHIP integral of a straight line is exact; BD-rate errors are explained', () => {
  assert.ok(Math.abs(pchipIntegral([0, 1, 3], [0, 2, 6], 0.5, 2.5) - (2.5 ** 2 - 0.5 ** 2)) < 1e-12);
  assert.throws(() => bdRate(anchor, [{ kbps: 100, psnr: 30 }, { kbps: 200, psnr: 31 }]), /do not overlap/);
  assert.throws(() => bdRate(anchor, [{ kbps: 100, psnr: 30 }]), /at least 2/);
});

test('upload checks: non-numeric and odd sizes, size mismatch with numbers, y4m exempt', () => {
  const ok = { name: 'f', width: '176', height: '144', bitDepth: '8', fps: '30' };
  assert.deepEqual(validateUpload(ok, { size: frameBytes(176, 144, 8) * 10 }).errors, {});
  assert.match(validateUpload({ ...ok, width: 'abc' }, { size: 100 }).errors.size!, /Width must be a whole number.*"abc"/);
  assert.match(validateUpload({ ...ok, height: '143' }, { size: 100 }).errors.size!, /even/);
  const mism = validateUpload({ ...ok, width: '170' }, { size: 380160 }).errors.size!;
  assert.match(mism, /File is 380160 bytes.*170x144 8-bit.*36720 bytes each/);
  assert.equal(frameBytes(160, 90, 10), (160 * 90 + 2 * 80 * 45) * 2);
  assert.deepEqual(validateUpload({ name: '', width: '', height: '', bitDepth: '8', fps: '' }, { size: 999, isY4m: true }).errors, {});
  assert.ok(validateUpload(ok, undefined).errors.file);
  assert.ok(validateUpload({ ...ok, fps: '0' }, { size: 38016 }).errors.fps);
});

test("server errors map to the field they are about (the API's error codes, schema errors, plain messages)", () => {
  assert.equal(fieldForServerError({ error: 'not_whole_frames', message: 'body has 1 bytes' }), 'size');
  assert.equal(fieldForServerError({ error: 'bad_request', message: 'querystring/width must be integer', details: [{ instancePath: '/width' }] }), 'size');
  assert.equal(fieldForServerError({ error: 'bad_request', message: 'querystring/fps must be number', details: [{ instancePath: '/fps' }] }), 'fps');
  assert.equal(fieldForServerError({ error: 'unsupported_bit_depth', message: 'unsupported bit depth 9' }), 'bitDepth');
  assert.equal(fieldForServerError({ error: 'x', message: 'body is 13 bytes, not a multiple of the 60x48 8-bit frame size 4320' }), 'size');
  assert.equal(fieldForServerError({ error: 'x', message: 'request body is empty' }), 'file');
  assert.equal(fieldForServerError({ error: 'x', message: 'something else' }), 'form');
});

test("start-job server errors map to their field (the API's error codes and messages)", () => {
  assert.equal(jobFieldForServerError({ error: 'bad_frames', message: 'frames=11 but sequence s has 10 frames' }), 'frames');
  assert.equal(jobFieldForServerError({ error: 'unknown_sequence', message: 'sequenceId "x" does not exist' }), 'sequenceId');
  assert.equal(jobFieldForServerError({ error: 'encoder_unavailable', message: 'encoder=vtm needs VTM_ENCODER_APP to be set on the server' }), 'encoder');
  assert.equal(jobFieldForServerError({ error: 'bad_request', message: 'give qps or targetKbps, not both' }), 'rates');
  assert.equal(jobFieldForServerError({ error: 'bad_request', message: 'body/qps/0 must be <= 63', details: [{ instancePath: '/qps/0' }] }), 'rates');
});

test('start-job checks: QP list, kbps list, frames vs sequence length', () => {
  assert.deepEqual(parseNumberList('22, 27;32 37', { min: 0, max: 63, integer: true, label: 'QP' }).values, [22, 27, 32, 37]);
  assert.match(parseNumberList('22,x', { min: 0, max: 63, integer: true, label: 'QP' }).error!, /"x" is not a whole number/);
  assert.match(parseNumberList('64', { min: 0, max: 63, integer: true, label: 'QP' }).error!, /outside/);
  const r = validateNewJob({ sequenceId: 's', config: 'ra', rateMode: 'kbps', rates: '250, 500.5', frames: '4', encoder: 'nnvvc', maxFrames: 10 });
  assert.deepEqual(r.body, { sequenceId: 's', config: 'ra', targetKbps: [250, 500.5], frames: 4, encoder: 'nnvvc' });
  assert.match(validateNewJob({ sequenceId: 's', config: 'ai', rateMode: 'qp', rates: '22', frames: '11', maxFrames: 10 }).errors.frames!, /only 10 frames/);
  assert.ok(validateNewJob({ sequenceId: '', config: 'ai', rateMode: 'qp', rates: '22', frames: '' }).errors.sequenceId);
  // segments: ra, nnvvc, fixed QPs
  const seg = validateNewJob({ sequenceId: 's', config: 'ra', rateMode: 'qp', rates: '32', frames: '', encoder: 'nnvvc', kind: 'encode', segments: '2' });
  assert.equal(seg.body.segmentIntraPeriods, 2);
  assert.match(validateNewJob({ sequenceId: 's', config: 'ra', rateMode: 'qp', rates: '32', frames: '', encoder: 'nnvvc', segments: '0' }).errors.segments!, /1 to 1000/);
  assert.match(validateNewJob({ sequenceId: 's', config: 'ra', rateMode: 'kbps', rates: '300', frames: '', encoder: 'nnvvc', segments: '1' }).errors.segments!, /fixed QPs/);
  assert.equal(jobFieldForServerError({ error: 'bad_request', message: 'segmentIntraPeriods does not apply to config "ai"' }), 'segments');
});

test('frame helpers: luma offsets, 10-bit LE to grey, CU lists in the accepted shapes', () => {
  assert.deepEqual(lumaRange(176, 144, 10, 2), { start: 2 * 176 * 144 * 1.5 * 2, length: 176 * 144 * 2 });
  const buf = new ArrayBuffer(4);
  new DataView(buf).setUint16(0, 1023, true);
  new DataView(buf).setUint16(2, 512, true);
  assert.deepEqual([...lumaToRgba(buf, 2, 1, 10)], [255, 255, 255, 255, 128, 128, 128, 255]);
  const cu = { x: 0, y: 0, w: 16, h: 8 };
  assert.deepEqual(cusForFrame({ frames: [{ poc: 1, cus: [cu] }, { poc: 0, cus: [] }] }, 1), [cu]);
  assert.deepEqual(cusForFrame({ frames: [[cu], []] }, 0), [cu]);
  assert.deepEqual(cusForFrame([{ frame: 3, cus: [{ x: 8, y: 8, width: 4, height: 4 }] }], 3), [{ x: 8, y: 8, w: 4, h: 4 }]);
  assert.deepEqual(cusForFrame({ cus: [{ frame: 0, ...cu }, { frame: 1, x: 1, y: 1, w: 1, h: 1 }] }, 0), [cu]);
  assert.equal(cusForFrame({ fake: true, qp: 22, frames: 2 }, 0), undefined);
  assert.equal(cusForFrame({ frames: [{ poc: 0, cus: [cu] }] }, 5), undefined);
  assert.equal(statsNameFor('qp22.dec.yuv', ['qp22.266', 'qp22.stats.json']), 'qp22.stats.json');
  assert.equal(statsNameFor('qp27.dec.yuv', ['qp22.stats.json']), undefined);
});

test('RD plot SVG: one group per series, escaped labels, accessible title', () => {
  const svg = rdPlotSvg([{ label: 'ours <b>', points: anchor }, { label: 'anchor', points: anchor, dashed: true }], { title: 'RD & co' });
  assert.equal(svg.match(/<g class="series"/g)?.length, 2);
  assert.match(svg, /ours &lt;b&gt;/);
  assert.match(svg, /<title id="rd\w+t">RD &amp; co<\/title>/);
  assert.equal(svg.match(/<circle/g)?.length, 8);
  assert.match(rdPlotSvg([]), /No rate points yet/);
  const report = { ratePoints: [{ kbps: 10, psnr: { y: 40, u: 42, v: 44 }, anchor: { kbps: 12, psnr: { y: 40, u: 42, v: 44, yuv: 40.75 } } }] };
  assert.deepEqual(reportSeries(report, 'yuv'), { ours: [{ kbps: 10, psnr: 40.75 }], anchor: [{ kbps: 12, psnr: 40.75 }] });
});

test('timing and labels', () => {
  const t = jobTiming({ state: 'active', startedAt: '2026-01-01T00:00:00Z', progress: { percent: 25 } }, Date.parse('2026-01-01T00:01:00Z'));
  assert.deepEqual(t, { elapsed: 60, eta: 180 });
  assert.equal(fmtDuration(3725), '1 h 02 min');
  assert.equal(describeRequest({ config: 'ra', qps: [22, 37], encoder: 'vtm', frames: 8 }), 'ra · QP 22,37 · vtm · 8 frames');
  assert.equal(describeRequest({ config: 'ai', qps: [22], preset: 'fast' }), 'ai · QP 22 · nnvvc fast');
});

test('jobs differing only in preset or hints are described differently; ids are shown whole', () => {
  const hints = { splitPrediction: { model: 'splitnet v1' } }, none = { splitPrediction: { model: null } };
  assert.equal(describeEncoder({ config: 'ai' }, hints), 'nnvvc · preset medium · CNN hints on');
  assert.equal(describeEncoder({ config: 'ai', preset: 'fast' }, none), 'nnvvc · preset fast · CNN hints off');
  assert.equal(describeEncoder({ config: 'ai', preset: 'fast' }), 'nnvvc · preset fast');
  assert.equal(describeEncoder({ config: 'ra', encoder: 'vtm' }, { encoder: 'VTM-23.2' }), 'VTM-23.2');
  assert.equal(shortId('j_mabc1234wxyz'), 'j_mabc1234wxyz');
  assert.notEqual(shortId('j_mabc1234wxyz'), shortId('j_mabc1234wxyq'));
});

test('start-job checks: config must be one the encoder supports; preset passed for nnvvc only', () => {
  const base = { sequenceId: 's', rateMode: 'qp', rates: '22' };
  assert.match(validateNewJob({ ...base, config: 'ra', configs: ['ai'] }).errors.config!, /supports only ai/);
  assert.deepEqual(validateNewJob({ ...base, config: 'ra', configs: ['ai', 'ra'], preset: 'fast', encoder: 'nnvvc' }).body, { sequenceId: 's', config: 'ra', qps: [22], encoder: 'nnvvc', preset: 'fast' });
  assert.equal(validateNewJob({ ...base, config: 'ra', preset: 'fast', encoder: 'vtm' }).body.preset, undefined);
  assert.equal(jobFieldForServerError({ error: 'unsupported_config', message: 'config "ra" (random access) is not supported by this server\'s nnvvc-enc' }), 'config');
  assert.equal(jobFieldForServerError({ error: 'unknown_preset', message: 'preset "x" is not a preset of nnvvc-enc' }), 'preset');
});

test('CNN split hints: the frame view reads back the QT depth the predictor predicted, at every aggressiveness', () => {
  // 40x24 = 5x3 cells of 8x8, every QT depth 0..4 in each row; written by the service's own writer
  const qt = Uint8Array.from({ length: 15 }, (_, k) => k % 5);
  for (const a of [0, 1, 2] as const) {
    for (const conf of [0.5, 0.95]) {
      const p: FramePrediction = { cols: 5, rows: 3, qt, mtt: new Uint8Array(15).fill(1), qtConf: new Float32Array(15).fill(conf), seconds: 0 };
      const text = hintsText(40, 24, [p, p], a);
      const f = hintsForFrame(text, 1)!;
      assert.deepEqual({ ...f, qt: [...f.qt] }, { width: 40, height: 24, grid: 8, cols: 5, rows: 3, aggressiveness: a, qt: [...qt] }, `aggressiveness ${a}, confidence ${conf}`);
      assert.equal(hintsForFrame(text, 2), undefined, 'frame beyond the file');
    }
  }
  // other writers: no aggressiveness comment (middle of the range), unconstrained cells, comments and blank lines
  const other = 'nnvvc-split-hints 1\npicture 16 8 # size\nctu 128\ngrid 8\nframes 1\n\nframe 0\n1-3:2:hv *\n';
  assert.deepEqual([...hintsForFrame(other, 0)!.qt], [2, -1]);
  assert.equal(predictedQt(0, 5), null);
  // version 2 (probabilities): the most likely QT depth of each cell, from what split-predictor.ts writes
  const probs = (qtp: number[]) => ({ cols: 1, rows: 1, qt: new Uint8Array(1), mtt: new Uint8Array(1), qtConf: new Float32Array(1), seconds: 0,
    qtProb: new Float32Array(qtp), mttProb: new Float32Array([0.7, 0.2, 0.1, 0]) });
  const v2 = hintsText(8, 8, [probs([0.1, 0.2, 0.6, 0.1, 0]), probs([0, 0, 0.05, 0.15, 0.8])], { node: { qtSplit: 0.05, qtEnd: 0.3, mtt: 0.1 } });
  assert.match(v2, /^nnvvc-split-hints 2\n[^]*threshold 0.05 0.3 0.1\nframes 2\n/);
  assert.deepEqual([...hintsForFrame(v2, 0)!.qt], [2]);
  assert.deepEqual(hintsForFrame(v2, 1)!.thresholds, [0.05, 0.3, 0.1]);
  assert.deepEqual([...hintsForFrame(v2, 1)!.qt], [4]);
  assert.equal(probableQt('2:1'), null);
  // with the split directions (9 digits) the same depths
  const withDir = (qtp: number[]) => ({ ...probs(qtp), dirProb: new Float32Array([0.9, 0.5]) });
  const v2d = hintsText(8, 8, [withDir([0.1, 0.2, 0.6, 0.1, 0]), withDir([0, 0, 0.05, 0.15, 0.8])], { node: { qtSplit: 0.05, qtEnd: 0.3, mtt: 0.1, dir: 0.2 } });
  assert.match(v2d, /\nthreshold 0.05 0.3 0.1 0.2\nframes 2\nframe 0\np[A-Za-z0-9_-]{9}\n/);
  assert.deepEqual([[...hintsForFrame(v2d, 0)!.qt], [...hintsForFrame(v2d, 1)!.qt]], [[2], [4]]);
  assert.equal(probableQt('pAAAAAAAA'), null);  // 8 digits: neither form
  // with the chroma tree's digits (all-intra medium since the thirty-third session) the luma depths as before
  const withChroma = (qtp: number[]) => ({ ...withDir(qtp), chromaQtProb: new Float32Array([0, 1, 0, 0, 0]), chromaMttProb: new Float32Array([1, 0, 0, 0]) });
  const v2c = hintsText(8, 8, [withChroma([0.1, 0.2, 0.6, 0.1, 0]), withChroma([0, 0, 0.05, 0.15, 0.8])], { node: { qtSplit: 0.05, qtEnd: 0.3, mtt: 0.1, dir: 0.2, chroma: { qtSplit: 0.1, qtEnd: 0.1, mtt: 0.1 } } });
  assert.match(v2c, /\nframe 0\np[A-Za-z0-9_-]{9}c_AAAAAA\n/);
  assert.deepEqual([[...hintsForFrame(v2c, 0)!.qt], [...hintsForFrame(v2c, 1)!.qt]], [[2], [4]]);
  assert.equal(probableQt('pAAAAAAAcAAAAAA'), null);  // a short chroma part
  assert.throws(() => hintsForFrame('hello', 0), /not a split-hints file/);
  assert.throws(() => hintsForFrame('nnvvc-split-hints 1\npicture 16 24\ngrid 8\nframe 0\n2 2\n', 0), /frame 0 has 1 of 3 rows/);
  // which hints go with a decoded output
  assert.equal(hintsNameFor('qp22.dec.yuv', ['qp22.dec.yuv', 'qp22.hints.txt']), 'qp22.hints.txt');
  assert.equal(hintsNameFor('qp22.VTM-DecoderApp.yuv', ['qp22.hints.txt']), 'qp22.hints.txt');
  assert.equal(hintsNameFor('rp0.dec.yuv', ['qp31.hints.txt', 'qp33.hints.txt'], { ratePoints: [{ label: 'rp0', qp: 31 }] }), 'qp31.hints.txt');
  assert.equal(hintsNameFor('qp22.dec.yuv', ['qp22.stats.json']), undefined);
});
