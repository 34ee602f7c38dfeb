// Bjontegaard delta rate / delta PSNR.
//  - 'pchip' (default): piecewise cubic Hermite interpolation with Fritsch-Carlson style monotone slopes
//    (the MATLAB/SciPy "pchip" rule), integrated exactly; this is what the JVET CTC Excel sheet uses.
//  - 'cubic': the classic VCEG-M33 fit, a least-squares cubic polynomial through the points.
// BD-rate integrates log10(rate) over the PSNR range both curves cover; BD-PSNR integrates PSNR over the
// common log-rate range. Bad curves (too few points, not increasing, no overlap, non-finite values) throw
// a BdError with the reason instead of returning NaN.
export interface RdPoint { kbps: number; psnr: number }
export type BdMethod = 'pchip' | 'cubic';

export class BdError extends Error {
  constructor(message: string) { super(message); this.name = 'BdError'; }
}

interface Curve { x: number[]; y: number[] }

function prepare(points: RdPoint[], label: string, method: BdMethod): RdPoint[] {
  if (!Array.isArray(points)) throw new BdError(`${label}: expected an array of {kbps, psnr}`);
  const min = method === 'cubic' ? 4 : 2;
  if (points.length < min) throw new BdError(`${label}: ${points.length} point(s); the ${method} method needs at least ${min}`);
  for (const [i, p] of points.entries()) {
    if (!p || !Number.isFinite(p.kbps) || !(p.kbps > 0)) throw new BdError(`${label}[${i}]: kbps=${p?.kbps} must be a finite number > 0`);
    if (!Number.isFinite(p.psnr)) throw new BdError(`${label}[${i}]: psnr=${p.psnr} must be a finite number`);
  }
  const s = [...points].sort((a, b) => a.kbps - b.kbps);
  for (let i = 1; i < s.length; i++) {
    if (!(s[i].kbps > s[i - 1].kbps) || !(s[i].psnr > s[i - 1].psnr)) {
      throw new BdError(`${label}: curve is not monotonic (rate ${s[i - 1].kbps} -> ${s[i].kbps} kbps gives PSNR ${s[i - 1].psnr} -> ${s[i].psnr} dB); PSNR must rise strictly with rate`);
    }
  }
  return s;
}

/** MATLAB/SciPy pchip end-point slope (three-point formula, shape preserving). */
function endSlope(h0: number, h1: number, d0: number, d1: number): number {
  let d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(d0)) d = 0;
  else if (Math.sign(d0) !== Math.sign(d1) && Math.abs(d) > Math.abs(3 * d0)) d = 3 * d0;
  return d;
}

export function pchipSlopes(x: number[], y: number[]): number[] {
  const n = x.length;
  const h = x.slice(1).map((v, i) => v - x[i]);
  const del = h.map((hk, i) => (y[i + 1] - y[i]) / hk);
  if (n === 2) return [del[0], del[0]];
  const d = new Array<number>(n).fill(0);
  for (let k = 1; k < n - 1; k++) {
    if (del[k - 1] * del[k] > 0) {
      const w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1];
      d[k] = (w1 + w2) / (w1 / del[k - 1] + w2 / del[k]);
    }
  }
  d[0] = endSlope(h[0], h[1], del[0], del[1]);
  d[n - 1] = endSlope(h[n - 2], h[n - 3] ?? h[n - 2], del[n - 2], del[n - 3] ?? del[n - 2]);
  return d;
}

/** Exact integral of the pchip interpolant of (x, y) over [a, b] (a, b inside [x0, xn]). */
export function pchipIntegral(c: Curve, a: number, b: number): number {
  const { x, y } = c;
  const d = pchipSlopes(x, y);
  let total = 0;
  for (let k = 0; k < x.length - 1; k++) {
    const lo = Math.max(a, x[k]), hi = Math.min(b, x[k + 1]);
    if (hi <= lo) continue;
    const hk = x[k + 1] - x[k];
    const delta = (y[k + 1] - y[k]) / hk;
    const c2 = (3 * delta - 2 * d[k] - d[k + 1]) / hk;
    const c3 = (d[k] + d[k + 1] - 2 * delta) / (hk * hk);
    const F = (t: number) => y[k] * t + (d[k] * t * t) / 2 + (c2 * t ** 3) / 3 + (c3 * t ** 4) / 4;
    total += F(hi - x[k]) - F(lo - x[k]);
  }
  return total;
}

/** Least-squares polynomial of the given degree; coefficients in ascending powers of (x - shift) / scale. */
function polyfit(x: number[], y: number[], degree: number): { coef: number[]; shift: number; scale: number } {
  const shift = x.reduce((s, v) => s + v, 0) / x.length;
  const scale = Math.max(...x.map((v) => Math.abs(v - shift))) || 1;
  const t = x.map((v) => (v - shift) / scale);
  const m = degree + 1;
  const A = Array.from({ length: m }, (_, i) => Array.from({ length: m + 1 }, (_, j) =>
    j < m ? t.reduce((s, tv) => s + tv ** (i + j), 0) : t.reduce((s, tv, k) => s + y[k] * tv ** i, 0)));
  for (let col = 0; col < m; col++) {
    let piv = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(A[r][col]) > Math.abs(A[piv][col])) piv = r;
    if (Math.abs(A[piv][col]) < 1e-12) throw new BdError('cubic fit is singular (points too close together)');
    [A[col], A[piv]] = [A[piv], A[col]];
    for (let r = 0; r < m; r++) {
      if (r === col) continue;
      const f = A[r][col] / A[col][col];
      for (let j = col; j <= m; j++) A[r][j] -= f * A[col][j];
    }
  }
  return { coef: A.map((row, i) => row[m] / row[i]), shift, scale };
}

function polyIntegral(c: Curve, a: number, b: number): number {
  const { coef, shift, scale } = polyfit(c.x, c.y, 3);
  const F = (v: number) => { const t = (v - shift) / scale; return scale * coef.reduce((s, ci, i) => s + (ci * t ** (i + 1)) / (i + 1), 0); };
  return F(b) - F(a);
}

function averageDifference(anchor: Curve, test: Curve, method: BdMethod, what: string): number {
  const lo = Math.max(anchor.x[0], test.x[0]);
  const hi = Math.min(anchor.x[anchor.x.length - 1], test.x[test.x.length - 1]);
  if (!(hi > lo)) {
    throw new BdError(`curves do not overlap in ${what}: anchor covers [${anchor.x[0].toFixed(4)}, ${anchor.x[anchor.x.length - 1].toFixed(4)}], test covers [${test.x[0].toFixed(4)}, ${test.x[test.x.length - 1].toFixed(4)}]`);
  }
  const integ = method === 'pchip' ? pchipIntegral : polyIntegral;
  return (integ(test, lo, hi) - integ(anchor, lo, hi)) / (hi - lo);
}

/** BD-rate in percent (negative = test needs fewer bits than anchor for the same quality). */
export function bdRate(anchor: RdPoint[], test: RdPoint[], method: BdMethod = 'pchip'): number {
  if (method !== 'pchip' && method !== 'cubic') throw new BdError(`method=${method as string}: use 'pchip' or 'cubic'`);
  const a = prepare(anchor, 'anchor', method), t = prepare(test, 'test', method);
  const curve = (p: RdPoint[]): Curve => ({ x: p.map((q) => q.psnr), y: p.map((q) => Math.log10(q.kbps)) });
  const avg = averageDifference(curve(a), curve(t), method, 'PSNR');
  return (10 ** avg - 1) * 100;
}

/** BD-PSNR in dB (positive = test has higher quality at the same rate). */
export function bdPsnr(anchor: RdPoint[], test: RdPoint[], method: BdMethod = 'pchip'): number {
  if (method !== 'pchip' && method !== 'cubic') throw new BdError(`method=${method as string}: use 'pchip' or 'cubic'`);
  const a = prepare(anchor, 'anchor', method), t = prepare(test, 'test', method);
  const curve = (p: RdPoint[]): Curve => ({ x: p.map((q) => Math.log10(q.kbps)), y: p.map((q) => q.psnr) });
  return averageDifference(curve(a), curve(t), method, 'log-rate');
}
