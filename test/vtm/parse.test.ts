// Parsers of VTM-23.2 output; always run (no binaries needed). The sample text has the shape VTM 23.2 prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDecoderLog, parseEncoderLog, parseVtmVersion } from '../../vtm/parse.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { anchorCfgDir, defaultIntraPeriod, vtmEncoderArgs } from '../../vtm/adapter.js';

const ENC_LOG = `
VVCSoftware: VTM Encoder Version 23.2 [Linux][GCC 12.2.0][64 bit] [SIMD=AVX2] 

 started @ Wed Nov 25 11:52:26 2026
POC    0 LId:  0 TId: 0 ( IDR_N_LP, I-SLICE, QP 34 )       9168 bits [Y 34.3414 dB    U 38.8271 dB    V 39.4529 dB] [ET     7 ] [L0] [L1] [MD5:0308564b03411fa1ff67e74dd2520fa3,234efe742c29314c4473fd553f66b55e,265d7b31c69c30a3653fe905304fe976]
POC    1 LId:  0 TId: 4 ( STSA, B-SLICE, QP 46 )        624 bits [Y 30.9233 dB    U 38.2600 dB    V 38.6024 dB] [ET     3 ] [L0 0] [L1 0c] [MD5:5beec46170da486c8d016247693f4745,bf42126c342c06d053277a4cf668d890,73cc62d149fca91a0c8f42be94b34884]

LayerId  0
	Total Frames |  Bitrate      Y-PSNR   U-PSNR   V-PSNR   YUV-PSNR 
	2            a  146.8800     32.6323  38.5436  39.0277  33.6005  

 finished @ Wed Nov 25 11:52:37 2026
 Total Time:        7.082 sec. [user]       11.008 sec. [elapsed]
`;

const DEC_LOG = `
VVCSoftware: VTM Decoder Version 23.2 [Linux][GCC 12.2.0][64 bit] [SIMD=AVX2] 
POC    0 LId:  0 TId: 0 ( IDR_N_LP, I-SLICE, QP 34 ) [DT  0.009] [L0] [L1] [MD5:0308564b03411fa1ff67e74dd2520fa3,234efe742c29314c4473fd553f66b55e,265d7b31c69c30a3653fe905304fe976,(OK)] 
POC    1 LId:  0 TId: 4 ( STSA, B-SLICE, QP 46 ) [DT  0.003] [L0 0] [L1 0c] [MD5:5beec46170da486c8d016247693f4745,bf42126c342c06d053277a4cf668d890,73cc62d149fca91a0c8f42be94b34884,(***ERROR***)] [rxMD5:00000000000000000000000000000000]

 Total Time:        0.122 sec.
`;

test('encoder log: version, frames, summary, times', () => {
  const s = parseEncoderLog(ENC_LOG);
  assert.equal(s.version, '23.2');
  assert.equal(s.totalFrames, 2);
  assert.equal(s.kbps, 146.88);
  assert.deepEqual(s.psnr, { y: 32.6323, u: 38.5436, v: 39.0277, yuvMse: 33.6005 });
  assert.equal(s.userSeconds, 7.082);
  assert.equal(s.elapsedSeconds, 11.008);
  assert.equal(s.frames.length, 2);
  assert.deepEqual(s.frames[1], { poc: 1, temporalId: 4, nalType: 'STSA', sliceType: 'B', qp: 46, bits: 624, psnr: { y: 30.9233, u: 38.26, v: 38.6024 } });
  // VTM's summary rate = sum of frame bits * fps / frames / 1000
  assert.ok(Math.abs((9168 + 624) * 30 / 2 / 1000 - s.kbps) < 1e-9);
});

test('encoder log without summary -> error saying the encode did not complete', () => {
  assert.throws(() => parseEncoderLog(ENC_LOG.split('LayerId')[0]), /did not complete/);
  assert.throws(() => parseEncoderLog('hello'), /no "VTM Encoder Version" banner/);
});

test('decoder log: MD5 verdict per picture', () => {
  const d = parseDecoderLog(DEC_LOG);
  assert.equal(d.version, '23.2');
  assert.equal(d.frames.length, 2);
  assert.equal(d.md5Ok, 1);
  assert.equal(d.md5Errors, 1);
  assert.equal(d.frames[1].md5, 'error');
  const noHash = parseDecoderLog('POC    0 LId:  0 TId: 0 ( IDR_N_LP, I-SLICE, QP 34 ) [DT  0.009] [L0] [L1] \n');
  assert.equal(noHash.md5Unknown, 1);
  assert.equal(noHash.md5Ok, 0);
});

test('version banner', () => {
  assert.equal(parseVtmVersion('VVCSoftware: VTM Encoder Version 22.0 [Linux]'), '22.0');
  assert.equal(parseVtmVersion('nope'), undefined);
});

test('encoder args: per-sequence values, intra period by frame rate', () => {
  assert.deepEqual([24, 25, 30, 50, 60, 12].map((f) => defaultIntraPeriod(f)), [32, 32, 32, 64, 64, 32]);
  const a = vtmEncoderArgs({ input: 'in.yuv', width: 416, height: 240, bitDepth: 8, fps: 50, frames: 3, qp: 27, config: 'ra', bitstream: 'o.266', recon: 'r.yuv', logFile: 'l' });
  const s = a.join(' ');
  assert.match(s, /encoder_randomaccess_anchor\.cfg/);
  assert.match(s, /-wdt 416 -hgt 240 -fr 50 -f 3 --InputBitDepth=8 --InternalBitDepth=10 --OutputBitDepth=10/);
  assert.match(s, /-q 27 --IntraPeriod=64$/);
  // VTM-23.2's GOP 32 table wherever the intra period is a multiple of 32; the GOP 16 table for the other multiples of 16
  const ip = (n: number) => vtmEncoderArgs({ input: 'in.yuv', width: 416, height: 240, bitDepth: 8, fps: 50, frames: 3, qp: 27, config: 'ra', intraPeriod: n, bitstream: 'o.266', recon: 'r.yuv', logFile: 'l' }).join(' ');
  assert.match(ip(32), /encoder_randomaccess_anchor\.cfg .*--IntraPeriod=32$/);
  assert.match(ip(48), /encoder_randomaccess_anchor_gop16\.cfg .*--IntraPeriod=48$/);
  for (const f of ['encoder_randomaccess_anchor.cfg', 'encoder_randomaccess_anchor_gop16.cfg']) {
    const text = readFileSync(path.join(anchorCfgDir(), f), 'utf8');
    const gop = Number(/^GOPSize\s*:\s*(\d+)/m.exec(text)?.[1]);
    assert.equal(gop, f.includes('gop16') ? 16 : 32, f);
    assert.equal(text.split('\n').filter((l) => /^Frame\d+\s*:/.test(l)).length, gop, `${f}: one Frame line per GOP position`);
  }
  const ai = vtmEncoderArgs({ input: 'in.yuv', width: 416, height: 240, bitDepth: 10, fps: 50, frames: 3, qp: 22, config: 'ai', bitstream: 'o.266', recon: 'r.yuv', logFile: 'l' }).join(' ');
  assert.match(ai, /encoder_intra_anchor\.cfg/);
  assert.doesNotMatch(ai, /IntraPeriod/);
  assert.throws(() => vtmEncoderArgs({ input: 'i', width: 8, height: 8, bitDepth: 8, fps: 30, frames: 1, qp: 27.5, config: 'ra', bitstream: 'o', recon: 'r', logFile: 'l' }), /integer QP/);
});

test('hex PSNR (--PrintHexPSNR=1) decodes to the exact doubles', async () => {
  const { hexToDouble } = await import('../../vtm/parse.js');
  const v = hexToDouble('40412bb28ff754fa');
  assert.ok(Math.abs(v - 34.3414) < 5e-5, String(v));
  const log = ENC_LOG.replace('[ET     7 ]', '[xY 40412bb28ff754fa xU 404369dfde8d9807 xV 4043b9f7d3181c47] [ET     7 ]')
    .replace('YUV-PSNR \n', 'YUV-PSNR xY-PSNR          xU-PSNR          xV-PSNR          \n')
    .replace('33.6005  \n', '33.6005  404050f0bb7babec 4043459311e54ad6 4043838a57b2f68b \n');
  const s = parseEncoderLog(log);
  assert.equal(s.frames[0].psnrExact!.y, v);
  assert.ok(Math.abs(s.psnrExact!.y - 32.6323) < 5e-5);
  assert.ok(Math.abs(s.psnrExact!.v - 39.0277) < 5e-5);
});
