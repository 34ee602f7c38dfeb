// Rate matching: find the QP whose encode lands inside [lo, hi] x targetKbps with as few encodes as possible.
// Model: log(rate) is close to linear in QP (rate halves about every 6 QP), so each step is a secant step on
// (QP, ln kbps) through the two trials nearest the target, clamped inside the current bracket; when a step
// would repeat a QP or leave the bracket we bisect instead. QPs are snapped to qpStep: 1 for encoders taking
// integer QPs only (VTM's -q), finer (e.g. 0.25) for encoders with fractional QP. If two neighbouring QPs
// bracket the target and neither is inside the window, the window cannot be hit at that step size: the
// search stops and returns the closest trial with matched = false (the caller records why).
export interface RateTrial { qp: number; kbps: number; ratio: number }
export interface RateMatchResult { qp: number; kbps: number; matched: boolean; trials: RateTrial[]; reason?: string }
export interface RateMatchOptions {
  targetKbps: number;
  encodeAt: (qp: number) => Promise<number>;
  window?: [number, number];
  startQp?: number; qpMin?: number; qpMax?: number; qpStep?: number; maxTrials?: number;
  /** Initial guess of -d ln(kbps) / d QP; ln(2)/6 = rate halves every 6 QP. */
  slope?: number;
}

export async function matchRate(o: RateMatchOptions): Promise<RateMatchResult> {
  const window = o.window ?? [0.9, 1.1];
  const qpMin = o.qpMin ?? 0, qpMax = o.qpMax ?? 63, step = o.qpStep ?? 1, maxTrials = o.maxTrials ?? 8;
  if (!(o.targetKbps > 0) || !Number.isFinite(o.targetKbps)) throw new Error(`matchRate: targetKbps=${o.targetKbps} must be a finite number > 0`);
  if (!(step > 0)) throw new Error(`matchRate: qpStep=${step} must be > 0`);
  if (!(qpMax > qpMin)) throw new Error(`matchRate: qpMin=${qpMin} must be < qpMax=${qpMax}`);
  if (!(window[0] < 1 && window[1] > 1)) throw new Error(`matchRate: window [${window}] must contain 1`);
  const target = o.targetKbps;
  const snap = (q: number) => Math.min(qpMax, Math.max(qpMin, Math.round(q / step) * step));
  const trials: RateTrial[] = [];
  const tried = new Map<number, number>();
  const lnT = Math.log(target);
  const key = (q: number) => Math.round(q / step);
  const best = () => trials.reduce((b, t) => (Math.abs(Math.log(t.ratio)) < Math.abs(Math.log(b.ratio)) ? t : b));
  const done = (matched: boolean, reason?: string): RateMatchResult => {
    const b = best();
    return { qp: b.qp, kbps: b.kbps, matched, trials, ...(reason ? { reason } : {}) };
  };

  let q = snap(o.startQp ?? 32);
  for (let n = 0; n < maxTrials; n++) {
    const kbps = await o.encodeAt(q);
    if (!(kbps > 0) || !Number.isFinite(kbps)) throw new Error(`matchRate: encodeAt(${q}) returned kbps=${kbps}`);
    const ratio = kbps / target;
    trials.push({ qp: q, kbps, ratio });
    tried.set(key(q), kbps);
    if (ratio >= window[0] && ratio <= window[1]) return done(true);

    // Bracket: highest QP still above target rate (too many bits), lowest QP below it (too few bits).
    let qHigh = -Infinity, qLow = Infinity; // qHigh: rate > target; qLow: rate < target
    for (const t of trials) { if (t.kbps > target) qHigh = Math.max(qHigh, t.qp); else qLow = Math.min(qLow, t.qp); }
    if (Number.isFinite(qHigh) && Number.isFinite(qLow) && qLow - qHigh <= step + 1e-9) {
      return done(false, `QP ${qHigh} gives ${tried.get(key(qHigh))!.toFixed(3)} kbps and QP ${qLow} gives ${tried.get(key(qLow))!.toFixed(3)} kbps; no QP step of ${step} lands within [${window[0]}, ${window[1]}] x ${target} kbps`);
    }

    // Secant through the two trials closest to the target in log-rate; fall back to the model slope.
    const near = [...trials].sort((a, b) => Math.abs(Math.log(a.ratio)) - Math.abs(Math.log(b.ratio))).slice(0, 2);
    let slope = o.slope ?? Math.LN2 / 6;
    if (near.length === 2 && near[0].qp !== near[1].qp) {
      const s = -(Math.log(near[0].kbps) - Math.log(near[1].kbps)) / (near[0].qp - near[1].qp);
      if (s > 1e-3) slope = s; // ignore a non-decreasing pair (noise); keep the model slope
    }
    const from = near[0];
    let next = snap(from.qp + (Math.log(from.kbps) - lnT) / slope);
    const lo = Number.isFinite(qHigh) ? qHigh : qpMin - step, hi = Number.isFinite(qLow) ? qLow : qpMax + step;
    if (next <= lo || next >= hi || tried.has(key(next))) {
      if (Number.isFinite(qHigh) && Number.isFinite(qLow)) next = snap((qHigh + qLow) / 2);
      else next = snap(Number.isFinite(qHigh) ? qHigh + Math.max(step, 3 * step) : qLow - Math.max(step, 3 * step));
    }
    if (tried.has(key(next)) || next <= lo || next >= hi) {
      return done(false, `QP range [${qpMin}, ${qpMax}] exhausted: ${target} kbps is out of reach (best ${best().kbps.toFixed(3)} kbps at QP ${best().qp})`);
    }
    q = next;
  }
  return done(false, `no QP within [${window[0]}, ${window[1]}] x ${target} kbps after ${maxTrials} encodes`);
}
