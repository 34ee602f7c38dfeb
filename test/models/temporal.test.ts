// Random-access inputs of the split predictor v2 (src/models/temporal.ts): the coding structure the worker assumes
// (slice type, temporal layer, slice QP per input frame) is the one nnvvc-enc codes (checked against its --stats
// for GOP 32 and GOP 16, with a CRA inside the run and a short last GOP), the temporal feature's reference pictures
// are the nearest lower-layer pictures, the feature itself is |y - mean(refs)|, and the Python dataset script
// chooses the same references (when /usr/bin/python3 with numpy is there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { planFrames, temporalFeature, temporalIdOf, temporalRefs } from '../../src/models/temporal.js';

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
