// Random-access inputs of the split predictor v2 (src/models/temporal.ts): the coding structure the worker assumes
// (slice type, temporal layer, slice QP per input frame) is the one nnvvc-enc codes (checked against its --stats
// for GOP 32 and GOP 16, with a CRA inside the run and a short last GOP), the temporal feature's reference pictures
// are the nearest lower-layer pictures, the feature itself is |y - mean(refs)|, and the Python dataset script
// chooses the same references (when /usr/bin/python3 with numpy is there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { mcTemporalFeature, planFrames, temporalFeature, temporalIdOf, temporalRefs } from '../../src/models/temporal.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SEQ_DIR = process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences');
const BP = path.join(SEQ_DIR, 'BasketballPass_416x240_50fps_8bit_101f.yuv');
const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const noEnc = !existsSync(ENC) ? `${ENC} not built (npm run build:codec)` : !existsSync(BP) ? `${BP} missing (set SHARED_SEQUENCES)` : false;
if (noEnc) console.log(`SKIPPED: GOP plan vs nnvvc-enc --stats: ${noEnc}`);
const PY = '/usr/bin/python3';

test('temporal ids follow the dyadic GOP: GOP 32 has 6 layers, GOP 16 five', () => {
  for (const gop of [16, 32]) {
    const top = Math.log2(gop);
    for (let poc = 1; poc <= 2 * gop; poc++) {
      const tid = temporalIdOf(poc, gop);
      assert.ok(tid >= 0 && tid <= top);
      // the layer's reference distance: a picture on layer t > 0 sits halfway between multiples of gop >> (t - 1)
      if (tid > 0) {
        const d = gop >> tid;
        assert.equal(poc % d, 0, `poc ${poc} tid ${tid}`);
        assert.notEqual(poc % (2 * d), 0, `poc ${poc} tid ${tid}`);
      } else assert.equal(poc % gop, 0);
    }
  }
});

test('temporal references are the nearest lower-layer pictures on each side; intra pictures have none', () => {
  for (const [frames, ip] of [[17, 32], [33, 32], [70, 64], [40, 32]]) {
    const plan = planFrames({ config: 'ra', frames, baseQp: 32, intraPeriod: ip });
    for (const p of plan) {
      if (p.intra) { assert.deepEqual(p.refs, []); continue; }
      assert.ok(p.refs.length >= 1 && p.refs.length <= 2, `poc ${p.poc}: ${p.refs}`);
      const lower = (q: (typeof plan)[number]) => (p.temporalId > 0 ? q.temporalId < p.temporalId : q.temporalId === 0 && q.poc < p.poc);
      const before = plan.filter((q) => q.poc < p.poc && lower(q));
      const after = plan.filter((q) => q.poc > p.poc && lower(q));
      assert.equal(p.refs[0], before.at(-1)!.poc, `poc ${p.poc} (frames ${frames})`);
      if (after.length) assert.equal(p.refs[1], after[0].poc);
      else assert.equal(p.refs.length, 1);
      // nothing between a picture and its references is on a lower layer
      for (const r of p.refs) for (const q of plan) if ((q.poc - r) * (q.poc - p.poc) < 0) assert.ok(!lower(q), `poc ${p.poc} ref ${r} skips ${q.poc}`);
    }
  }
  // all-intra: every picture intra at the base QP
  assert.ok(planFrames({ config: 'ai', frames: 5, baseQp: 27 }).every((p) => p.intra && p.qp === 27 && p.refs.length === 0));
  assert.throws(() => planFrames({ config: 'ra', frames: 5, baseQp: 27, intraPeriod: 48 }), /multiple of the GOP size 32/);
});

test('temporal feature is |y - rounded mean of the references|', () => {
  const y = Uint16Array.from([0, 10, 1023, 500, 7]);
  const a = Uint16Array.from([0, 20, 0, 500, 8]), b = Uint16Array.from([1, 0, 1023, 501, 9]);
  const two = temporalFeature(y, [a, b]), one = temporalFeature(y, [a]);
  for (let i = 0; i < y.length; i++) {
    assert.equal(two[i], Math.abs(y[i] - Math.floor((a[i] + b[i] + 1) / 2)));
    assert.equal(one[i], Math.abs(y[i] - a[i]));
  }
  assert.ok(temporalFeature(y, []).every((v) => v === 0));
  assert.throws(() => temporalFeature(y, [Uint16Array.from([1])]), /1 samples, expected 5/);
});

test('the worker\'s GOP plan is the one nnvvc-enc codes: slice type, temporal id and slice QP of every frame', { skip: noEnc, timeout: 120_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-gop-'));
  try {
    // GOP 32 with a CRA at 32 and a short last GOP; GOP 16 with intra period 16; two base QPs
    for (const [frames, gop, ip, qp] of [[35, 32, 32, 37], [21, 16, 16, 22]]) {
      const s = path.join(tmp, `s${gop}.json`);
      await run(ENC, ['-i', BP, '-s', '416x240', '--fps', '50', '--frames', String(frames), '--input-bitdepth', '8', '--qp', String(qp), '--config', 'ra',
        '--gop-size', String(gop), '--intra-period', String(ip), '--preset', 'trivial', '-b', path.join(tmp, 'b.266'), '-o', os.devNull, '--stats', s]);
      const st = JSON.parse(await readFile(s, 'utf8')) as { frames: { poc: number; slice_type: string; temporal_id: number; qp: number }[] };
      const plan = planFrames({ config: 'ra', frames, baseQp: qp, intraPeriod: ip, gopSize: gop });
      assert.equal(st.frames.length, plan.length);
      for (const f of st.frames) {
        const p = plan[f.poc];
        assert.deepEqual({ poc: p.poc, type: p.intra ? 'I' : 'B', tid: p.temporalId, qp: p.qp }, { poc: f.poc, type: f.slice_type, tid: f.temporal_id, qp: f.qp }, `GOP ${gop} poc ${f.poc}`);
        assert.equal(p.layer, p.intra ? 0 : p.temporalId + (gop === 16 ? 1 : 0));
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

const havePy = existsSync(PY) && (await run(PY, ['-c', 'import numpy']).then(() => true, () => false));
test('models/make_dataset.py picks the same temporal references as the worker', { skip: havePy ? false : `${PY} with numpy not installed (apt-get install python3-numpy)` }, async () => {
  const plan = planFrames({ config: 'ra', frames: 70, baseQp: 32, intraPeriod: 64 });
  const pics = plan.map((p) => ({ poc: p.poc, intra: p.intra, tid: p.temporalId }));
  const code = `import json, sys; sys.path.insert(0, ${JSON.stringify(path.join(REPO, 'models'))})
from make_dataset import temporal_refs
print(json.dumps({str(k): v for k, v in temporal_refs(json.loads(sys.argv[1])).items()}))`;
  const { stdout } = await run(PY, ['-c', code, JSON.stringify(pics)]);
  const py = JSON.parse(stdout) as Record<string, number[] | null>;
  for (const p of plan) assert.deepEqual(py[String(p.poc)] ?? [], temporalRefs(plan, p), `poc ${p.poc}`);
});

test('the motion-compensated feature is |y - prediction| and follows a global shift', () => {
  // a textured picture and the same picture moved: away from the borders motion explains it
  const w = 256, h = 128;
  // smooth (the search starts on 4x4 means at quarter resolution) and not periodic within the search range
  const tex = (x: number, y: number) => Math.round(512 + 200 * Math.sin(0.21 * x + 0.05 * y) + 150 * Math.cos(0.13 * y - 0.07 * x) + 100 * Math.sin(0.0031 * x * y));
  const y = new Uint16Array(w * h);
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) y[j * w + i] = tex(i, j);
  const moved = (dx: number, dy: number) => {
    const r = new Uint16Array(w * h);
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) r[j * w + i] = tex(i - dx, j - dy);
    return r;
  };
  const interior = (f: Uint16Array) => { let s = 0; for (let j = 32; j < h - 32; j++) for (let i = 32; i < w - 32; i++) s += f[j * w + i]; return s; };
  // a shift on the coarse grid (whole quarter-resolution samples) is found exactly
  const r = moved(8, -8);
  assert.equal(interior(mcTemporalFeature(y, [r], w, h)), 0);
  // others are followed well enough to leave far less than the zero-motion difference
  for (const [dx, dy] of [[5, -3], [17, 6]]) {
    const r2 = moved(dx, dy);
    const mc = interior(mcTemporalFeature(y, [r2], w, h)), zero = interior(temporalFeature(y, [r2]));
    assert.ok(mc * 2 < zero, `shift (${dx}, ${dy}): motion-compensated ${mc}, zero motion ${zero}`);
  }
  // two references: the bi average is taken where it predicts best, and a static picture gives 0 everywhere
  assert.ok(mcTemporalFeature(y, [y, y], w, h).every((v) => v === 0));
  assert.ok(mcTemporalFeature(y, [], w, h).every((v) => v === 0));
  assert.throws(() => mcTemporalFeature(y, [r.subarray(1)], w, h), /expected 32768/);
  assert.throws(() => mcTemporalFeature(y, [r], w, h + 1), /expected 256x129/);
});

test('models/make_dataset.py computes the same motion-compensated feature as the worker, sample for sample', {
  skip: !havePy ? `${PY} with numpy not installed (apt-get install python3-numpy)` : !existsSync(BP) ? `${BP} missing (set SHARED_SEQUENCES)` : false,
  timeout: 120_000,
}, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-mc-'));
  try {
    const buf = await readFile(BP);
    const W = 416, H = 240, fs = (W * H * 3) / 2;
    const luma = (f: number, x0 = 0, y0 = 0, w = W, h = H) => {
      const out = new Uint16Array(w * h);
      for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) out[j * w + i] = buf[f * fs + (y0 + j) * W + x0 + i] << 2;
      return out;
    };
    // the whole picture with two references 8 frames away, and an odd-sized crop (edge blocks padded) with one
    const cases = [
      { w: W, h: H, y: luma(8), refs: [luma(0), luma(16)] },
      { w: 150, h: 90, y: luma(33, 101, 57, 150, 90), refs: [luma(32, 101, 57, 150, 90)] },
    ];
    for (const [k, c] of cases.entries()) {
      const files = [c.y, ...c.refs].map((p, i) => path.join(tmp, `c${k}_${i}.bin`));
      await Promise.all(files.map((f, i) => writeFile(f, [c.y, ...c.refs][i])));
      const code = `import sys, numpy as np; sys.path.insert(0, ${JSON.stringify(path.join(REPO, 'models'))})
from make_dataset import mc_temporal_feature
w, h = ${c.w}, ${c.h}
p = [np.fromfile(f, dtype="<u2").reshape(h, w) for f in sys.argv[1:]]
mc_temporal_feature(p[0], p[1:]).astype("<u2").tofile(${JSON.stringify(path.join(tmp, `c${k}_out.bin`))})`;
      await run(PY, ['-c', code, ...files]);
      const py = new Uint16Array((await readFile(path.join(tmp, `c${k}_out.bin`))).buffer.slice(0));
      const ts = mcTemporalFeature(c.y, c.refs, c.w, c.h);
      assert.equal(py.length, ts.length);
      let diff = 0;
      for (let i = 0; i < ts.length; i++) if (py[i] !== ts[i]) diff++;
      assert.equal(diff, 0, `case ${k}: ${diff} samples differ`);
      assert.ok(ts.some((v) => v > 0), `case ${k}: a moving picture leaves a residual`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

const FEATURE = process.env.NNVVC_FEATURE ?? path.join(path.dirname(ENC), 'nnvvc-feature');
const noFeature = !existsSync(FEATURE) ? `${FEATURE} not built (npm run build:codec)` : !existsSync(BP) ? `${BP} missing (set SHARED_SEQUENCES)` : false;
if (noFeature) console.log(`SKIPPED: nnvvc-feature against mcTemporalFeature: ${noFeature}`);

test('nnvvc-feature computes the motion-compensated feature of mcTemporalFeature, sample for sample, and names bad input', { skip: noFeature, timeout: 120_000 }, async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-feature-'));
  try {
    const buf = await readFile(BP);
    const W = 416, H = 240, fs = (W * H * 3) / 2;
    const luma8 = (f: number) => { const y = new Uint16Array(W * H); for (let i = 0; i < W * H; i++) y[i] = buf[f * fs + i] << 2; return y; };
    const planes = async (file: string, n: number, w: number, h: number) => {
      const b = await readFile(file);
      assert.equal(b.length, 2 * n * w * h);
      return Array.from({ length: n }, (_, k) => new Uint16Array(b.buffer.slice(b.byteOffset + 2 * k * w * h, b.byteOffset + 2 * (k + 1) * w * h)));
    };
    // 8-bit: two references, then one, in the order asked
    const out = path.join(tmp, 'bp.u16');
    await run(FEATURE, ['-i', BP, '-s', `${W}x${H}`, '-o', out, '8:0,16', '33:32']);
    const [f8, f33] = await planes(out, 2, W, H);
    assert.deepEqual(f8, mcTemporalFeature(luma8(8), [luma8(0), luma8(16)], W, H));
    assert.deepEqual(f33, mcTemporalFeature(luma8(33), [luma8(32)], W, H));
    assert.ok(f8.some((v) => v > 0));
    // 10-bit, a size that is no multiple of 16 (edge blocks padded): a 150x90 crop with odd sample values
    const w = 150, h = 90, crop = (f: number) => { const y = new Uint16Array(w * h); for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) y[j * w + i] = (buf[f * fs + (57 + j) * W + 101 + i] << 2) | ((i + j) & 3); return y; };
    const yuv10 = Buffer.alloc(2 * 3 * (w * h * 3) / 2);
    for (let f = 0; f < 3; f++) { const y = crop(40 + 2 * f); for (let i = 0; i < w * h; i++) yuv10.writeUInt16LE(y[i], 2 * (f * (w * h * 3) / 2 + i)); }
    const in10 = path.join(tmp, 'crop10.yuv'), out10 = path.join(tmp, 'crop10.u16');
    await writeFile(in10, yuv10);
    await run(FEATURE, ['-i', in10, '-s', `${w}x${h}`, '--input-bitdepth', '10', '-o', out10, '1:0,2']);
    const [g] = await planes(out10, 1, w, h);
    assert.deepEqual(g, mcTemporalFeature(crop(42), [crop(40), crop(44)], w, h));
    // bad input: exit 2 (usage) or 1 (the file), with the value named
    const fails = async (args: string[], code: number, said: RegExp) => {
      await assert.rejects(run(FEATURE, args), (e: { code: number; stderr: string }) => { assert.equal(e.code, code); assert.match(e.stderr, said); return true; });
    };
    await fails(['-i', BP, '-s', `${W}x${H}`, '-o', out, '5:5'], 2, /bad picture '5:5'/);
    await fails(['-i', BP, '-s', `${W}x${H}`, '-o', out, '5:1,2,3'], 2, /bad picture '5:1,2,3'/);
    await fails(['-i', BP, '-s', '415x240', '-o', out, '5:4'], 2, /bad size '415x240'/);
    await fails(['-i', BP, '-s', `${W}x${H}`, '--input-bitdepth', '12', '-o', out, '5:4'], 2, /bad --input-bitdepth '12'/);
    await fails(['-i', BP, '-s', `${W}x${H}`, '-o', out, '101:100'], 1, /frame 101 is beyond the end/);
    await fails(['-i', path.join(tmp, 'none.yuv'), '-s', `${W}x${H}`, '-o', out, '1:0'], 1, /cannot open/);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
