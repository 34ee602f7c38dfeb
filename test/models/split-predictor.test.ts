// CNN split predictor: the committed ONNX model runs on a real frame, the hints it leads to are accepted by
// nnvvc-enc and the bitstream decodes to the encoder's recon, and bad inputs give clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  C1_MODEL, CELLS, CTU, DEFAULT_MODEL, DEFAULT_RA_MODEL, ExecutionProviderError, GRID, MTT_CLASSES, QT_CLASSES, V1_MODEL, V2_MODEL, V3_MODEL, V4_MODEL, defaultModelFor, cellToken, hintsText, loadSplitModel, parseAggressiveness,
  formatNodeThresholds, hasChromaThresholds, parseNodeThresholds, parseThreshold, predictFrame, predictFrameQps, probabilityToken, readChroma, readLuma, SplitModelError, thresholdToken, writeSplitHints,
  writeSplitHintsForQps, type FramePrediction, type NodeThresholds, fitLayersToGop, hintPolicyFromEnv, defaultPolicyFor,
  PRESET_OPERATING_POINTS,
} from '../../src/models/split-predictor.js';
import { mcTemporalFeature, planFrames, temporalFeature, topTemporalLayer } from '../../src/models/temporal.js';
import { cellTargets, oracleHints } from '../../src/models/labels.js';
import { cudaProviderInstalled } from '../../src/models/onnx-ep.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEQ_DIR = process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences');
const FOREMAN = path.join(SEQ_DIR, 'foreman_176x144_30fps_8bit_10f.yuv');
const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
const W = 176, H = 144;

const noForeman = existsSync(FOREMAN) ? false : `${FOREMAN} missing (set SHARED_SEQUENCES)`;
if (noForeman) console.log(`SKIPPED: split predictor tests on real frames: ${noForeman}`);
const noCodec = !(existsSync(ENC) && existsSync(DEC)) ? `${ENC} or ${DEC} not built (npm run build:codec)` : noForeman;
if (noCodec) console.log(`SKIPPED: split hints encoder round trip: ${noCodec}`);

test('committed models are small and load on CPU: v1 (all-intra default), v4 (I and B slices, random-access default), v3 and v2', async () => {
  assert.equal(DEFAULT_MODEL, V1_MODEL);
  assert.equal(DEFAULT_RA_MODEL, V4_MODEL);
  assert.deepEqual([defaultModelFor('ai'), defaultModelFor('ra')], [V1_MODEL, V4_MODEL]);
  for (const [file, version, inputs, slices] of [[V4_MODEL, '4', ['ctu', 'cond'], ['I', 'B']], [V3_MODEL, '3', ['ctu', 'cond'], ['I', 'B']], [V2_MODEL, '2', ['ctu', 'cond'], ['I', 'B']], [V1_MODEL, '1', ['ctu'], ['I']]] as const) {
    assert.ok(existsSync(file), `${file} missing`);
    const bytes = (await readFile(file)).length;
    assert.ok(bytes < 2 * 1024 * 1024, `model is ${bytes} bytes`);
    const m = await loadSplitModel(file, { ep: 'cpu' });
    assert.equal(m.ep, 'cpu');
    assert.equal(m.version, version);
    assert.deepEqual(m.sliceTypes, slices);
    assert.equal(m.temporalInputs, version !== '1');
    // the temporal feature each was trained on, from its metadata: v3 and v4 the motion-compensated residual
    if (version !== '1') assert.equal(m.temporalFeature, version === '2' ? 'zero' : 'mc16');
    // v4 takes the slice QP in its cond vector (one run for a job's QPs), the others as an input plane
    assert.equal(m.qpInCond, version === '4');
    assert.deepEqual([m.session.inputNames, m.session.outputNames], [inputs, ['logits']]);
    // v1 (since the twenty-second session) also predicts the split direction (metadata directions 2)
    assert.equal(m.directions, version === '1' ? 2 : 0);
  }
});

test('CUDA is used only where its provider is installed and the host has it; otherwise a clear error, no silent CPU', async () => {
  if (!cudaProviderInstalled()) {
    await assert.rejects(loadSplitModel(DEFAULT_MODEL, { ep: 'cuda' }), (e: Error) => e instanceof ExecutionProviderError
      && /^invalid NNVVC_ONNX_EP="cuda": onnxruntime-node's CUDA execution provider is not installed here/.test(e.message));
    console.log('# NNVVC_ONNX_EP=cuda -> error: CUDA provider not installed');
    return;
  }
  const ep = await loadSplitModel(DEFAULT_MODEL, { ep: 'cuda' }).then((m) => m.ep, (e: Error) => {
    assert.ok(e instanceof ExecutionProviderError && /^NNVVC_ONNX_EP=cuda: cannot create a CUDA session/.test(e.message), e.message);
    return 'error (no GPU)';
  });
  console.log(`# NNVVC_ONNX_EP=cuda -> ${ep}`);
});

test('model gives per-cell QT/MTT depths of the expected shape for a real frame', { skip: noForeman }, async () => {
  const m = await loadSplitModel();
  const luma = await readLuma(FOREMAN, W, H, 8, 0);
  assert.equal(luma.length, W * H);
  assert.ok(luma.every((v) => v <= 1020) && luma.some((v) => v > 400), 'luma scaled to 10 bits');
  // raw model output: one [11, 16, 16] logit block per CTU (2 x 2 CTUs for 176x144): 9 depth logits, 2 directions
  const x = new m.ort.Tensor('float32', new Float32Array(4 * 2 * 128 * 128), [4, 2, 128, 128]);
  const raw = (await m.session.run({ ctu: x })).logits;
  assert.deepEqual(raw.dims, [4, 11, CELLS, CELLS]);
  const p = await predictFrame(m, luma, W, H, 32);
  assert.equal(p.cols, Math.ceil(W / GRID));
  assert.equal(p.rows, Math.ceil(H / GRID));
  assert.equal(p.qt.length, p.cols * p.rows);
  assert.ok(p.qt.every((q) => q <= 4) && p.mtt.every((v) => v <= 3));
  assert.ok(p.qtConf.every((c) => c > 0.2 && c <= 1));
  assert.ok(p.seconds > 0);
  // the QP input matters: a high QP predicts shallower (or equal) partitions on average than a low QP
  const lo = await predictFrame(m, luma, W, H, 22), hi = await predictFrame(m, luma, W, H, 37);
  const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(mean(hi.qt) + mean(hi.mtt) <= mean(lo.qt) + mean(lo.mtt), `QP 37 ${mean(hi.qt)} vs QP 22 ${mean(lo.qt)}`);
});

test('bad inputs give clear errors', async () => {
  await assert.rejects(loadSplitModel('/nonexistent/model.onnx'), (e: Error) => e instanceof SplitModelError && /split model not found: \/nonexistent\/model\.onnx/.test(e.message));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-model-'));
  try {
    const junk = path.join(tmp, 'junk.onnx');
    await writeFile(junk, 'not a model');
    await assert.rejects(loadSplitModel(junk), (e: Error) => e instanceof SplitModelError && e.message.includes('cannot load split model') && e.message.includes(junk));
    await assert.rejects(loadSplitModel(DEFAULT_MODEL, { ep: 'tpu' }), (e: Error) => e instanceof ExecutionProviderError && /NNVVC_ONNX_EP="tpu": expected one of auto, webgpu, cpu, cuda/.test(e.message));
    assert.throws(() => parseAggressiveness('5'), /aggressiveness '5'/);
    const m = await loadSplitModel();
    await assert.rejects(predictFrame(m, new Uint16Array(10), W, H, 32), /luma has 10 samples, expected 176x144/);
    if (!noForeman) await assert.rejects(readLuma(FOREMAN, W, H, 8, 10), /frame 10 is beyond the end/);
    const p: FramePrediction = { cols: 3, rows: 3, qt: new Uint8Array(9), mtt: new Uint8Array(9), qtConf: new Float32Array(9), seconds: 0 };
    assert.throws(() => hintsText(W, H, [p], 0), /prediction is 3x3 cells, expected 22x18/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('threshold tokens: the smallest QT range around the argmax and MTT cap holding probability tau', () => {
  const q = [0.05, 0.1, 0.6, 0.2, 0.05], mt = [0.5, 0.3, 0.15, 0.05];
  assert.equal(thresholdToken(q, mt, 0.5), '2:0');
  assert.equal(thresholdToken(q, mt, 0.75), '2-3:1');   // 0.6 + 0.2 (the likelier neighbour); 0.5 + 0.3
  assert.equal(thresholdToken(q, mt, 0.9), '1-3:2');
  assert.equal(thresholdToken(q, mt, 1), '0-4:3');
  // random distributions: the range holds the argmax and mass >= tau, grows with tau, and the MTT cap is minimal
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const parse = (t: string) => { const [r, m] = t.split(':'); const [lo, hi = lo] = r.split('-').map(Number); return { lo, hi, m: Number(m) }; };
  for (let i = 0; i < 200; i++) {
    const norm = (a: number[]) => { const s = a.reduce((x, y) => x + y, 0); return a.map((v) => v / s); };
    const pq = norm(Array.from({ length: QT_CLASSES }, () => rnd() ** 3)), pm = norm(Array.from({ length: MTT_CLASSES }, () => rnd() ** 3));
    const arg = pq.indexOf(Math.max(...pq));
    let prev = { lo: arg, hi: arg, m: 0 };
    for (const tau of [0.3, 0.6, 0.8, 0.9, 0.95, 0.99]) {
      const t = parse(thresholdToken(pq, pm, tau));
      assert.ok(t.lo <= arg && arg <= t.hi);
      assert.ok(pq.slice(t.lo, t.hi + 1).reduce((a, b) => a + b, 0) >= tau - 1e-6);
      assert.ok(pm.slice(0, t.m + 1).reduce((a, b) => a + b, 0) >= tau - 1e-6);
      if (t.m > 0) assert.ok(pm.slice(0, t.m).reduce((a, b) => a + b, 0) < tau);
      assert.ok(t.lo <= prev.lo && t.hi >= prev.hi && t.m >= prev.m, `tau ${tau} range shrank`);
      prev = t;
    }
  }
  assert.equal(parseThreshold(undefined), undefined);
  assert.equal(parseThreshold(''), undefined);
  assert.equal(parseThreshold('0.9'), 0.9);
  for (const bad of ['0', '1.5', 'x', '-0.2']) assert.throws(() => parseThreshold(bad), /threshold '.*': expected a number in \(0, 1\]/);
  // version 2 tokens: the cumulative tails P(QT > 0..3), P(MTT > 0..2) in 63ths, base64url
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const digits = (tok: string) => [...tok.slice(1)].map((c) => b64.indexOf(c));
  assert.deepEqual(digits(probabilityToken([0.1, 0.2, 0.6, 0.1, 0], [0.5, 0.25, 0.25, 0])), [57, 44, 6, 0, 32, 16, 0]);
  assert.deepEqual(digits(probabilityToken([1, 0, 0, 0, 0], [0, 0, 0, 1])), [0, 0, 0, 0, 63, 63, 63]);
  // the cell at index 1 of a frame's arrays
  assert.equal(probabilityToken([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 1, 0, 0], 1), 'p_____AA');
  for (let i = 0; i < 200; i++) {
    const q = Array.from({ length: QT_CLASSES }, () => Math.random()), m = Array.from({ length: MTT_CLASSES }, () => Math.random());
    const sq = q.reduce((a, b) => a + b), sm = m.reduce((a, b) => a + b);
    const d = digits(probabilityToken(q.map((x) => x / sq), m.map((x) => x / sm)));
    assert.ok(d.every((x) => x >= 0 && x <= 63) && d[1] <= d[0] && d[2] <= d[1] && d[3] <= d[2] && d[5] <= d[4] && d[6] <= d[5], `cumulative: ${d}`);
  }
  assert.equal(parseNodeThresholds(undefined), undefined);
  assert.equal(parseNodeThresholds(' '), undefined);
  assert.deepEqual(parseNodeThresholds('0.2'), { qtSplit: 0.2, qtEnd: 0.2, mtt: 0.2 });
  assert.deepEqual(parseNodeThresholds('0.05,0.3,0.1'), { qtSplit: 0.05, qtEnd: 0.3, mtt: 0.1 });
  assert.deepEqual(parseNodeThresholds('0.05/0.3/0.1'), { qtSplit: 0.05, qtEnd: 0.3, mtt: 0.1 });
  assert.deepEqual(parseNodeThresholds('0.05,0.3,0.1,0.2'), { qtSplit: 0.05, qtEnd: 0.3, mtt: 0.1, dir: 0.2 });
  for (const bad of ['0', '1', '0.1,0.2', '0.1,,0.2', 'x', '0.1,0.2,1.5', '0.1,0.2,0.3,0.4,0.5,6']) {
    assert.throws(() => parseNodeThresholds(bad), /node thresholds '.*': expected one number, three \(QT split, QT end, MTT\) in \(0, 1\), four \(and the split direction\), five \(and the fallback in bits\), eight/);
  }
  // the chroma tree's set: values 6-8 (the direction and fallback then given, 0 = off), written back the same way
  const withChroma = parseNodeThresholds('0.15,0.35,0.15,0.2,0,0.05,0.01,0.05');
  assert.deepEqual(withChroma, { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, chroma: { qtSplit: 0.05, qtEnd: 0.01, mtt: 0.05 } });
  assert.equal(formatNodeThresholds(withChroma!), '0.15/0.35/0.15/0.2/0/0.05/0.01/0.05');
  assert.ok(hasChromaThresholds(withChroma!) && !hasChromaThresholds({ qtSplit: 0.1, qtEnd: 0.1, mtt: 0.1 }));
  assert.ok(hasChromaThresholds({ qtSplit: 0.1, qtEnd: 0.1, mtt: 0.1, layers: [{ qtSplit: 0.1, qtEnd: 0.1, mtt: 0.1, chroma: { qtSplit: 0.1, qtEnd: 0.1, mtt: 0.1 } }] }));
  for (const bad of ['0.1,0.2,0.3,0.2,0,0.1,1,0.1', '0.1,0.2,0.3,0.2,0,0.1,0.1', '0.1,0.2,0.3,0.2,0,0,0.1,0.1']) {
    assert.throws(() => parseNodeThresholds(bad), /, eight \(and the chroma tree's QT split, QT end, MTT in \(0, 1\)\)/, bad);
  }
  // the small nodes' QT split and MTT: values 9-10 (0 = the general one; with ten values a chroma set of 0s is none)
  const withSmall = parseNodeThresholds('0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,0.225,0.2');
  assert.deepEqual(withSmall, { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, chroma: { qtSplit: 0.05, qtEnd: 0.05, mtt: 0.05 }, small: { qtSplit: 0.225, mtt: 0.2 } });
  assert.equal(formatNodeThresholds(withSmall!), '0.15/0.35/0.15/0.2/0/0.05/0.05/0.05/0.225/0.2');
  const smallOnly = parseNodeThresholds('0.15,0.35,0.15,0.2,0,0,0,0,0,0.2');
  assert.deepEqual(smallOnly, { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, small: { qtSplit: 0.15, mtt: 0.2 } });
  assert.equal(formatNodeThresholds(smallOnly!), '0.15/0.35/0.15/0.2/0/0/0/0/0.15/0.2');
  assert.ok(!hasChromaThresholds(smallOnly!));
  assert.deepEqual(parseNodeThresholds('0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,0,0'), { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, chroma: { qtSplit: 0.05, qtEnd: 0.05, mtt: 0.05 } });
  for (const bad of ['0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,0.2', '0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,1,0.2', '0.15,0.35,0.15,0.2,0,0.05,0.05,0.05,0.2,-0.1']) {
    assert.throws(() => parseNodeThresholds(bad), /or ten \(and the small nodes' QT split, MTT/, bad);
  }
  assert.throws(() => parseNodeThresholds('0.15,0.35,0.15,0.2,0,0,0.05,0.05,0.2,0.2'), /the chroma tree's thresholds 0,0.05,0.05 are set in part/);
  // the chroma tree's tails after a 'c', behind the luma's (and the directions')
  assert.deepEqual(digits(probabilityToken([1, 0, 0, 0, 0], [1, 0, 0, 0], 0, undefined, { qtProb: [0, 0.5, 0.5, 0, 0], mttProb: [0, 0, 0, 1] }).replace('c', '')),
    [0, 0, 0, 0, 0, 0, 0, 63, 32, 0, 0, 63, 63, 63]);
  assert.equal(probabilityToken([1, 0, 0, 0, 0], [1, 0, 0, 0], 0, [1, 0], { qtProb: [1, 0, 0, 0, 0], mttProb: [1, 0, 0, 0] }), 'pAAAAAAA_AcAAAAAAA');
  assert.throws(() => parseNodeThresholds('0.1,0.2,0.3,0.6'), /the direction threshold 0.6 is above 0.5/);
  assert.throws(() => parseNodeThresholds('0.1,0.2,0.3,-0.1'), /the direction threshold -0.1 is not in \[0, 0.5\]/);
  // the fallback (bits): a fifth value; direction 0 = off
  assert.deepEqual(parseNodeThresholds('0.15,0.35,0.15,0.2,32'), { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, fallback: 32 });
  assert.deepEqual(parseNodeThresholds('0.15,0.35,0.15,0,32'), { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, fallback: 32 });
  assert.deepEqual(parseNodeThresholds('0.15,0.35,0.15,0.2,0'), { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2 });
  for (const bad of ['0.1,0.2,0.3,0.2,-1', '0.1,0.2,0.3,0.2,2000', '0.1,0.2,0.3,0.2,x']) {
    assert.throws(() => parseNodeThresholds(bad), /the fallback .* is not a number of bits in \[0, 1000\]/);
  }
  assert.equal(formatNodeThresholds({ qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, fallback: 32 }), '0.15/0.35/0.15/0.2/32');
  assert.equal(formatNodeThresholds({ qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, fallback: 32 }), '0.15/0.35/0.15/0/32');
  assert.equal(formatNodeThresholds({ qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15 }), '0.15/0.35/0.15');
  // split directions: 2 more digits, P(vertical) at MTT depth 0 and 1; the threshold line gets the 4th value
  assert.deepEqual(digits(probabilityToken([1, 0, 0, 0, 0], [1, 0, 0, 0], 0, [0.9, 0.2])), [0, 0, 0, 0, 0, 0, 0, 57, 13]);
  assert.equal(probabilityToken([1, 0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0], 1, [0, 0, 1, 0]), 'pAAAAAAA_A');
  const withDir: FramePrediction = { cols: 1, rows: 1, qt: new Uint8Array(1), mtt: new Uint8Array(1), qtConf: new Float32Array(1), seconds: 0,
    qtProb: new Float32Array([1, 0, 0, 0, 0]), mttProb: new Float32Array([1, 0, 0, 0]), dirProb: new Float32Array([1, 0]) };
  const text = hintsText(8, 8, [withDir], { node: { qtSplit: 0.1, qtEnd: 0.3, mtt: 0.1, dir: 0.2 } });
  assert.match(text, /^threshold 0.1 0.3 0.1 0.2$/m);
  assert.match(hintsText(8, 8, [withDir], { node: { qtSplit: 0.1, qtEnd: 0.3, mtt: 0.1, dir: 0.2, fallback: 32 } }), /^threshold 0.1 0.3 0.1 0.2 32$/m);
  // one set per temporal layer, '|' between them: parsed, formatted for the encoder and written in the header line
  const layered = parseNodeThresholds('0.12,0.3,0.12,0.2,32|0.2/0.35/0.2');
  assert.deepEqual(layered, { qtSplit: 0.12, qtEnd: 0.3, mtt: 0.12, dir: 0.2, fallback: 32, layers: [{ qtSplit: 0.2, qtEnd: 0.35, mtt: 0.2 }] });
  assert.equal(formatNodeThresholds(layered!), '0.12/0.3/0.12/0.2/32|0.2/0.35/0.2');
  assert.match(hintsText(8, 8, [withDir], { node: layered! }), /^threshold 0.12 0.3 0.12 0.2 32 \| 0.2 0.35 0.2$/m);
  assert.throws(() => parseNodeThresholds('0.1|0.1,0.2'), /temporal layer 1: .*expected one number, three/);
  assert.throws(() => parseNodeThresholds('0.1|'), /temporal layer 1: .*the set is empty/);
  assert.throws(() => parseNodeThresholds(Array(8).fill('0.1').join('|')), /8 sets, at most 7 \(one per temporal layer\)/);
  // a preset's per-layer sets are written for GOP 32 (layers 0-5); a GOP 16 job (top layer 4) keeps the last set on
  // its top layer, the pictures nothing references, and drops the one below it
  const six = parseNodeThresholds('0.12,0.3,0.12|0.13,0.3,0.13|0.14,0.3,0.14|0.15,0.3,0.15|0.16,0.3,0.16|0.3,0.45,0.3')!;
  assert.equal(topTemporalLayer(32), 5);
  assert.equal(topTemporalLayer(16), 4);
  assert.deepEqual(fitLayersToGop(six, 32), six);
  assert.equal(formatNodeThresholds(fitLayersToGop(six, 16)), '0.12/0.3/0.12|0.13/0.3/0.13|0.14/0.3/0.14|0.15/0.3/0.15|0.3/0.45/0.3');
  assert.deepEqual(fitLayersToGop(layered!, 16), layered);
  assert.deepEqual(fitLayersToGop({ qtSplit: 0.2, qtEnd: 0.3, mtt: 0.2 }, 16), { qtSplit: 0.2, qtEnd: 0.3, mtt: 0.2 });
  // the default policy of a job: random access `medium`'s layered point, per GOP size; an explicit setting is taken as
  // it is (by TemporalId, as the encoder reads it)
  const mediumRa = (PRESET_OPERATING_POINTS.ra.medium as { node: NodeThresholds }).node;
  assert.equal(mediumRa.layers?.length, 5, 'medium\'s point has a set per layer of GOP 32');
  for (const gop of [32, 16]) {
    const { policy, presetPoint } = hintPolicyFromEnv({}, 'ra', 'medium', gop);
    assert.equal(presetPoint, true);
    const node = (policy as { node: NodeThresholds }).node;
    assert.equal(node.layers?.length, topTemporalLayer(gop));
    assert.deepEqual(node.layers!.at(-1), mediumRa.layers!.at(-1), `GOP ${gop}: the top layer keeps the last set`);
    assert.deepEqual(defaultPolicyFor('ra', 'medium', gop), policy);
  }
  assert.deepEqual(hintPolicyFromEnv({ NNVVC_SPLIT_NODE_THRESHOLDS: formatNodeThresholds(six) }, 'ra', 'medium', 16).policy, { node: six });
  assert.deepEqual(defaultPolicyFor('ai', 'medium', 16), PRESET_OPERATING_POINTS.ai.medium);
  assert.match(text, /^pAAAAAAA_A$/m);
  const noProb: FramePrediction = { cols: 1, rows: 1, qt: new Uint8Array(1), mtt: new Uint8Array(1), qtConf: new Float32Array(1), seconds: 0 };
  assert.throws(() => hintsText(8, 8, [noProb], { threshold: 0.9 }), /a threshold needs the predicted probabilities/);
});

test('v2 predicts B pictures from the temporal feature and layer; v1 refuses B pictures; thresholds widen with tau', { skip: noForeman }, async () => {
  const v2 = await loadSplitModel(V2_MODEL, { ep: 'cpu' });
  const v1 = await loadSplitModel(V1_MODEL, { ep: 'cpu' });
  const plan = planFrames({ config: 'ra', frames: 9, baseQp: 32, intraPeriod: 32 });
  const luma = await Promise.all(plan.map((p) => readLuma(FOREMAN, W, H, 8, p.poc)));
  const b = plan[4]; // POC 4: layer 3, compared with POCs 0 and 8
  assert.deepEqual(b.refs, [0, 8]);
  const temporal = temporalFeature(luma[4], b.refs.map((r) => luma[r]));
  const pb = await predictFrame(v2, luma[4], W, H, b.qp, { sliceType: 'B', layer: b.layer, temporal });
  const pi = await predictFrame(v2, luma[4], W, H, b.qp);
  assert.ok(pb.qtProb && pb.mttProb && pb.qtProb.length === pb.cols * pb.rows * QT_CLASSES);
  for (let k = 0; k < pb.cols * pb.rows; k++) {
    const sum: number = Array.from(pb.qtProb.subarray(k * QT_CLASSES, (k + 1) * QT_CLASSES)).reduce((a, v) => a + v, 0);
    assert.ok(Math.abs(sum - 1) < 1e-4);
    assert.ok(Math.abs(pb.qtConf[k] - pb.qtProb[k * QT_CLASSES + pb.qt[k]]) < 1e-6);
  }
  // the slice type / temporal inputs change the prediction: a B picture (mostly skipped, large CUs) is predicted
  // shallower on average than the same picture coded as an I picture
  const mean = (a: Uint8Array) => a.reduce((x, v) => x + v, 0) / a.length;
  assert.ok(mean(pb.qt) + mean(pb.mtt) < mean(pi.qt) + mean(pi.mtt), `B ${mean(pb.qt)}/${mean(pb.mtt)} vs I ${mean(pi.qt)}/${mean(pi.mtt)}`);
  await assert.rejects(predictFrame(v1, luma[4], W, H, b.qp, { sliceType: 'B', layer: b.layer, temporal }), /not trained for B slices/);
  // v1's direction outputs: P(vertical) at MTT depth 0 and 1 per cell, probabilities that vary over the picture, and
  // the hints tokens carry them (9 digits); v2 has none
  const p1 = await predictFrame(v1, luma[0], W, H, 32);
  assert.ok(p1.dirProb && p1.dirProb.length === 2 * p1.cols * p1.rows && pb.dirProb === undefined);
  const d0 = Array.from({ length: p1.cols * p1.rows }, (_, k) => p1.dirProb![2 * k]);
  assert.ok(d0.every((p) => p >= 0 && p <= 1) && Math.max(...d0) - Math.min(...d0) > 0.2, `P(vertical) ${Math.min(...d0)}..${Math.max(...d0)}`);
  const text = hintsText(W, H, [p1], { node: { qtSplit: 0.12, qtEnd: 0.32, mtt: 0.12, dir: 0.2 } });
  const rows = text.split('\n').filter((l) => /^p[A-Za-z0-9_-]{9}( |$)/.test(l));
  assert.ok(rows.length === p1.rows && rows.every((l) => l.split(' ').every((t) => t.length === 10)), 'tokens of 9 digits');
  await assert.rejects(predictFrame(v2, luma[4], W, H, b.qp, { sliceType: 'B', temporal: new Uint16Array(3) }), /temporal feature has 3 samples/);
  // v3 takes the motion-compensated residual, far smaller than the zero-motion difference on this moving camera, and
  // predicts the B picture shallower than the same picture as an I picture too
  const v3 = await loadSplitModel(V3_MODEL, { ep: 'cpu' });
  const mc = mcTemporalFeature(luma[4], b.refs.map((r) => luma[r]), W, H);
  const sum = (a: Uint16Array) => a.reduce((x, v) => x + v, 0);
  assert.ok(2 * sum(mc) < sum(temporal), `motion-compensated ${sum(mc)}, zero motion ${sum(temporal)}`);
  const p3b = await predictFrame(v3, luma[4], W, H, b.qp, { sliceType: 'B', layer: b.layer, temporal: mc });
  const p3i = await predictFrame(v3, luma[4], W, H, b.qp);
  assert.ok(mean(p3b.qt) + mean(p3b.mtt) < mean(p3i.qt) + mean(p3i.mtt), `v3: B ${mean(p3b.qt)}/${mean(p3b.mtt)} vs I ${mean(p3i.qt)}/${mean(p3i.mtt)}`);
  // wider hint ranges for larger tau (summed over the frame)
  const width = (tau: number) => hintsText(W, H, [pb], { threshold: tau }).split('\n').slice(7).join(' ').trim().split(/\s+/)
    .map((t) => { const [r, m] = t.split(':'); const [lo, hi = lo] = r.split('-').map(Number); return hi - lo + Number(m); }).reduce((a, v) => a + v, 0);
  const w = [0.5, 0.8, 0.95, 0.99].map(width);
  for (let i = 1; i < w.length; i++) assert.ok(w[i] >= w[i - 1], `widths ${w}`);
  assert.ok(w[3] > w[0], `widths ${w}`);
});

test('v4 predicts a picture at a job\'s four QPs in one run, each as at that QP alone; the hints of a job\'s QPs written together are those written one by one', { skip: noForeman }, async () => {
  const v4 = await loadSplitModel(V4_MODEL, { ep: 'cpu' });
  assert.ok(v4.qpInCond && v4.temporalInputs && v4.sliceTypes.includes('B'), 'v4 layout');
  const v3 = await loadSplitModel(V3_MODEL, { ep: 'cpu' });
  assert.ok(!v3.qpInCond);
  const luma = await Promise.all([0, 4, 8].map((f) => readLuma(FOREMAN, W, H, 8, f)));
  const b = { sliceType: 'B' as const, layer: 3, temporal: mcTemporalFeature(luma[1], [luma[0], luma[2]], W, H) };
  const probs = (p: FramePrediction) => [...p.qtProb!, ...p.mttProb!];
  const close = (a: number[], c: number[]) => a.length === c.length && a.every((v, k) => Math.abs(v - c[k]) < 1e-5);
  for (const [y, pic] of [[luma[1], b], [luma[0], undefined]] as const) {
    const qps = [24, 29, 34, 39];
    const together = await predictFrameQps(v4, y, W, H, qps, pic);
    assert.equal(together.length, 4);
    for (const [k, qp] of qps.entries()) {
      const alone = await predictFrame(v4, y, W, H, qp, pic);
      assert.ok(close(probs(together[k]), probs(alone)), `QP ${qp}: together and alone differ`);
    }
    // the QP input matters: a higher QP is predicted shallower
    const depth = (p: FramePrediction) => p.qt.reduce((a, v) => a + v, 0) + p.mtt.reduce((a, v) => a + v, 0);
    assert.ok(depth(together[0]) > depth(together[3]), `QP 24 depth ${depth(together[0])}, QP 39 ${depth(together[3])}`);
  }
  await assert.rejects(predictFrameQps(v4, luma[0], W, H, []), /no QP to predict for/);
  // v3 (QP as an input plane) runs once per QP: the same function gives what predictFrame gives
  const [t3] = await predictFrameQps(v3, luma[1], W, H, [31, 36], b);
  assert.deepEqual(probs(t3), probs(await predictFrame(v3, luma[1], W, H, 31, b)));
  // a random-access job's hints files, written together and one by one, are byte-identical
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-v4-'));
  try {
    const job = { model: v4, input: FOREMAN, width: W, height: H, bitDepth: 8 as const, frames: 9, config: 'ra' as const, intraPeriod: 32, gopSize: 32,
      policy: { node: { qtSplit: 0.15, qtEnd: 0.3, mtt: 0.15 } } };
    const qps = [22, 27, 32, 37];
    const res = await writeSplitHintsForQps({ ...job, qps, outs: qps.map((q) => path.join(dir, `all${q}.txt`)) });
    assert.equal(res.length, 4);
    for (const qp of qps) {
      await writeSplitHints({ ...job, qp, out: path.join(dir, `one${qp}.txt`) });
      assert.equal(await readFile(path.join(dir, `all${qp}.txt`), 'utf8'), await readFile(path.join(dir, `one${qp}.txt`), 'utf8'), `QP ${qp}`);
    }
    assert.notEqual(await readFile(path.join(dir, 'all22.txt'), 'utf8'), await readFile(path.join(dir, 'all37.txt'), 'utf8'));
    await assert.rejects(writeSplitHintsForQps({ ...job, qps, outs: [path.join(dir, 'x.txt')] }), /4 QPs and 1 hints files/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('predictFrame reuses its input buffer without carrying anything over: an I picture after a B picture, and calls that overlap (v3 and v4 layouts)', { skip: noForeman }, async () => {
  const luma = await Promise.all([0, 4, 8].map((f) => readLuma(FOREMAN, W, H, 8, f)));
  const temporal = mcTemporalFeature(luma[1], [luma[0], luma[2]], W, H);
  const b = { sliceType: 'B' as const, layer: 3, temporal };
  const probs = (p: FramePrediction) => [...p.qtProb!, ...p.mttProb!];
  for (const file of [V3_MODEL, V4_MODEL]) {
    // each on a fresh model (fresh buffer) ...
    const fresh = async (y: Uint16Array, qp: number, pic?: typeof b) => predictFrame(await loadSplitModel(file, { ep: 'cpu' }), y, W, H, qp, pic);
    const iAlone = probs(await fresh(luma[1], 30)), bAlone = probs(await fresh(luma[1], 35, b)), i2Alone = probs(await fresh(luma[0], 27));
    // ... equal one model's, in sequence (the I picture's temporal plane is zero again after the B picture's) ...
    const m = await loadSplitModel(file, { ep: 'cpu' });
    assert.deepEqual(probs(await predictFrame(m, luma[1], W, H, 35, b)), bAlone);
    assert.deepEqual(probs(await predictFrame(m, luma[1], W, H, 30)), iAlone);
    // ... and overlapping (the second call takes its own buffer while the first one's run is pending)
    const [x, y, z] = await Promise.all([predictFrame(m, luma[1], W, H, 35, b), predictFrame(m, luma[1], W, H, 30), predictFrame(m, luma[0], W, H, 27)]);
    assert.deepEqual(probs(x), bAlone);
    assert.deepEqual(probs(y), iAlone);
    assert.deepEqual(probs(z), i2Alone);
    assert.notDeepEqual(iAlone, bAlone);
  }
});

test('hint tokens widen or narrow the predicted depths by aggressiveness', () => {
  assert.equal(cellToken(2, 1, 0.5, 0), '1-3:2');
  assert.equal(cellToken(0, 3, 0.5, 0), '0-1:3');
  assert.equal(cellToken(4, 0, 0.5, 0), '3-4:1');
  assert.equal(cellToken(2, 1, 0.95, 1), '2:2');
  assert.equal(cellToken(2, 1, 0.5, 1), '1-3:2');
  assert.equal(cellToken(2, 1, 0.5, 2), '2-3:1');
});

test('labels from a CU list follow the QT/MTT derivation used in training', () => {
  const t = cellTargets([[0, 0, 128, 128, 0], [128, 0, 32, 16, 0], [128, 16, 4, 4, 0]], 176, 144);
  assert.equal(t.qt[0], 0); assert.equal(t.mtt[0], 0);
  assert.equal(t.qt[16], 2); assert.equal(t.mtt[16], 1);   // 32x16: QT 32x32 + one binary split
  assert.equal(t.qt[2 * t.cols + 16], 4);                   // 4x4 CU inside an 8x8 cell
  assert.equal(t.qt[17 * t.cols + 21], -1);                 // not covered by any CU
});

test('labels take the exact depths nnvvc-enc --stats records when the CU entry has them', () => {
  // a 32x32 CU reached by QT depth 1 then two binary splits of a 64x64 node (its rectangle alone would say QT 2)
  const t = cellTargets([[0, 0, 32, 32, 0, 1, 2], [32, 0, 16, 8, -1, 3, 1]], 64, 64);
  assert.equal(t.qt[0], 1); assert.equal(t.mtt[0], 2);
  assert.equal(t.qt[4], 3); assert.equal(t.mtt[4], 1);
});

test('oracle hints: the full search\'s own depths per cell, exact or with slack, every frame in input order', () => {
  const frames = [{ frame: 1, cus: [[0, 0, 16, 8, 0, 3, 1]] }, { frame: 0, cus: [[0, 0, 16, 16, 0, 3, 0]] }];
  const exact = oracleHints(frames, 16, 16, { qt: 0, mtt: 0 }).split('\n');
  assert.deepEqual(exact.slice(0, 6), ['nnvvc-split-hints 1', 'picture 16 16', 'ctu 128', 'grid 8', 'frames 2', 'frame 0']);
  assert.equal(exact[6], '3:0 3:0');
  assert.equal(exact[9], '3:1 3:1');      // frame 1, row 0
  assert.equal(exact[10], '* *');         // frame 1, row 1: no CU listed there
  const slack = oracleHints(frames, 16, 16, { qt: 1, mtt: 1 }).split('\n');
  assert.equal(slack[6], '2-4:1 2-4:1');
});

test('nnvvc-enc accepts the written hints, follows them, and the bitstream decodes to the recon', { skip: noCodec, timeout: 120_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-hints-'));
  try {
    const m = await loadSplitModel();
    const enc = async (hints: string, tag: string) => {
      const b = path.join(tmp, `${tag}.266`), o = path.join(tmp, `${tag}.yuv`), s = path.join(tmp, `${tag}.json`);
      await run(ENC, ['-i', FOREMAN, '-s', `${W}x${H}`, '--fps', '30', '--frames', '2', '--input-bitdepth', '8', '--qp', '32',
        '--config', 'ai', '--preset', 'faster', '-b', b, '-o', o, '--stats', s, '--split-hints', hints]);
      const d = path.join(tmp, `${tag}.dec.yuv`);
      await run(DEC, ['-b', b, '-o', d]);
      assert.ok((await readFile(d)).equals(await readFile(o)), `${tag}: nnvvc-dec output equals the encoder recon`);
      return JSON.parse(await readFile(s, 'utf8')) as { frames: { cus: number[][] }[] };
    };
    // 1) the model's own hints (2 frames)
    const hints = path.join(tmp, 'model.hints.txt');
    const r = await writeSplitHints({ model: m, input: FOREMAN, width: W, height: H, bitDepth: 8, frames: 2, qp: 32, out: hints });
    assert.equal(r.frames, 2);
    const st = await enc(hints, 'model');
    assert.equal(st.frames.length, 2);
    // 2) a forced prediction (QT depth 2, no MTT; aggressive) through the same writer: interior CUs must be
    //    32x32 or 16x16 squares, which shows the encoder read and obeyed the file
    const cols = Math.ceil(W / GRID), rows = Math.ceil(H / GRID);
    const forced: FramePrediction = { cols, rows, qt: new Uint8Array(cols * rows).fill(2), mtt: new Uint8Array(cols * rows), qtConf: new Float32Array(cols * rows).fill(1), seconds: 0 };
    const forcedFile = path.join(tmp, 'forced.hints.txt');
    await writeFile(forcedFile, hintsText(W, H, [forced, forced], 2));
    const fs = await enc(forcedFile, 'forced');
    const interior = fs.frames[0].cus.filter(([x, y]) => x < 160 && y < 128);
    assert.ok(interior.length > 0);
    for (const [x, y, w, h] of interior) assert.ok(w === h && (w === 32 || w === 16), `CU at ${x},${y} is ${w}x${h}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('random access: hints for every input frame (I and B path) are accepted by nnvvc-enc --config ra and the stream decodes to the recon', { skip: noCodec, timeout: 180_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-hints-ra-'));
  try {
    const m = await loadSplitModel(DEFAULT_RA_MODEL, { ep: 'cpu' });
    const frames = 9, qp = 37;
    const hints = path.join(tmp, 'ra.hints.txt');
    const preds: FramePrediction[] = [];
    const featureCache = new Map<number, Uint16Array>();
    const r = await writeSplitHints({ model: m, input: FOREMAN, width: W, height: H, bitDepth: 8, frames, qp, out: hints, policy: { threshold: 0.9 },
      predictions: preds, config: 'ra', intraPeriod: 32, gopSize: 32, featureCache });
    // the default model (v3) was fed the motion-compensated feature of every B picture, kept for the job's other QPs
    assert.equal(m.temporalFeature, 'mc16');
    assert.deepEqual([...featureCache.keys()].sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8]);
    const luma = await Promise.all([0, 4, 8].map((f) => readLuma(FOREMAN, W, H, 8, f)));
    assert.deepEqual(featureCache.get(4), mcTemporalFeature(luma[1], [luma[0], luma[2]], W, H));
    assert.equal(r.frames, frames);
    assert.equal(r.framesB, frames - 1);
    assert.equal(preds.length, frames);
    const text = await readFile(hints, 'utf8');
    assert.match(text, /^nnvvc-split-hints 1\n# written by the CNN split predictor, threshold 0.9\n/);
    assert.equal(text.match(/^frame \d+$/gm)?.length, frames);
    // a v1 (all-intra) model cannot write random-access hints
    const v1 = await loadSplitModel(V1_MODEL, { ep: 'cpu' });
    await assert.rejects(writeSplitHints({ model: v1, input: FOREMAN, width: W, height: H, bitDepth: 8, frames, qp, out: path.join(tmp, 'v1.txt'), config: 'ra', intraPeriod: 32 }), /not trained for B slices/);
    const b = path.join(tmp, 'ra.266'), o = path.join(tmp, 'ra.yuv'), s = path.join(tmp, 'ra.json'), d = path.join(tmp, 'ra.dec.yuv');
    await run(ENC, ['-i', FOREMAN, '-s', `${W}x${H}`, '--fps', '30', '--frames', String(frames), '--input-bitdepth', '8', '--qp', String(qp),
      '--config', 'ra', '--preset', 'faster', '-b', b, '-o', o, '--stats', s, '--split-hints', hints]);
    await run(DEC, ['-b', b, '-o', d]);
    assert.ok((await readFile(d)).equals(await readFile(o)), 'nnvvc-dec output equals the encoder recon');
    // the encoder obeyed the hints: ending the QT at depth q needs every covered cell's range to start at or above q's
    // lower bound (codec/README.md "Semantics"), so no interior CU is shallower than a covered cell's lo
    const st = JSON.parse(await readFile(s, 'utf8')) as { frames: { poc: number; cus: number[][] }[] };
    const rows = text.split('\n');
    let checked = 0;
    for (const f of st.frames) {
      const start = rows.indexOf(`frame ${f.poc}`);
      const grid = rows.slice(start + 1, start + 1 + Math.ceil(H / GRID)).map((l) => l.split(' ').map((t) => Number(t.split(':')[0].split('-')[0])));
      for (const [x, y, cw, ch, , q] of f.cus) {
        if (x + cw > W || y + ch > H) continue;
        for (let r = y / GRID | 0; r < Math.max((y / GRID | 0) + 1, (y + ch) / GRID); r++) {
          for (let c = x / GRID | 0; c < Math.max((x / GRID | 0) + 1, (x + cw) / GRID); c++) {
            assert.ok(q >= grid[r][c], `POC ${f.poc} CU ${x},${y} ${cw}x${ch} QT depth ${q} < hint lo ${grid[r][c]}`);
            checked++;
          }
        }
      }
    }
    assert.ok(checked > 0);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('random access: thresholds per temporal layer decide each picture by its layer; the same set for every layer gives the stream of one set', { skip: noCodec, timeout: 180_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-hints-layers-'));
  try {
    const m = await loadSplitModel(DEFAULT_RA_MODEL, { ep: 'cpu' });
    const frames = 9, qp = 32;
    const base = { qtSplit: 0.1, qtEnd: 0.3, mtt: 0.1 };
    const top = { qtSplit: 0.95, qtEnd: 0.05, mtt: 0.95 };  // layer 5: almost no split is tried
    const encode = async (name: string, node: NodeThresholds) => {
      const hints = path.join(tmp, `${name}.hints.txt`), b = path.join(tmp, `${name}.266`), o = path.join(tmp, `${name}.yuv`);
      const s = path.join(tmp, `${name}.json`), d = path.join(tmp, `${name}.dec.yuv`);
      await writeSplitHints({ model: m, input: FOREMAN, width: W, height: H, bitDepth: 8, frames, qp, out: hints, policy: { node },
        config: 'ra', intraPeriod: 32, gopSize: 32 });
      await run(ENC, ['-i', FOREMAN, '-s', `${W}x${H}`, '--fps', '30', '--frames', String(frames), '--input-bitdepth', '8', '--qp', String(qp),
        '--config', 'ra', '--preset', 'faster', '-b', b, '-o', o, '--stats', s, '--split-hints', hints]);
      await run(DEC, ['-b', b, '-o', d]);
      assert.ok((await readFile(d)).equals(await readFile(o)), `${name}: nnvvc-dec output equals the encoder recon`);
      const st = JSON.parse(await readFile(s, 'utf8')) as { frames: { poc: number; temporal_id: number; bits: number; cus: number[][] }[] };
      return { text: await readFile(hints, 'utf8'), stream: await readFile(b), frames: st.frames };
    };
    const one = await encode('one', base);
    const same = await encode('same', { ...base, layers: [base, base, base, base, base] });
    assert.match(same.text, /^threshold 0.1 0.3 0.1 \| 0.1 0.3 0.1 \| 0.1 0.3 0.1 \| 0.1 0.3 0.1 \| 0.1 0.3 0.1 \| 0.1 0.3 0.1$/m);
    assert.ok(same.stream.equals(one.stream), 'six equal sets code what one set codes');
    const upper = await encode('upper', { ...base, layers: [base, base, base, base, top] });
    assert.match(upper.text, /^threshold 0.1 0.3 0.1 \| .* \| 0.95 0.05 0.95$/m);
    const cus = (r: typeof one, f: (t: number) => boolean) => r.frames.filter((x) => f(x.temporal_id)).reduce((a, x) => a + x.cus.length, 0);
    assert.deepEqual(upper.frames.filter((x) => x.temporal_id === 5).map((x) => x.poc).sort(), [1, 3, 5, 7]);
    assert.ok(cus(upper, (t) => t === 5) < cus(one, (t) => t === 5), `layer 5 coded with fewer CUs: ${cus(upper, (t) => t === 5)} against ${cus(one, (t) => t === 5)}`);
    // the intra picture, coded first, is decided by layer 0's set in both
    const poc0 = (r: typeof one) => r.frames.find((x) => x.poc === 0)!;
    assert.deepEqual(poc0(upper).cus, poc0(one).cus);
    assert.equal(poc0(upper).bits, poc0(one).bits);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('test-time flips (NNVVC_SPLIT_FLIPS=4) average the predictions of the four mirrored CTUs, cells flipped back; other values are refused', { skip: noForeman }, async () => {
  // one whole CTU (a 128x128 crop), so mirroring the picture mirrors the CTU
  const crop = (y: Uint16Array) => { const c = new Uint16Array(128 * 128); for (let r = 0; r < 128; r++) c.set(y.subarray(r * W, r * W + 128), r * 128); return c; };
  const mirror = (p: Uint16Array, fx: boolean, fy: boolean) => {
    const o = new Uint16Array(p.length);
    for (let r = 0; r < 128; r++) for (let c = 0; c < 128; c++) o[r * 128 + c] = p[(fy ? 127 - r : r) * 128 + (fx ? 127 - c : c)];
    return o;
  };
  const [l0, l1, l2] = await Promise.all([0, 4, 8].map(async (f) => crop(await readLuma(FOREMAN, W, H, 8, f))));
  const temporal = mcTemporalFeature(l1, [l0, l2], 128, 128);
  for (const [file, pic] of [[V1_MODEL, undefined], [V3_MODEL, { sliceType: 'B' as const, layer: 2 }]] as const) {
    const one = await loadSplitModel(file, { ep: 'cpu', flips: '1' }), four = await loadSplitModel(file, { ep: 'cpu', flips: '4' });
    assert.equal(four.flips, 4);
    const avg = await predictFrame(four, l1, 128, 128, 32, pic && { ...pic, temporal });
    const expQt = new Float64Array(CELLS * CELLS * QT_CLASSES), expMtt = new Float64Array(CELLS * CELLS * MTT_CLASSES);
    const expDir = new Float64Array(CELLS * CELLS * 2);
    for (const [fx, fy] of [[false, false], [true, false], [false, true], [true, true]]) {
      const p = await predictFrame(one, mirror(l1, fx, fy), 128, 128, 32, pic && { ...pic, temporal: mirror(temporal, fx, fy) });
      for (let r = 0; r < CELLS; r++) for (let c = 0; c < CELLS; c++) {
        const at = r * CELLS + c, from = (fy ? CELLS - 1 - r : r) * CELLS + (fx ? CELLS - 1 - c : c);
        for (let q = 0; q < QT_CLASSES; q++) expQt[at * QT_CLASSES + q] += p.qtProb![from * QT_CLASSES + q] / 4;
        for (let m = 0; m < MTT_CLASSES; m++) expMtt[at * MTT_CLASSES + m] += p.mttProb![from * MTT_CLASSES + m] / 4;
        if (p.dirProb) for (let d = 0; d < 2; d++) expDir[at * 2 + d] += p.dirProb[from * 2 + d] / 4;
      }
    }
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
    assert.ok(maxDiff(avg.qtProb!, expQt) < 1e-4, `QT probabilities differ by ${maxDiff(avg.qtProb!, expQt)}`);
    assert.ok(maxDiff(avg.mttProb!, expMtt) < 1e-4, `MTT probabilities differ by ${maxDiff(avg.mttProb!, expMtt)}`);
    if (avg.dirProb) assert.ok(maxDiff(avg.dirProb, expDir) < 1e-4);
    // and it is not the unflipped prediction (the model is not mirror-symmetric)
    assert.ok(maxDiff(avg.qtProb!, (await predictFrame(one, l1, 128, 128, 32, pic && { ...pic, temporal })).qtProb!) > 1e-3);
  }
  await assert.rejects(loadSplitModel(V1_MODEL, { flips: '3' }), (e: Error) => e instanceof SplitModelError && /test-time flips=3: expected 1, 2, 4 or auto/.test(e.message));
  process.env.NNVVC_SPLIT_FLIPS = 'two';
  try {
    await assert.rejects(loadSplitModel(V1_MODEL), (e: Error) => e instanceof SplitModelError && /NNVVC_SPLIT_FLIPS=two: expected 1, 2, 4 or auto/.test(e.message));
    process.env.NNVVC_SPLIT_FLIPS = '2';
    assert.equal((await loadSplitModel(V1_MODEL, { ep: 'cpu' })).flips, 2);
    // auto (the default): one run on the CPU
    delete process.env.NNVVC_SPLIT_FLIPS;
    assert.equal((await loadSplitModel(V1_MODEL, { ep: 'cpu' })).flips, 1);
    assert.equal((await loadSplitModel(V1_MODEL, { ep: 'cpu', flips: 'auto' })).flips, 1);
  } finally {
    delete process.env.NNVVC_SPLIT_FLIPS;
  }
});

// models/ensemble_onnx.py needs /usr/bin/python3 with onnx (Debian's python3-onnx)
const PY = '/usr/bin/python3';
const noOnnxPy = spawnSync(PY, ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0 ? noForeman : `${PY} without onnx (apt-get install python3-onnx python3-numpy)`;
if (noOnnxPy) console.log(`SKIPPED: split model ensembles (models/ensemble_onnx.py): ${noOnnxPy}`);

test('an ensemble (models/ensemble_onnx.py) predicts the mean of its members\' probabilities; members of different layouts are refused', { skip: noOnnxPy, timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-ensemble-'));
  try {
    // a second member: v1 with its output layer's biases moved (another "seed" of the same layout)
    const member = path.join(dir, 'member.onnx'), ens = path.join(dir, 'ensemble.onnx');
    await run(PY, ['-c', `
import sys, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
last = m.graph.node[-1].input[2]  # the head convolution's bias
for t in m.graph.initializer:
    if t.name == last:
        b = numpy_helper.to_array(t).copy(); b += np.linspace(-1.5, 1.5, b.size, dtype=np.float32); t.CopyFrom(numpy_helper.from_array(b, t.name))
onnx.save(m, sys.argv[2])`, V1_MODEL, member]);
    const { stdout } = await run(PY, [path.join(REPO, 'models/ensemble_onnx.py'), '--out', ens, V1_MODEL, member]);
    assert.match(stdout, /2 members/);
    const [a, b, e] = await Promise.all([V1_MODEL, member, ens].map((f) => loadSplitModel(f, { ep: 'cpu', flips: '1' })));
    // it reads like its members: the same version, slice types and outputs, and says it is an ensemble
    assert.deepEqual([e.version, e.sliceTypes, e.directions, e.ensemble, a.ensemble], ['1', ['I'], 2, 2, 1]);
    const luma = await readLuma(FOREMAN, W, H, 8, 3);
    const [pa, pb, pe] = await Promise.all([a, b, e].map((m) => predictFrame(m, luma, W, H, 32)));
    const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>) => {
      let m = 0; for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - (y[i] + z[i]) / 2)); return m;
    };
    assert.ok(maxDiff(pe.qtProb!, pa.qtProb!, pb.qtProb!) < 1e-5, `QT probabilities: ${maxDiff(pe.qtProb!, pa.qtProb!, pb.qtProb!)}`);
    assert.ok(maxDiff(pe.mttProb!, pa.mttProb!, pb.mttProb!) < 1e-5, `MTT probabilities: ${maxDiff(pe.mttProb!, pa.mttProb!, pb.mttProb!)}`);
    assert.ok(maxDiff(pe.dirProb!, pa.dirProb!, pb.dirProb!) < 1e-5, `direction probabilities: ${maxDiff(pe.dirProb!, pa.dirProb!, pb.dirProb!)}`);
    // the members really differ (else the check above proves nothing)
    assert.ok(maxDiff(pa.qtProb!, pb.qtProb!, pb.qtProb!) > 0.01);
    // v1 and v3 read different inputs: refused, naming what differs
    await assert.rejects(run(PY, [path.join(REPO, 'models/ensemble_onnx.py'), '--out', path.join(dir, 'bad.onnx'), V1_MODEL, V3_MODEL]),
      (err: Error & { stderr?: string }) => /metadata version='3' differs from .*splitnet-v1\.onnx's '1'/.test(err.stderr ?? ''));
    assert.ok(!existsSync(path.join(dir, 'bad.onnx')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// A model with a halo (train.py --halo) sees each CTU with cells of its neighbours around it. The worker must cut the
// same windows as training (train.ctu_windows: the picture's edges replicated on every side): a random v1 and v4 with
// a halo of 2 cells, exported by export_onnx.py, predict a real frame in the worker as PyTorch does on train.py's
// windows. Needs /usr/bin/python3 with torch and onnx.
const noTorchOnnx = noForeman || (spawnSync(PY, ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' }).status === 0 ? false : `${PY} without torch and onnx (apt-get install python3-torch python3-onnx)`);
if (noTorchOnnx) console.log(`SKIPPED: split models with a halo against PyTorch: ${noTorchOnnx}`);

/** Python lines that make `net`, a random network of the arch the Python expression `arch` names, with weights large
 * enough that every sample matters (the default init's outputs hardly do), and save it as a train.py checkpoint at
 * `ck` (a variable of the script), for export_onnx.py. */
const randomNetPy = (arch: string, seed: number, halo: number): string => `torch.manual_seed(${seed})
net = net_for(${arch}, 0, 16, halo=${halo})
with torch.no_grad():
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            m.weight.mul_(3)
net.eval()
torch.save({"state_dict": net.state_dict(), "arch": ${arch}, "labels": "exact", "directions": 0, "width": 16, "halo": ${halo}}, ck)`;

/** The largest difference between a W x H frame's predicted probabilities and PyTorch's softmaxes `ref` (per CTU
 * [QT_CLASSES + MTT_CLASSES, 16, 16], CTUs in raster order). */
function maxDiffFromPyTorch(pred: FramePrediction, ref: Float32Array): number {
  const nx = Math.ceil(W / CTU), cols = Math.ceil(W / GRID), rows = Math.ceil(H / GRID), plane = CELLS * CELLS, outs = QT_CLASSES + MTT_CLASSES;
  let maxDiff = 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = Math.floor(r / CELLS) * nx + Math.floor(c / CELLS), at = (r % CELLS) * CELLS + (c % CELLS);
    for (let q = 0; q < QT_CLASSES; q++) maxDiff = Math.max(maxDiff, Math.abs(pred.qtProb![(r * cols + c) * QT_CLASSES + q] - ref[(k * outs + q) * plane + at]));
    for (let q = 0; q < MTT_CLASSES; q++) maxDiff = Math.max(maxDiff, Math.abs(pred.mttProb![(r * cols + c) * MTT_CLASSES + q] - ref[(k * outs + QT_CLASSES + q) * plane + at]));
  }
  return maxDiff;
}

test('a model with a halo (neighbouring cells around each CTU) predicts in the worker what PyTorch predicts on training\'s windows', { skip: noTorchOnnx, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-halo-'));
  try {
    const luma = await readLuma(FOREMAN, W, H, 8, 3);
    const lumaFile = path.join(dir, 'luma.u16');
    await writeFile(lumaFile, Buffer.from(luma.buffer, luma.byteOffset, luma.byteLength));
    for (const arch of ['v1', 'v4'] as const) {
      const ck = path.join(dir, `${arch}.pt`), onnxFile = path.join(dir, `${arch}.onnx`), probs = path.join(dir, `${arch}.f32`);
      // a random network (BatchNorm statistics moved too), its checkpoint and PyTorch's probabilities for the frame
      // as an I picture at QP 32 (v4: cond [0.., QP/63]), per CTU [n, 9, 16, 16]
      await run(PY, ['-c', `
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from splitnet import net_for, QT_CLASSES, MTT_CLASSES
from train import ctu_windows
arch, ck, luma_file, out, w, h = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]), int(sys.argv[7])
${randomNetPy('arch', 5, 2)}
luma = np.fromfile(luma_file, dtype="<u2").reshape(h, w)
y = torch.from_numpy(ctu_windows(luma, 2).astype(np.float32)) / 1023.0 - 0.5
n = y.shape[0]
with torch.no_grad():
    if arch == "v1":
        o = net(torch.stack([y, torch.full_like(y, 32 / 63)], 1))
    else:
        c = torch.zeros(n, 8); c[:, 7] = 32 / 63
        o = net(torch.stack([y, torch.zeros_like(y)], 1), c)
p = torch.cat([o[:, :QT_CLASSES].softmax(1), o[:, QT_CLASSES:QT_CLASSES + MTT_CLASSES].softmax(1)], 1)
p.numpy().astype("<f4").tofile(out)
`, path.join(REPO, 'models'), arch, ck, lumaFile, probs, String(W), String(H)]);
      await run(PY, [path.join(REPO, 'models/export_onnx.py'), '--weights', ck, '--out', onnxFile]);
      const m = await loadSplitModel(onnxFile, { ep: 'cpu', flips: '1' });
      assert.equal(m.halo, 2);
      const pred = await predictFrame(m, luma, W, H, 32);
      const maxDiff = maxDiffFromPyTorch(pred, new Float32Array((await readFile(probs)).buffer.slice(0)));
      assert.ok(maxDiff < 1e-4, `${arch}: the worker's probabilities differ from PyTorch's by ${maxDiff}`);
      // test-time flips keep working on the larger windows (the model is not mirror-symmetric: they change the output)
      const flipped = await predictFrame(await loadSplitModel(onnxFile, { ep: 'cpu', flips: '4' }), luma, W, H, 32);
      assert.equal(flipped.qtProb!.length, pred.qtProb!.length);
      assert.ok(flipped.qtProb!.some((v, i) => Math.abs(v - pred.qtProb![i]) > 1e-3));
    }
    // a bad halo in the metadata is refused, naming the value
    await run(PY, ['-c', `
import sys, onnx
m = onnx.load(sys.argv[1])
for p in m.metadata_props:
    if p.key == "halo": p.value = "1.5"
onnx.save(m, sys.argv[2])`, path.join(dir, 'v1.onnx'), path.join(dir, 'bad.onnx')]);
    await assert.rejects(loadSplitModel(path.join(dir, 'bad.onnx'), { ep: 'cpu' }), (e: Error) => e instanceof SplitModelError && /metadata halo=1\.5/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the chroma-tree model (c1): the committed file loads as tree chroma and needs the chroma planes; the worker feeds it what training does (luma, QP, Cb, Cr on the luma grid)', { skip: noTorchOnnx, timeout: 120_000 }, async () => {
  const c1 = await loadSplitModel(C1_MODEL, { ep: 'cpu', flips: '1' });
  assert.deepEqual([c1.tree, c1.version, c1.sliceTypes], ['chroma', 'c1', ['I']]);
  assert.equal((await loadSplitModel(V1_MODEL, { ep: 'cpu' })).tree, 'luma');
  const luma = await readLuma(FOREMAN, W, H, 8, 3);
  await assert.rejects(predictFrame(c1, luma, W, H, 32), (e: Error) => e instanceof SplitModelError && /predicts the chroma tree: it needs both chroma planes of 88x72 samples/.test(e.message));
  const chroma = await readChroma(FOREMAN, W, H, 8, 3);
  assert.deepEqual([chroma.cb.length, chroma.cr.length], [88 * 72, 88 * 72]);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-c1-'));
  try {
    // a random c1 network; PyTorch's probabilities on training's inputs (train.chroma_windows over a .uv.bin as
    // make_dataset.py stores it) against the worker's on its own
    const base = path.join(dir, 'pic'), ck = path.join(dir, 'c1.pt'), onnxFile = path.join(dir, 'c1.onnx'), probs = path.join(dir, 'c1.f32');
    await writeFile(`${base}.y.bin`, Buffer.from(luma.buffer, luma.byteOffset, luma.byteLength));
    const uv = new Uint16Array([...chroma.cb, ...chroma.cr]);
    await writeFile(`${base}.uv.bin`, Buffer.from(uv.buffer, uv.byteOffset, uv.byteLength));
    await run(PY, ['-c', `
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from splitnet import net_for, QT_CLASSES, MTT_CLASSES
from train import ctu_windows, chroma_windows
base, ck, out, w, h = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
${randomNetPy('"c1"', 7, 0)}
meta = {"width": w, "height": h}
y = torch.from_numpy(ctu_windows(np.fromfile(base + ".y.bin", dtype="<u2").reshape(h, w)).astype(np.float32)) / 1023.0 - 0.5
c = torch.from_numpy(chroma_windows(base, meta).astype(np.float32)) / 1023.0 - 0.5
with torch.no_grad():
    o = net(torch.cat([torch.stack([y, torch.full_like(y, 32 / 63)], 1), c], 1))
p = torch.cat([o[:, :QT_CLASSES].softmax(1), o[:, QT_CLASSES:QT_CLASSES + MTT_CLASSES].softmax(1)], 1)
p.numpy().astype("<f4").tofile(out)
`, path.join(REPO, 'models'), base, ck, probs, String(W), String(H)]);
    await run(PY, [path.join(REPO, 'models/export_onnx.py'), '--weights', ck, '--out', onnxFile]);
    const m = await loadSplitModel(onnxFile, { ep: 'cpu', flips: '1' });
    assert.equal(m.tree, 'chroma');
    const pred = await predictFrame(m, luma, W, H, 32, { sliceType: 'I', chroma });
    const maxDiff = maxDiffFromPyTorch(pred, new Float32Array((await readFile(probs)).buffer.slice(0)));
    assert.ok(maxDiff < 1e-4, `the worker's chroma-tree probabilities differ from PyTorch's by ${maxDiff}`);
    // the chroma planes matter: the same picture with Cb and Cr swapped predicts otherwise
    const swapped = await predictFrame(m, luma, W, H, 32, { sliceType: 'I', chroma: { cb: chroma.cr, cr: chroma.cb } });
    assert.ok(swapped.qtProb!.some((v, i) => Math.abs(v - pred.qtProb![i]) > 1e-3));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
