import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bdPsnr, bdRate, BdError, pchipIntegral } from '../../src/quality/bdrate.js';

const pts = (a: number[][]) => a.map(([kbps, psnr]) => ({ kbps, psnr }));
const A = pts([[1000, 32], [1800, 35], [3200, 37.8], [6000, 40.5]]);

test('identical curves -> 0%, both methods', () => {
  assert.equal(bdRate(A, A), 0);
  assert.equal(bdRate(A, A, 'cubic'), 0);
  assert.equal(bdPsnr(A, A), 0);
});

test('rate scaled by 0.9 -> -10.00% exactly; by 1.1 -> +10.00%', () => {
  const t = A.map((p) => ({ ...p, kbps: p.kbps * 0.9 }));
  for (const m of ['pchip', 'cubic'] as const) {
    assert.ok(Math.abs(bdRate(A, t, m) - -10) < 1e-9, m);
    assert.ok(Math.abs(bdRate(A, A.map((p) => ({ ...p, kbps: p.kbps * 1.1 })), m) - 10) < 1e-9, m);
  }
});

test('PSNR shifted by +0.5 dB -> BD-PSNR +0.5', () => {
  const t = A.map((p) => ({ ...p, psnr: p.psnr + 0.5 }));
  assert.ok(Math.abs(bdPsnr(A, t) - 0.5) < 1e-9);
  assert.ok(Math.abs(bdPsnr(A, t, 'cubic') - 0.5) < 1e-9);
  assert.ok(bdRate(A, t) < 0); // same quality for fewer bits
});

test('matches an independent implementation (SciPy PchipInterpolator / numpy.polyfit) to 1e-9', () => {
  // Reference values computed with SciPy 1.17 PchipInterpolator.integrate and numpy polyfit(3).
  const T = pts([[950, 32.2], [1750, 35.1], [3300, 38.0], [5800, 40.4]]);
  assert.ok(Math.abs(bdRate(A, T) - -3.643659554171852) < 1e-9);
  assert.ok(Math.abs(bdRate(A, T, 'cubic') - -3.6502693437892697) < 1e-9);
  assert.ok(Math.abs(bdPsnr(A, T) - 0.1709356024539222) < 1e-9);
  assert.ok(Math.abs(bdPsnr(A, T, 'cubic') - 0.1700702150132187) < 1e-9);
  // Five points with changing curvature (exercises the shape-preserving slopes).
  const A5 = pts([[500, 30], [900, 33.5], [1500, 34.0], [2600, 37.9], [5000, 39.0]]);
  const T5 = pts([[480, 30.3], [880, 33.0], [1600, 34.6], [2500, 37.0], [5200, 39.5]]);
  assert.ok(Math.abs(bdRate(A5, T5) - 5.300513395492956) < 1e-9);
  assert.ok(Math.abs(bdPsnr(A5, T5) - -0.15826944426332545) < 1e-9);
});

test('pchip integral of a straight line is exact', () => {
  const c = { x: [0, 1, 3, 4], y: [1, 3, 7, 9] }; // y = 2x + 1
  assert.ok(Math.abs(pchipIntegral(c, 0.5, 3.5) - (3.5 * 3.5 + 3.5 - (0.25 + 0.5))) < 1e-12);
});

test('point order does not matter', () => {
  const t = A.map((p) => ({ ...p, kbps: p.kbps * 0.95 }));
  assert.ok(Math.abs(bdRate([...A].reverse(), [t[2], t[0], t[3], t[1]]) - bdRate(A, t)) < 1e-12);
});

test('non-overlapping curves -> clear error, not NaN', () => {
  const t = pts([[100, 20], [200, 22], [300, 24], [400, 25]]);
  assert.throws(() => bdRate(A, t), (e: unknown) => e instanceof BdError && /do not overlap in PSNR/.test((e as Error).message));
  assert.throws(() => bdRate(A, t, 'cubic'), BdError);
  assert.throws(() => bdPsnr(A, pts([[10, 30], [20, 31], [30, 32], [40, 33]])), /do not overlap in log-rate/);
});

test('non-monotonic curve -> clear error', () => {
  const t = pts([[1000, 32], [1800, 36], [3200, 35], [6000, 40]]);
  assert.throws(() => bdRate(A, t), /test: curve is not monotonic/);
  assert.throws(() => bdRate(pts([[1000, 32], [1000, 33], [2000, 35], [3000, 36]]), A), /anchor: curve is not monotonic/);
});

test('bad input -> clear error', () => {
  assert.throws(() => bdRate(A, A.slice(0, 3), 'cubic'), /needs at least 4/);
  assert.throws(() => bdRate(A, A.slice(0, 1)), /needs at least 2/);
  assert.throws(() => bdRate(A, [{ kbps: NaN, psnr: 30 }, ...A.slice(1)]), /kbps=NaN/);
  assert.throws(() => bdRate(A, [{ kbps: 0, psnr: 30 }, ...A.slice(1)]), /kbps=0/);
  assert.throws(() => bdRate(A, A, 'linear' as never), /use 'pchip' or 'cubic'/);
});
