// Needs the external VTM-23.2 binaries: VTM_ENCODER_APP and VTM_DECODER_APP. Skips LOUDLY when unset.
// Small on purpose (foreman QCIF, 2 frames): VTM is slow.
//  1. anchor: VTM RA at QP 22/27/32/37 -> anchor table; our PSNR from (source, recon) equals VTM's printed
//     summary to 0.0001 dB, per plane and per frame; VTM DecoderApp decodes with MD5 OK to the same pictures.
//  2. a second "job" encoding with VTM at the same QPs -> report: BD-rate 0.00%, rate windows and MD5 pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VtmDecoder, VtmEncoder, type VtmEncodeResult } from '../../vtm/adapter.js';
import { psnrYuvFiles } from '../../src/quality/psnr.js';
import { bitrateKbps } from '../../src/quality/bitrate.js';
import { anchorKey, ANCHOR_QPS, type AnchorTable } from '../../src/quality/anchors.js';
import { buildReport } from '../../src/quality/report.js';
import { machineInfo } from '../../src/quality/machine.js';

const ENC = process.env.VTM_ENCODER_APP, DEC = process.env.VTM_DECODER_APP;
const SEQ = process.env.NNVVC_SEQUENCES ?? path.resolve('../shared/sequences');
const FOREMAN = path.join(SEQ, 'foreman_176x144_30fps_8bit_10f.yuv');
const skip = !ENC || !DEC ? `SKIPPED: ${!ENC ? 'VTM_ENCODER_APP' : 'VTM_DECODER_APP'} not set` : !existsSync(FOREMAN) ? `SKIPPED: ${FOREMAN} missing` : false;
if (skip) console.log(`\n*** ${skip} — VTM anchor tests did not run ***\n`);

const seq = { width: 176, height: 144, bitDepth: 8 as const, fps: 30, frames: 2 };

async function encodeAll(dir: string, tag: string) {
  const enc = new VtmEncoder(ENC, { extraArgs: ['--PrintHexPSNR=1'] }), dec = new VtmDecoder(DEC);
  const out: { qp: number; r: VtmEncodeResult; psnr: Awaited<ReturnType<typeof psnrYuvFiles>>; md5Ok: boolean; decodedSame: boolean; kbps: number }[] = [];
  for (const qp of ANCHOR_QPS) {
    const base = path.join(dir, `${tag}-qp${qp}`);
    const r = await enc.encode({ input: FOREMAN, ...seq, qp, config: 'ra', bitstream: `${base}.266`, recon: `${base}.recon.yuv`, logFile: `${base}.enc.log` });
    const d = await dec.decode({ bitstream: r.bitstream, output: `${base}.dec.yuv`, logFile: `${base}.dec.log` });
    const psnr = await psnrYuvFiles({ source: FOREMAN, sourceBitDepth: 8, decoded: d.output, width: seq.width, height: seq.height, frames: seq.frames });
    const decodedSame = (await readFile(d.output)).equals(await readFile(r.recon));
    out.push({ qp, r, psnr, md5Ok: d.md5Ok, decodedSame, kbps: bitrateKbps(r.bits / 8, seq.frames, seq.fps) });
  }
  return out;
}

test('VTM-23.2 anchor + second VTM job: PSNR agrees with VTM, BD-rate 0.00%, rules', { skip, timeout: 600_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-vtm-'));
  try {
    assert.equal(await new VtmEncoder(ENC).available(), true);
    const anchorRun = await encodeAll(dir, 'anchor');
    let maxDiff = 0, maxFrameDiff = 0, maxExact = 0;
    for (const a of anchorRun) {
      assert.equal(a.md5Ok, true, `QP ${a.qp}: VTM decoder MD5`);
      assert.equal(a.decodedSame, true, `QP ${a.qp}: decoded == encoder recon`);
      for (const k of ['y', 'u', 'v'] as const) {
        const d = Math.abs(a.psnr[k] - a.r.vtm.psnr[k]);
        maxDiff = Math.max(maxDiff, d);
        assert.ok(d <= 0.0001, `QP ${a.qp} ${k}: ours ${a.psnr[k]} vs VTM ${a.r.vtm.psnr[k]}`);
        // The exact double VTM computed (--PrintHexPSNR=1): equal up to libm rounding.
        const x = Math.abs(a.psnr[k] - a.r.vtm.psnrExact![k]);
        maxExact = Math.max(maxExact, x);
        assert.ok(x <= 1e-12, `QP ${a.qp} ${k}: ours ${a.psnr[k]} vs VTM exact ${a.r.vtm.psnrExact![k]}`);
      }
      // VTM reports frames in coding order; match by POC.
      for (const f of a.r.vtm.frames) {
        for (const k of ['y', 'u', 'v'] as const) {
          const d = Math.abs(a.psnr.perFrame[f.poc][k] - f.psnr![k]);
          maxFrameDiff = Math.max(maxFrameDiff, d);
          const x = Math.abs(a.psnr.perFrame[f.poc][k] - f.psnrExact![k]);
          maxExact = Math.max(maxExact, x);
          assert.ok(x <= 1e-12, `QP ${a.qp} POC ${f.poc} ${k}: ours ${a.psnr.perFrame[f.poc][k]} vs VTM exact ${f.psnrExact![k]}`);
          assert.ok(d <= 0.0001, `QP ${a.qp} POC ${f.poc} ${k}: ours ${a.psnr.perFrame[f.poc][k]} vs VTM ${f.psnr![k]}`);
        }
      }
    }
    console.log(`PSNR agreement with VTM's printed values: max |diff| ${maxDiff.toExponential(2)} dB (summary), ${maxFrameDiff.toExponential(2)} dB (per frame) against the 4-decimal print; ${maxExact.toExponential(2)} dB against VTM's exact doubles`);
    const sha256 = '0'.repeat(64);
    const table: AnchorTable = {
      key: anchorKey(sha256, 'ra', seq.frames), sequence: { sha256, name: 'foreman', ...seq }, config: 'ra', frames: seq.frames,
      encoder: 'VTM-23.2', source: 'computed', machine: machineInfo(), createdAt: new Date().toISOString(),
      points: anchorRun.map((a) => ({ qp: a.qp, kbps: a.kbps, psnrY: a.psnr.y, psnrU: a.psnr.u, psnrV: a.psnr.v, psnrYuv: a.psnr.yuv, encodeSeconds: a.r.encodeSeconds, bits: a.r.bits, vtmKbps: a.r.vtm.kbps })),
    };
    console.log('anchor table:', JSON.stringify(table.points.map((p) => ({ qp: p.qp, kbps: +p.kbps.toFixed(3), psnrYuv: +p.psnrYuv.toFixed(4), s: +p.encodeSeconds.toFixed(2) }))));

    const second = await encodeAll(dir, 'job');
    for (const [i, s] of second.entries()) assert.equal(s.r.bits, anchorRun[i].r.bits, 'VTM is deterministic: same bitstream size');
    const rep = buildReport({
      jobId: 'vtm-test', sequence: { name: 'foreman', ...seq }, frames: seq.frames, config: 'ra', encoder: 'VTM-23.2', machine: machineInfo(), anchor: table,
      points: second.map((s) => ({ label: `qp${s.qp}`, qp: s.qp, kbps: s.kbps, bits: s.r.bits, psnr: { y: s.psnr.y, u: s.psnr.u, v: s.psnr.v, yuv: s.psnr.yuv }, encodeSeconds: s.r.encodeSeconds, decodeOk: s.decodedSame, md5Ok: s.md5Ok, decoders: [{ name: 'VTM-23.2', ok: s.md5Ok }] })),
    });
    console.log(`BD-rate YUV pchip ${rep.bd!.yuv.pchip!.toFixed(4)}% cubic ${rep.bd!.yuv.cubic!.toFixed(4)}%; time ratio ${rep.timeRatio!.ratio.toFixed(3)}`);
    console.log('rules:', rep.rules.map((r) => `${r.id}=${r.pass}`).join(' '));
    assert.equal(rep.bdRate!.toFixed(2), '0.00');
    assert.equal(rep.bd!.yuv.cubic!.toFixed(2), '0.00');
    const rule = (id: string) => rep.rules.find((r) => r.id === id)!.pass;
    assert.equal(rule('rate-window'), true);
    assert.equal(rule('rate-extremes'), true);
    assert.equal(rule('decode-md5'), true);
    assert.equal(rule('point-count'), true);
    // VTM against itself: T1/T2 is about 1, so the 70% speed rule is judged (and cannot pass for VTM itself).
    assert.equal(rule('time-ratio'), rep.ratePoints.every((p) => p.time!.ratio <= 0.7)); // judged per point
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('VTM adapter: clear errors for a missing binary and a non-VTM binary', async () => {
  await assert.rejects(new VtmEncoder('/nonexistent/EncoderApp').encode({ input: 'x', ...seq, qp: 32, config: 'ra', bitstream: 'b', recon: 'r', logFile: '/dev/null' }), /missing or not executable/);
  await assert.rejects(new VtmDecoder('').decode({ bitstream: 'b', output: 'o', logFile: '/dev/null' }), /VTM_DECODER_APP is not set/);
  await assert.rejects(new VtmEncoder('/bin/true').encode({ input: 'x', ...seq, qp: 32, config: 'ra', bitstream: 'b', recon: 'r', logFile: '/dev/null' }), /no "VTM \.\.\. Version" banner/);
  assert.equal(await new VtmEncoder('/bin/true').available(), false);
});

test('VTM decoder: a file that is not a bitstream gives a clear error', { skip }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-vtm-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'junk.266'), Buffer.from('not a bitstream at all'));
    await assert.rejects(new VtmDecoder(DEC).decode({ bitstream: path.join(dir, 'junk.266'), output: path.join(dir, 'o.yuv'), logFile: path.join(dir, 'd.log') }), /without decoding a picture|VTM DecoderApp/);
  } finally { await rm(dir, { recursive: true, force: true }); }
});
