// Random-access rate points cut into segments (segmentIntraPeriods): each segment is a flow child job (any worker),
// the parent joins them with nnvvc-join into one bitstream that decodes to the joined reconstruction (nnvvc-dec,
// and VTM-23.2's DecoderApp when VTM_DECODER_APP is set) and equals, byte for byte, the bitstream of the same job
// encoded in one piece. Also without flows (JOB_FLOW=off: the segments one after another in one worker), and the
// requests segments cannot serve are refused with 400. Real codec; skips, loudly, when it is not built.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO, SEQ_DIR, json, startStack, submit, upload, waitForState, type Stack } from './helpers.js';

const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
const JOIN = path.join(path.dirname(ENC), 'nnvvc-join');
const SEQ = path.join(SEQ_DIR, 'ParkJoy_160x90_50fps_10bit_20f.yuv');
const skip = !(existsSync(ENC) && existsSync(DEC) && existsSync(JOIN)) ? `${ENC}, nnvvc-dec or nnvvc-join not built (npm run build:codec)`
  : !existsSync(SEQ) ? `${SEQ} missing (set SHARED_SEQUENCES)` : false;
if (skip) console.log(`SKIPPED: segment tests: ${skip}`);
const vtmDec = process.env.VTM_DECODER_APP ?? '';

let s: Stack;
let seqId: string;
// 20 frames, GOP 16, intra period 16: segments 0..16 and 16..19 (frame 16, a CRA picture, is encoded by both)
const request = () => ({ sequenceId: seqId, config: 'ra', qps: [32, 37], gopSize: 16, intraPeriod: 16, preset: 'faster' });

before(async () => {
  if (skip) return;
  s = await startStack({ worker: false, env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, VTM_DECODER_APP: vtmDec, JOB_FLOW: 'on', JOB_ATTEMPTS: '1' } });
  await s.startWorker();
  await s.startWorker();
  seqId = (await json(await upload(s.base, await readFile(SEQ), { width: 160, height: 90, fps: 50, bitDepth: 10, name: 'parkjoy10' }))).id;
});
after(async () => { await s?.close(); });

const bitstream = (st: Stack, id: string, label: string) => readFile(path.join(st.cfg.dataDir, 'jobs', id, `${label}.266`));

test('segments: one child per segment and point, joined into the stream of one encode, decoded exactly', { skip, timeout: 300_000 }, async () => {
  if (!vtmDec) console.log('SKIPPED (part): VTM_DECODER_APP not set: joined bitstreams checked by nnvvc-dec only');
  const whole = (await json(await submit(s.base, request()))).id;
  const cut = (await json(await submit(s.base, { ...request(), segmentIntraPeriods: 1 }))).id;
  const vw = await waitForState(s.base, whole, ['completed', 'failed'], 280_000);
  const vc = await waitForState(s.base, cut, ['completed', 'failed'], 280_000);
  assert.equal(vw.state, 'completed', JSON.stringify(vw));
  assert.equal(vc.state, 'completed', JSON.stringify(vc));
  assert.deepEqual(vc.children.map((c: any) => [c.point, c.segment, c.state]), [[0, 0, 'completed'], [0, 1, 'completed'], [1, 0, 'completed'], [1, 1, 'completed']]);
  assert.equal(vw.children.length, 2);
  for (const label of ['qp32', 'qp37']) {
    const [a, b] = await Promise.all([bitstream(s, whole, label), bitstream(s, cut, label)]);
    assert.ok(a.length > 0 && a.equals(b), `${label}: joined ${b.length} bytes, one encode ${a.length} bytes`);
  }
  const rep = await json(await fetch(`${s.base}/v1/jobs/${cut}/report`));
  for (const p of rep.ratePoints) {
    assert.equal(p.decodeOk, true, JSON.stringify(p.decoders));
    assert.deepEqual(p.segments, { segments: 2, framesEncodedTwice: 1 });
    if (vtmDec) assert.ok(p.decoders.some((d: any) => d.name.startsWith('VTM') && d.ok === true), 'VTM decodes the joined stream MD5-exact');
  }
  // the joined stats cover every frame once
  const stats = JSON.parse(await readFile(path.join(s.cfg.dataDir, 'jobs', cut, 'qp32.stats.json'), 'utf8'));
  assert.deepEqual(stats.frames.map((f: any) => f.poc), Array.from({ length: 20 }, (_, i) => i));
});

test('segments: refused where they cannot apply (400 with the reason)', { skip }, async () => {
  for (const [body, re] of [
    [{ sequenceId: seqId, config: 'ai', qps: [32], segmentIntraPeriods: 1 }, /config "ai"/],
    [{ sequenceId: seqId, config: 'ra', targetKbps: [100], segmentIntraPeriods: 1 }, /targetKbps/],
    [{ sequenceId: seqId, config: 'ra', qps: [32], segmentIntraPeriods: 0 }, /segmentIntraPeriods/],
  ] as const) {
    const r = await submit(s.base, body);
    assert.equal(r.status, 400);
    assert.match((await json(r)).message, re);
  }
});

test('segments without flows (JOB_FLOW=off): one worker encodes them in turn and joins them', { skip, timeout: 300_000 }, async () => {
  const t = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, VTM_DECODER_APP: vtmDec, JOB_FLOW: 'off', JOB_ATTEMPTS: '1' } });
  try {
    const id = (await json(await upload(t.base, await readFile(SEQ), { width: 160, height: 90, fps: 50, bitDepth: 10 }))).id;
    const job = (await json(await submit(t.base, { sequenceId: id, config: 'ra', qps: [32], gopSize: 16, intraPeriod: 16, preset: 'faster', segmentIntraPeriods: 1 }))).id;
    const v = await waitForState(t.base, job, ['completed', 'failed'], 280_000);
    assert.equal(v.state, 'completed', JSON.stringify(v));
    const rep = await json(await fetch(`${t.base}/v1/jobs/${job}/report`));
    assert.equal(rep.ratePoints[0].decodeOk, true);
    assert.deepEqual(rep.ratePoints[0].segments, { segments: 2, framesEncodedTwice: 1 });
  } finally {
    await t.close();
  }
});
