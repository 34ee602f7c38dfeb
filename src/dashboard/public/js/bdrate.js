// Bjøntegaard delta rate with piecewise cubic Hermite (PCHIP, Fritsch–Carlson slopes) interpolation of
// log10(rate) as a function of PSNR, integrated exactly over the overlapping PSNR interval — the method used by
// the JVET common-test-conditions tools. Pure module: used by the browser and by the Node unit tests.

/** PCHIP slopes at the knots (same rules as MATLAB pchip / scipy PchipInterpolator). */
export function pchipSlopes(x, y) {
  const n = x.length;
  if (n < 2) throw new Error('pchip needs at least 2 points');
  const h = [];
  const delta = [];
  for (let k = 0; k < n - 1; k++) {
    h.push(x[k + 1] - x[k]);
    delta.push((y[k + 1] - y[k]) / h[k]);
  }
  const d = new Array(n).fill(0);
  if (n === 2) {
    d[0] = delta[0];
    d[1] = delta[0];
    return d;
  }
  for (let k = 1; k < n - 1; k++) {
    if (delta[k - 1] * delta[k] > 0) {
      const w1 = 2 * h[k] + h[k - 1];
      const w2 = h[k] + 2 * h[k - 1];
      d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k]);
    }
  }
  d[0] = endSlope(h[0], h[1], delta[0], delta[1]);
  d[n - 1] = endSlope(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
  return d;
}

// Non-centred three-point end slope, shape-preserving.
function endSlope(h0, h1, del0, del1) {
  let d = ((2 * h0 + h1) * del0 - h0 * del1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(del0)) d = 0;
  else if (Math.sign(del0) !== Math.sign(del1) && Math.abs(d) > Math.abs(3 * del0)) d = 3 * del0;
  return d;
}

/** Exact integral of the PCHIP interpolant of (x, y) over [lo, hi] (lo >= x[0], hi <= x[n-1]). */
export function pchipIntegral(x, y, lo, hi) {
  const d = pchipSlopes(x, y);
  let total = 0;
  for (let k = 0; k < x.length - 1; k++) {
    const a = Math.max(lo, x[k]);
    const b = Math.min(hi, x[k + 1]);
    if (b <= a) continue;
    const h = x[k + 1] - x[k];
    const del = (y[k + 1] - y[k]) / h;
    const c2 = (3 * del - 2 * d[k] - d[k + 1]) / h;
    const c3 = (d[k] + d[k + 1] - 2 * del) / (h * h);
    const F = (t) => y[k] * t + (d[k] * t * t) / 2 + (c2 * t ** 3) / 3 + (c3 * t ** 4) / 4;
    total += F(b - x[k]) - F(a - x[k]);
  }
  return total;
}

function prepare(points, label) {
  if (!Array.isArray(points) || points.length < 2) throw new Error(`${label}: need at least 2 rate points`);
  const sorted = points
    .map((p) => ({ kbps: Number(p.kbps), psnr: Number(p.psnr) }))
    .sort((a, b) => a.psnr - b.psnr);
  for (const p of sorted) {
    if (!(p.kbps > 0) || !Number.isFinite(p.psnr)) throw new Error(`${label}: invalid point kbps=${p.kbps} psnr=${p.psnr}`);
  }
  for (let i = 1; i < sorted.length; i++) {
    if (!(sorted[i].psnr > sorted[i - 1].psnr)) throw new Error(`${label}: PSNR values must be distinct`);
  }
  return { x: sorted.map((p) => p.psnr), y: sorted.map((p) => Math.log10(p.kbps)) };
}

/**
 * BD-rate of `test` against `anchor`, in percent (negative = test needs fewer bits for the same quality).
 * Each point is {kbps, psnr}. Throws when the curves have fewer than 2 points or do not overlap in PSNR.
 */
export function bdRate(anchor, test) {
  const a = prepare(anchor, 'anchor');
  const t = prepare(test, 'test');
  const lo = Math.max(a.x[0], t.x[0]);
  const hi = Math.min(a.x[a.x.length - 1], t.x[t.x.length - 1]);
  if (!(hi > lo)) throw new Error('curves do not overlap in PSNR');
  const avgDiff = (pchipIntegral(t.x, t.y, lo, hi) - pchipIntegral(a.x, a.y, lo, hi)) / (hi - lo);
  return (Math.pow(10, avgDiff) - 1) * 100;
}
