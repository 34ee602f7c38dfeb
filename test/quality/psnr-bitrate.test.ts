import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { combinePsnr, psnrFromSsd, psnrYuvFiles, PSNR_PEAK_10BIT } from '../../src/quality/psnr.js';
import { bitrateKbps } from '../../src/quality/bitrate.js';

function u16(values: number[]): Buffer { const b = Buffer.alloc(values.length * 2); values.forEach((v, i) => b.writeUInt16LE(v, 2 * i)); return b; }

test('peak is 255<<2 = 1020 and SSD 0 gives 999.99 like VTM', () => {
  assert.equal(PSNR_PEAK_10BIT, 1020);
  assert.equal(psnrFromSsd(0, 100), 999.99);
  // MSE 4 -> 10 log10(1020^2/4) = 20 log10(510)
  assert.ok(Math.abs(psnrFromSsd(64, 16) - 20 * Math.log10(510)) < 1e-12);
  assert.ok(Math.abs(20 * Math.log10(510) - 54.15140352195873) < 1e-12);
});

test('6:1:1 combination', () => {
  assert.equal(combinePsnr({ y: 40, u: 48, v: 32 }), (240 + 48 + 32) / 8);
});

test('psnrYuvFiles: 8-bit source scaled by <<2, per-frame mean, hand-computed', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-psnr-'));
  try {
    // 4x2 frame: Y 8 samples, U 2, V 2. Two frames.
    const srcF1 = [...Array(8).fill(100), 50, 60, 70, 80];
    const srcF2 = [...Array(8).fill(200), 10, 20, 30, 40];
    await writeFile(path.join(dir, 's.yuv'), Buffer.from([...srcF1, ...srcF2]));
    // Frame 1: Y all off by 2 (400 -> 402), U exact, V one sample off by 10.
    // Frame 2: Y one sample off by 4, U both off by 1, V exact.
    const decF1 = [...Array(8).fill(402), 200, 240, 280 + 10, 320];
    const decF2 = [804, ...Array(7).fill(800), 41, 81, 120, 160];
    await writeFile(path.join(dir, 'd.yuv'), u16([...decF1, ...decF2]));
    const r = await psnrYuvFiles({ source: path.join(dir, 's.yuv'), sourceBitDepth: 8, decoded: path.join(dir, 'd.yuv'), width: 4, height: 2, frames: 2 });
    const P = (ssd: number, n: number) => 10 * Math.log10((1020 * 1020 * n) / ssd);
    const f1 = { y: P(8 * 4, 8), u: 999.99, v: P(100, 2) }, f2 = { y: P(16, 8), u: P(2, 2), v: 999.99 };
    assert.deepEqual(r.perFrame.map((f) => [f.y, f.u, f.v]), [[f1.y, f1.u, f1.v], [f2.y, f2.u, f2.v]]);
    assert.ok(Math.abs(r.y - (f1.y + f2.y) / 2) < 1e-12);
    assert.ok(Math.abs(r.u - (f1.u + f2.u) / 2) < 1e-12);
    assert.ok(Math.abs(r.yuv - (6 * r.y + r.u + r.v) / 8) < 1e-12);
    // Hand value: Y frame 1 = 10 log10(1020^2 / 4) = 54.1514 dB.
    assert.ok(Math.abs(f1.y - 54.1514) < 1e-4);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('psnrYuvFiles: 10-bit source compared directly, peak still 1020', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-psnr-'));
  try {
    await writeFile(path.join(dir, 's.yuv'), u16([...Array(8).fill(513), 1, 2, 3, 1023]));
    await writeFile(path.join(dir, 'd.yuv'), u16([...Array(8).fill(512), 1, 2, 3, 1023]));
    const r = await psnrYuvFiles({ source: path.join(dir, 's.yuv'), sourceBitDepth: 10, decoded: path.join(dir, 'd.yuv'), width: 4, height: 2, frames: 1 });
    assert.ok(Math.abs(r.y - 10 * Math.log10(1020 * 1020)) < 1e-12); // MSE 1
    assert.equal(r.u, 999.99);
    assert.equal(r.v, 999.99);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('psnrYuvFiles: clear errors for short files and bad sizes', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-psnr-'));
  try {
    await writeFile(path.join(dir, 's.yuv'), Buffer.alloc(12));
    await writeFile(path.join(dir, 'd.yuv'), Buffer.alloc(24));
    const o = { source: path.join(dir, 's.yuv'), sourceBitDepth: 8 as const, decoded: path.join(dir, 'd.yuv'), width: 4, height: 2 };
    await assert.rejects(psnrYuvFiles({ ...o, frames: 2 }), /source .* has 12 bytes, 2 frames .* need 24/);
    await assert.rejects(psnrYuvFiles({ ...o, width: 3, frames: 1 }), /not a 4:2:0 size/);
    await assert.rejects(psnrYuvFiles({ ...o, frames: 0 }), /frames=0 must be a positive integer/);
    await writeFile(path.join(dir, 'd.yuv'), Buffer.alloc(20));
    await assert.rejects(psnrYuvFiles({ ...o, frames: 1 }), /decoded .* has 20 bytes/);
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('bitrate as VTM: bits * fps / frames / 1000', () => {
  assert.equal(bitrateKbps(1341, 2, 30), (1341 * 8 * 30) / 2 / 1000); // 160.92 kbps
  assert.ok(Math.abs(bitrateKbps(1341, 2, 30) - 160.92) < 1e-9);
  assert.throws(() => bitrateKbps(10, 0, 30), /frames=0/);
  assert.throws(() => bitrateKbps(10, 2, 0), /fps=0/);
  assert.throws(() => bitrateKbps(-1, 2, 30), /bytes=-1/);
});
