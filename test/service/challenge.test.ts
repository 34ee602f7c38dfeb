// The challenge run as a resource (/v1/challenges): with the fake encoder (it encodes "ra" here through a wrapper)
// and an anchor table imported from the fake encoder's own rates at QP 22/27/32/37, a challenge over one small shared
// sequence runs to completion; the view, CSV and tar archive say what the rules need; bad requests are refused with
// the sequence named. The last test runs the real encoder against a VTM-23.2 anchor measured by an anchor job
// (skipped LOUDLY without VTM_ENCODER_APP / VTM_DECODER_APP or the built codec).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FAKE_ENC, REPO, SEQ_DIR, json, startStack, syntheticYuv, upload, waitFor, waitForState, wrapper, type Stack } from './helpers.js';
import { psnrYuvFiles } from '../../src/quality/psnr.js';
import { machineInfo } from '../../src/quality/machine.js';
import { and3, challengeState, challengeView, type ChallengeRecord } from '../../src/quality/challenge.js';

const run = promisify(execFile);
const W = 160, H = 90, FPS = 50, FRAMES = 3;
const PARKJOY = path.join(SEQ_DIR, 'ParkJoy_160x90_50fps_8bit_10f.yuv');
const QPS = [22, 27, 32, 37];
const FRAME = W * H * 3 / 2;

let s: Stack;
let tmp: string;
let seqId: string;
let seqBytes: Buffer;

async function sequenceBytes(): Promise<Buffer> {
  if (existsSync(PARKJOY)) return readFile(PARKJOY);
  console.log(`\n*** NOTE: ${PARKJOY} missing (set SHARED_SEQUENCES): the challenge test uses synthetic 160x90 frames ***\n`);
  return syntheticYuv(W, H, 10);
}

/** Independent ustar reader (not src/api/tar.ts): checks every header's checksum and magic. */
function readTar(buf: Buffer): { name: string; size: number; data: Buffer }[] {
  const out: { name: string; size: number; data: Buffer }[] = [];
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) {
      assert.ok(buf.subarray(off).every((b) => b === 0), 'only zero blocks after the end marker');
      assert.ok(buf.length - off >= 1024, 'two zero blocks end the archive');
      return out;
    }
    const field = (a: number, l: number) => h.toString('latin1', a, a + l).split('\0')[0];
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    assert.equal(parseInt(field(148, 8), 8), sum, `checksum of header at ${off}`);
    assert.equal(field(257, 6), 'ustar');
    assert.equal(field(156, 1), '0', 'regular file');
    const size = parseInt(field(124, 12), 8);
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    out.push({ name, size, data: buf.subarray(off + 512, off + 512 + size) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  assert.fail('archive has no end marker');
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-challenge-'));
  const enc = await wrapper(tmp, 'fake-enc-ra.sh', FAKE_ENC, { FAKE_ENC_CONFIGS: 'ai,ra' });
  // No worker yet: the challenge is created and checked while its job waits, then a worker is started.
  s = await startStack({ worker: false, env: { NNVVC_ENC: enc } });
  seqBytes = await sequenceBytes();
  const res = await upload(s.base, seqBytes, { width: W, height: H, fps: FPS, name: 'ParkJoy_160x90' });
  assert.equal(res.status, 201, await res.clone().text());
  seqId = (await json(res)).id;
});
after(async () => {
  await s?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** The fake encoder's own rate and PSNR at each anchor QP: an anchor the rate search can hit exactly. */
async function fakeAnchorPoints(): Promise<{ qp: number; kbps: number; psnrY: number; psnrU: number; psnrV: number; encodeSeconds: number }[]> {
  const input = path.join(tmp, 'input.yuv');
  await writeFile(input, seqBytes);
  const pts = [];
  for (const qp of QPS) {
    const b = path.join(tmp, `a${qp}.266`), o = path.join(tmp, `a${qp}.yuv`);
    await run(process.execPath, [FAKE_ENC, '-i', input, '-s', `${W}x${H}`, '--fps', String(FPS), '--frames', String(FRAMES), '--input-bitdepth', '8',
      '--qp', String(qp), '--config', 'ra', '-b', b, '-o', o], { env: { ...process.env, FAKE_ENC_CONFIGS: 'ai,ra' } });
    const bytes = (await stat(b)).size;
    const p = await psnrYuvFiles({ source: input, sourceBitDepth: 8, decoded: o, width: W, height: H, frames: FRAMES });
    // T2: long for QP 22/27/32 (T1/T2 passes), 1 ms for QP 37 (it fails there: the summary must say so).
    pts.push({ qp, kbps: (bytes * 8 * FPS) / FRAMES / 1000, psnrY: p.y, psnrU: p.u, psnrV: p.v, encodeSeconds: qp === 37 ? 0.001 : 1000 });
  }
  return pts;
}

async function postChallenge(body: unknown): Promise<Response> {
  return fetch(`${s.base}/v1/challenges`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

test('pure helpers: three-valued AND, state from the jobs, T2 notes for a missing time / another machine', () => {
  assert.equal(and3([true, true]), true);
  assert.equal(and3([true, null]), null);
  assert.equal(and3([null, false]), false);
  assert.equal(and3([]), null);
  assert.equal(challengeState(['completed', 'completed']), 'completed');
  assert.equal(challengeState(['completed', 'waiting']), 'active');
  assert.equal(challengeState(['waiting', 'waiting']), 'waiting');
  assert.equal(challengeState(['completed', 'cancelled']), 'failed');
  assert.equal(challengeState(['missing']), 'failed');
  const pt = (qp: number, kbps: number, t: number) => ({ qp, kbps, psnrY: 40, psnrU: 42, psnrV: 42, psnrYuv: 40.5, encodeSeconds: t });
  const rec: ChallengeRecord = {
    id: 'c_000000000000', createdAt: 'x', config: 'ra',
    sequences: [{
      sequenceId: 's_000000000000', name: 'x', sha256: 'a'.repeat(64), width: 8, height: 8, fps: 30, bitDepth: 8, frames: 1, jobId: 'j_000000000000',
      anchor: { key: 'k', source: 'imported', encoder: 'VTM-23.2', createdAt: 'x', frames: 1, machine: { cpu: 'other', cores: 1, hostname: 'elsewhere' }, points: [pt(22, 100, 10), pt(27, 50, 0), pt(32, 25, 5), pt(37, 12, 5)] },
    }],
  };
  const rp = (label: string, kbps: number) => ({ label, kbps, bits: 1, psnr: { y: 40, u: 42, v: 42, yuv: 40.5 }, encodeSeconds: 2, decodeOk: true, md5Ok: true, decoders: [{ name: 'VTM-23.2', ok: true, md5Ok: true }], rules: {} as never });
  const report = { jobId: 'j', machine: machineInfo(), ratePoints: [rp('rp0', 100), rp('rp1', 60), rp('rp2', 25), rp('rp3', 12)], bdRate: 1.5, anchor: { key: 'k', createdAt: 'x' } } as never;
  const v = challengeView(rec, [{ state: 'completed', report }]);
  const [p0, p1] = v.sequences[0].points;
  assert.equal(p0.timeRatio, 0.2);
  assert.equal(p0.pass, true);
  assert.equal(p1.t2, null, 'an anchor time of 0 is "no time"');
  assert.equal(p1.timePass, null);
  assert.match(p1.notes.join(), /no encode time for QP 27/);
  assert.equal(p1.rateInWindow, false, '60 / 50 kbps = 120%');
  assert.equal(p1.pass, false);
  assert.equal(v.sequences[0].anchorSameMachine, false);
  assert.match(v.sequences[0].t2Note!, /no encode time for QP 27.*measured on other x1 on elsewhere.*different machines/);
  assert.equal(v.summary.worstRateRatio, 1.2);
  assert.equal(v.summary.worstRateRatioAt, 'x QP27');
  assert.equal(v.summary.allPass, false);
  assert.equal(v.summary.rules.find((r) => r.id === 'time-ratio')!.pass, null, 'QP 27 cannot be judged, no point fails');
  assert.equal(v.summary.averageBdRate, 1.5);
});

test('400 with the sequence named: unknown sequence, no anchor, anchor without the four QPs, anchor of another sequence', async () => {
  const other = await json(await upload(s.base, syntheticYuv(64, 48, 2), { width: 64, height: 48, fps: 25, name: 'noanchor' }));
  const partial = await json(await upload(s.base, syntheticYuv(64, 48, 2, 8).reverse(), { width: 64, height: 48, fps: 25, name: 'threeqps' }));
  const imp = await fetch(`${s.base}/v1/anchors`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sequenceId: partial.id, config: 'ra', points: [22, 27, 32].map((qp, i) => ({ qp, kbps: 100 / (i + 1), psnrY: 40 - i, psnrU: 42 - i, psnrV: 42 - i, encodeSeconds: 1 })) }),
  });
  assert.equal(imp.status, 201, await imp.clone().text());
  const partialKey = (await json(imp)).key;

  const cases: [unknown, string, RegExp][] = [
    [{ sequences: [{ sequenceId: 's_000000000000' }] }, 'unknown_sequence', /sequences\[0\]: sequence "s_000000000000" does not exist/],
    [{ sequences: [{ sequenceId: other.id }] }, 'anchor_missing', new RegExp(`sequence noanchor \\(${other.id}\\): no VTM-23.2 "ra" anchor table`)],
    [{ sequences: [{ sequenceId: partial.id }] }, 'anchor_incomplete', /sequence threeqps .*has QP 22\/27\/32, the challenge needs the four points QP 22\/27\/32\/37 \(missing 37\)/],
    [{ sequences: [{ sequenceId: other.id, anchorKey: partialKey }] }, 'anchor_mismatch', /sequence noanchor .*belongs to another sequence/],
    [{ sequences: [{ sequenceId: seqId, anchorKey: `${'0'.repeat(64)}.ra.3f` }] }, 'anchor_missing', /sequence ParkJoy_160x90 .*no anchor table with key 0{64}\.ra\.3f/],
    // (the first entry has no anchor yet, the second repeats it: both are named, the first problem's code is the answer's)
    [{ sequences: [{ sequenceId: seqId }, { sequenceId: seqId }] }, 'anchor_missing', /sequence ParkJoy_160x90 .*no VTM-23.2 "ra" anchor.*sequences\[1\]: sequence s_[a-z0-9]+ is listed twice/],
    [{ sequences: [] }, 'bad_request', /sequences/],
    [{ sequences: [{ sequenceId: seqId }], config: 'ld' }, 'bad_request', /config/],
  ];
  for (const [body, code, msg] of cases) {
    const res = await postChallenge(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const b = await json(res);
    assert.equal(b.error, code, JSON.stringify(b));
    assert.match(b.message, msg, JSON.stringify(b));
  }
  // Several problems: every one is named in one answer.
  const both = await json(await postChallenge({ sequences: [{ sequenceId: other.id }, { sequenceId: partial.id }, { sequenceId: 's_000000000000' }] }));
  assert.equal(both.details.problems.length, 3);
  assert.match(both.message, /noanchor.*threeqps.*s_000000000000/);
  assert.deepEqual((await json(await fetch(`${s.base}/v1/challenges`))).items, [], 'nothing was created');
  assert.deepEqual((await json(await fetch(`${s.base}/v1/jobs`))).items, [], 'no job was submitted');
  const spec = await json(await fetch(`${s.base}/docs/json`));
  for (const route of ['/v1/challenges', '/v1/challenges/{id}', '/v1/challenges/{id}/table.csv', '/v1/challenges/{id}/archive']) assert.ok(spec.paths[route], `OpenAPI documents ${route}`);
  const missing = await fetch(`${s.base}/v1/challenges/c_000000000000`);
  assert.equal(missing.status, 404);
  assert.equal((await json(missing)).error, 'challenge_not_found');
});

test('challenge over ParkJoy 160x90 (3 frames) with the fake encoder: view, CSV, archive; 409 before completion', { timeout: 300_000 }, async () => {
  const points = await fakeAnchorPoints();
  const imp = await fetch(`${s.base}/v1/anchors`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sequenceId: seqId, config: 'ra', frames: FRAMES, machine: machineInfo(), points }),
  });
  assert.equal(imp.status, 201, await imp.clone().text());
  const table = await json(imp);

  // An unknown preset is refused before anything is submitted, naming the sequence.
  const badPreset = await postChallenge({ sequences: [{ sequenceId: seqId }], preset: 'turbo' });
  assert.equal(badPreset.status, 400);
  const bp = await json(badPreset);
  assert.equal(bp.error, 'unknown_preset');
  assert.match(bp.message, /^sequence ParkJoy_160x90 \(s_[a-z0-9]+\): preset "turbo"/);

  const res = await postChallenge({ sequences: [{ sequenceId: seqId }] }); // anchor found by sequence + config (its only table)
  assert.equal(res.status, 201, await res.clone().text());
  const created = await json(res);
  assert.match(created.id, /^c_[a-z0-9]{12}$/);
  assert.equal(res.headers.get('location'), `/v1/challenges/${created.id}`);
  assert.equal(created.state, 'waiting');
  assert.equal(created.config, 'ra');
  const seq0 = created.sequences[0];
  assert.equal(seq0.anchorKey, table.key);
  assert.deepEqual(seq0.points.map((p: any) => [p.anchorQp, p.anchorKbps, p.kbps]), points.map((p) => [p.qp, p.kbps, null]));
  // The record under DATA_DIR/challenges: the job ids and the anchors used.
  const rec = JSON.parse(await readFile(path.join(s.cfg.dataDir, 'challenges', `${created.id}.json`), 'utf8'));
  assert.equal(rec.sequences[0].jobId, seq0.jobId);
  assert.equal(rec.sequences[0].anchor.key, table.key);
  assert.deepEqual(rec.sequences[0].anchor.points.map((p: any) => p.qp), QPS);
  // The job went through the normal submission path: a rate-matched nnvvc job at the anchor's four rates.
  const job = await json(await fetch(`${s.base}/v1/jobs/${seq0.jobId}`));
  assert.deepEqual(job.request.targetKbps, points.map((p) => p.kbps));
  assert.equal(job.request.frames, FRAMES);
  assert.equal(job.request.config, 'ra');

  const early = await fetch(`${s.base}/v1/challenges/${created.id}/archive`);
  assert.equal(early.status, 409);
  const eb = await json(early);
  assert.equal(eb.error, 'challenge_not_finished');
  assert.match(eb.message, /is waiting \(0 of 1 sequences done\): ParkJoy_160x90: job j_[a-z0-9]+ waiting/);
  const earlyCsv = (await (await fetch(`${s.base}/v1/challenges/${created.id}/table.csv`)).text()).trim().split('\n');
  assert.equal(earlyCsv.length, 1 + 4 + 1);
  assert.match(earlyCsv[1], /job waiting/);

  await s.startWorker();
  await waitForState(s.base, seq0.jobId, ['completed', 'failed'], 240_000);
  const v = await waitFor('challenge completed', async () => {
    const x = await json(await fetch(`${s.base}/v1/challenges/${created.id}`));
    return x.state === 'completed' || x.state === 'failed' ? x : null;
  }, 30_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  const sq = v.sequences[0];
  assert.equal(sq.jobState, 'completed');
  assert.equal(sq.anchorSameMachine, true, 'the anchor was imported with this machine');
  assert.equal(sq.t2Note, null);
  const report = await json(await fetch(`${s.base}/v1/jobs/${sq.jobId}/report`));
  for (const [i, p] of sq.points.entries()) {
    const rp = report.ratePoints[i];
    assert.equal(p.label, `rp${i}`);
    assert.equal(p.anchorQp, QPS[i]);
    assert.equal(p.anchorKbps, points[i].kbps);
    assert.equal(p.kbps, rp.kbps, 'our rate comes from report.json');
    assert.equal(p.qp, QPS[i], 'the fake encoder hits the anchor rate at the anchor QP');
    assert.ok(Math.abs(p.rateRatio - p.kbps / p.anchorKbps) < 1e-12);
    assert.ok(Math.abs(p.rateRatio - 1) < 1e-9, `ratio ${p.rateRatio}`);
    assert.equal(p.rateInWindow, true);
    assert.equal(p.rateMatched, true);
    assert.equal(p.t1, rp.encodeSeconds);
    assert.ok(p.t1 > 0);
    assert.equal(p.t2, points[i].encodeSeconds);
    assert.ok(Math.abs(p.timeRatio - p.t1 / p.t2) < 1e-12);
    assert.equal(p.timePass, QPS[i] !== 37, `QP ${QPS[i]}: T1/T2 = ${p.timeRatio}`);
    assert.ok(Math.abs(p.psnr.yuv - (6 * p.psnr.y + p.psnr.u + p.psnr.v) / 8) < 1e-9);
    assert.equal(p.vtmDecodeMd5, null, 'no VTM DecoderApp in this stack');
    assert.match(p.notes.join(), /VTM_DECODER_APP not set/);
    assert.equal(p.pass, QPS[i] === 37 ? false : null);
  }
  assert.equal(typeof sq.bdRate, 'number');
  assert.equal(sq.bdRate, report.bdRate);
  assert.ok(Math.abs(sq.bdRate) < 0.01, `BD-rate against the fake encoder's own points: ${sq.bdRate}`);
  const m = v.summary;
  assert.equal(m.sequences, 1);
  assert.equal(m.completedSequences, 1);
  assert.equal(m.averageBdRate, sq.bdRate);
  assert.ok(Math.abs(m.worstRateRatio - 1) < 1e-9);
  assert.equal(m.worstTimeRatio, sq.points[3].timeRatio);
  assert.equal(m.worstTimeRatioAt, 'ParkJoy_160x90 QP37');
  const rule = (id: string) => m.rules.find((r: any) => r.id === id);
  assert.equal(rule('rate-window').pass, true);
  assert.equal(rule('time-ratio').pass, false);
  assert.match(rule('time-ratio').detail, /over 0.7: ParkJoy_160x90 QP37/);
  assert.equal(rule('decode-md5').pass, null);
  assert.equal(rule('four-points').pass, true);
  assert.equal(m.allPass, false);

  // CSV: header, one row per point, the summary row.
  const csvRes = await fetch(`${s.base}/v1/challenges/${created.id}/table.csv`);
  assert.match(csvRes.headers.get('content-type') ?? '', /text\/csv/);
  const lines = (await csvRes.text()).trim().split('\n');
  assert.equal(lines.length, 6);
  const header = lines[0].split(',');
  const col = (row: string, name: string) => row.split(',')[header.indexOf(name)];
  assert.deepEqual(lines.slice(1, 5).map((l) => Number(col(l, 'anchorQp'))), QPS);
  assert.deepEqual(lines.slice(1, 5).map((l) => col(l, 'timePass')), ['true', 'true', 'true', 'false']);
  assert.deepEqual(lines.slice(1, 5).map((l) => col(l, 'rateInWindow')), ['true', 'true', 'true', 'true']);
  assert.equal(Number(col(lines[1], 'kbps')).toFixed(3), sq.points[0].kbps.toFixed(3));
  assert.equal(col(lines[1], 'vtmDecodeMd5'), '');
  assert.match(col(lines[5], 'sequence'), /^ALL \(1 sequences\)$/);
  assert.equal(col(lines[5], 'pass'), 'false');
  assert.equal(col(lines[5], 'timePass'), 'false');
  assert.equal(Number(col(lines[5], 'bdRate')).toFixed(4), m.averageBdRate.toFixed(4));

  // Archive: streamed tar with, per sequence, the four bitstreams, the decoded YUVs, table.csv and report.json.
  const ar = await fetch(`${s.base}/v1/challenges/${created.id}/archive`);
  assert.equal(ar.status, 200);
  assert.equal(ar.headers.get('content-type'), 'application/x-tar');
  assert.match(ar.headers.get('content-disposition') ?? '', new RegExp(`challenge-${created.id}\\.tar`));
  const tarBuf = Buffer.from(await ar.arrayBuffer());
  assert.equal(Number(ar.headers.get('content-length')), tarBuf.length);
  assert.equal(tarBuf.length % 512, 0);
  const entries = readTar(tarBuf);
  const root = `challenge-${created.id}`;
  const names = entries.map((e) => e.name).sort();
  assert.deepEqual(names, [
    `${root}/ParkJoy_160x90/rate-qp22.266`, `${root}/ParkJoy_160x90/rate-qp22.yuv`, `${root}/ParkJoy_160x90/rate-qp27.266`, `${root}/ParkJoy_160x90/rate-qp27.yuv`,
    `${root}/ParkJoy_160x90/rate-qp32.266`, `${root}/ParkJoy_160x90/rate-qp32.yuv`, `${root}/ParkJoy_160x90/rate-qp37.266`, `${root}/ParkJoy_160x90/rate-qp37.yuv`,
    `${root}/ParkJoy_160x90/report.json`, `${root}/ParkJoy_160x90/table.csv`, `${root}/challenge.csv`, `${root}/challenge.json`,
  ].sort());
  const entry = (n: string) => entries.find((e) => e.name === `${root}/${n}`)!;
  for (const [i, qp] of QPS.entries()) {
    const bits = Buffer.from(await (await fetch(`${s.base}/v1/jobs/${sq.jobId}/artifacts/rp${i}.266`)).arrayBuffer());
    assert.ok(entry(`ParkJoy_160x90/rate-qp${qp}.266`).data.equals(bits), `rate-qp${qp}.266 is the job's rp${i}.266`);
    assert.equal(entry(`ParkJoy_160x90/rate-qp${qp}.yuv`).size, FRAMES * FRAME * 2, '10-bit decoded frames');
  }
  assert.equal(JSON.parse(entry('ParkJoy_160x90/report.json').data.toString()).jobId, sq.jobId);
  assert.equal(entry('ParkJoy_160x90/table.csv').data.toString().trim().split('\n').length, 1 + 4, 'per-sequence table: no summary row');
  assert.equal(entry('challenge.csv').data.toString().trim().split('\n').length, 6);
  // The system tar reads it too.
  const tarFile = path.join(tmp, 'c.tar');
  await writeFile(tarFile, tarBuf);
  const listed = await run('tar', ['-tf', tarFile]).then((r) => r.stdout.trim().split('\n').sort(), () => null);
  if (listed) assert.deepEqual(listed, names); else console.log('NOTE: no system tar: archive checked with the test reader only');

  const list = await json(await fetch(`${s.base}/v1/challenges`));
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0].id, created.id);
  assert.equal(list.items[0].state, 'completed');
  assert.equal(list.items[0].allPass, false);
  assert.deepEqual(list.items[0].sequences, ['ParkJoy_160x90']);
});

// ---- real encoder against a VTM-23.2 anchor measured by an anchor job ----

const VTM_ENC = process.env.VTM_ENCODER_APP, VTM_DEC = process.env.VTM_DECODER_APP;
const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
const vtmSkip = !VTM_ENC ? 'VTM_ENCODER_APP not set' : !VTM_DEC ? 'VTM_DECODER_APP not set'
  : !(existsSync(ENC) && existsSync(DEC)) ? `${ENC} or ${DEC} not built (npm run build:codec)`
  : !existsSync(PARKJOY) ? `${PARKJOY} missing (set SHARED_SEQUENCES)` : false;
if (vtmSkip) console.log(`\n*** SKIPPED: challenge with the real encoder and VTM-23.2: ${vtmSkip} ***\n`);

test('real nnvvc-enc challenge against a VTM-23.2 anchor job on ParkJoy 160x90 (3 frames)', { skip: vtmSkip, timeout: 1_800_000 }, async () => {
  const st = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, VTM_ENCODER_APP: VTM_ENC!, VTM_DECODER_APP: VTM_DEC!, JOB_ATTEMPTS: '1' } });
  try {
    const up = await upload(st.base, (await readFile(PARKJOY)).subarray(0, FRAMES * FRAME), { width: W, height: H, fps: FPS, name: 'ParkJoy_160x90' });
    assert.equal(up.status, 201);
    const sid = (await json(up)).id;
    const a = await fetch(`${st.base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: sid, config: 'ra', kind: 'anchor' }) });
    assert.equal(a.status, 201, await a.clone().text());
    const av = await waitForState(st.base, (await json(a)).id, ['completed', 'failed'], 900_000);
    assert.equal(av.state, 'completed', JSON.stringify(av));
    const res = await fetch(`${st.base}/v1/challenges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequences: [{ sequenceId: sid }] }) });
    assert.equal(res.status, 201, await res.clone().text());
    const id = (await json(res)).id;
    const v = await waitFor('challenge finished', async () => {
      const x = await json(await fetch(`${st.base}/v1/challenges/${id}`));
      return x.state === 'completed' || x.state === 'failed' ? x : null;
    }, 900_000, 1000);
    assert.equal(v.state, 'completed', JSON.stringify(v.sequences.map((q: any) => q.error)));
    const sq = v.sequences[0];
    console.log(`# challenge ${id}: BD-rate ${sq.bdRate?.toFixed(2)}%, ${sq.points.map((p: any) => `QP${p.anchorQp}: ${p.kbps.toFixed(1)}/${p.anchorKbps.toFixed(1)} kbps = ${(p.rateRatio * 100).toFixed(1)}% (our QP ${p.qp}), T1 ${p.t1.toFixed(2)} s / T2 ${p.t2.toFixed(2)} s = ${p.timeRatio.toFixed(3)}, PSNR ${p.psnr.yuv.toFixed(2)} dB, MD5 ${p.vtmDecodeMd5}`).join(' | ')}; all rules: ${v.summary.allPass}`);
    assert.equal(sq.anchorSource, 'computed');
    assert.equal(sq.anchorSameMachine, true, 'anchor measured here');
    for (const p of sq.points) {
      assert.ok(p.anchorKbps > 0 && p.kbps > 0);
      assert.ok(Math.abs(p.rateRatio - p.kbps / p.anchorKbps) < 1e-12);
      assert.ok(p.rateRatio > 0.5 && p.rateRatio < 2, `rate search lands near the anchor rate: ${p.rateRatio}`);
      assert.equal(p.rateInWindow, p.rateRatio >= 0.9 - 1e-12 && p.rateRatio <= 1.1 + 1e-12);
      assert.ok(p.t1 > 0 && p.t2 > 0);
      assert.ok(Math.abs(p.timeRatio - p.t1 / p.t2) < 1e-12);
      assert.equal(p.timePass, p.timeRatio <= 0.7 + 1e-12);
      assert.equal(p.vtmDecodeMd5, true, 'VTM-23.2 DecoderApp decodes our stream MD5-exact');
      assert.ok(p.psnr.yuv > 20 && p.psnr.yuv < 70, `PSNR ${p.psnr.yuv}`);
    }
    assert.deepEqual(sq.points.map((p: any) => p.anchorQp), QPS);
    assert.ok(sq.points[0].anchorKbps > sq.points[3].anchorKbps);
    assert.equal(typeof sq.bdRate, 'number', sq.bdRateNote);
    assert.ok(sq.bdRate > -90 && sq.bdRate < 500, `BD-rate ${sq.bdRate}`);
    assert.equal(v.summary.rules.find((r: any) => r.id === 'decode-md5').pass, true);
    assert.equal(v.summary.averageBdRate, sq.bdRate);
    const ar = await fetch(`${st.base}/v1/challenges/${id}/archive`);
    assert.equal(ar.status, 200);
    const names = readTar(Buffer.from(await ar.arrayBuffer())).map((e) => e.name);
    for (const qp of QPS) assert.ok(names.some((n) => n.endsWith(`/rate-qp${qp}.266`)) && names.some((n) => n.endsWith(`/rate-qp${qp}.yuv`)), names.join(','));
  } finally {
    await st.close();
  }
});
