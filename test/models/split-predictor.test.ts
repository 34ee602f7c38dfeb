// CNN split predictor: the committed ONNX model runs on a real frame, the hints it leads to are accepted by
// nnvvc-enc and the bitstream decodes to the encoder's recon, and bad inputs give clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  CELLS, DEFAULT_MODEL, ExecutionProviderError, GRID, cellToken, hintsText, loadSplitModel, parseAggressiveness, predictFrame, readLuma,
  SplitModelError, writeSplitHints, type FramePrediction,
} from '../../src/models/split-predictor.js';
import { cellTargets } from '../../src/models/labels.js';
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

test('committed model is small and loads on CPU', async () => {
  assert.ok(existsSync(DEFAULT_MODEL), `${DEFAULT_MODEL} missing`);
  const bytes = (await readFile(DEFAULT_MODEL)).length;
  assert.ok(bytes < 2 * 1024 * 1024, `model is ${bytes} bytes`);
  const m = await loadSplitModel(DEFAULT_MODEL, { ep: 'cpu' });
  assert.equal(m.ep, 'cpu');
  assert.equal(m.version, '1');
  assert.deepEqual([m.session.inputNames, m.session.outputNames], [['ctu'], ['logits']]);
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
  // raw model output: one [9, 16, 16] logit block per CTU (2 x 2 CTUs for 176x144)
  const x = new m.ort.Tensor('float32', new Float32Array(4 * 2 * 128 * 128), [4, 2, 128, 128]);
  const raw = (await m.session.run({ ctu: x })).logits;
  assert.deepEqual(raw.dims, [4, 9, CELLS, CELLS]);
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
