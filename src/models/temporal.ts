// Random-access inputs of the CNN split predictor v2: which pictures of a job are intra / B, their temporal layer
// and slice QP in our encoder's coding structure (codec/src/encoder/gop_plan.cpp: hierarchical-B GOP of 32 (or 16),
// a CRA picture every intra period, a shorter last GOP that keeps the layers of the full one), and the temporal
// feature the model takes for B pictures: |luma - mean of the nearest lower-layer pictures before / after it in
// display order| (the pictures the structure references first), computed from the source alone.
// The same rules as models/make_dataset.py (temporal_refs, temporal_feature), which takes the layers from the
// encoder's --stats; test/models/temporal.test.ts checks this plan against a real encode's stats.

export interface PlannedFrame {
  /** Input frame index = POC. */
  poc: number;
  intra: boolean;
  /** temporal_id as the encoder writes it (0..5 for GOP 32, 0..4 for GOP 16; 0 for intra pictures). */
  temporalId: number;
  /** Temporal layer on the GOP-32 scale (same reference distance): the model's layer input. 0 for intra. */
  layer: number;
  /** Slice QP of the picture for the job's base QP. */
  qp: number;
  /** POCs the temporal feature compares with (empty for intra pictures). */
  refs: number[];
}

// Per temporal layer: [QP offset, QP-offset model offset, model scale], as the RA tables of gop_plan.cpp (all rows of
// one layer share them).
const QP_RULES: Record<number, [number, number, number][]> = {
  32: [[-1, 0, 0], [0, -4.9309, 0.2265], [1, -4.5, 0.19], [3, -5.4095, 0.2571], [5, -4.4895, 0.1947], [6, -5.4429, 0.2429]],
  16: [[1, 0, 0], [1, -4.8848, 0.2061], [4, -5.7476, 0.2286], [5, -5.9, 0.2333], [6, -7.1444, 0.3]],
};
const INTRA_QP_OFFSET = -3;

const clipQp = (q: number) => Math.max(0, Math.min(63, q));

/** temporal_id of a non-intra picture at `poc` in a dyadic GOP of `gopSize` pictures. */
export function temporalIdOf(poc: number, gopSize: number): number {
  const pos = poc % gopSize;
  if (pos === 0) return 0;
  let tz = 0;
  while (((pos >> tz) & 1) === 0) tz++;
  return Math.log2(gopSize) - tz;
}

/** Slice QP of a B picture on `temporalId` for base QP `baseQp` (QP offset + the QP-offset model's 0..3). */
export function bSliceQp(baseQp: number, temporalId: number, gopSize = 32): number {
  const [off, mOff, mScale] = QP_RULES[gopSize][temporalId];
  const qp = baseQp + off;
  return clipQp(qp + Math.floor(Math.max(0, Math.min(3, qp * mScale + mOff + 0.5))));
}

/**
 * The pictures of a job of `frames` input frames (all-intra: every picture intra at the base QP; random access:
 * GOP `gopSize` (16 or 32), a CRA picture every `intraPeriod` frames, intra QP base - 3), in display order.
 */
export function planFrames(o: { config: 'ai' | 'ra'; frames: number; baseQp: number; intraPeriod?: number; gopSize?: number }): PlannedFrame[] {
  const out: PlannedFrame[] = [];
  if (o.config === 'ai') {
    for (let poc = 0; poc < o.frames; poc++) out.push({ poc, intra: true, temporalId: 0, layer: 0, qp: clipQp(o.baseQp), refs: [] });
    return out;
  }
  const gop = o.gopSize ?? 32;
  if (gop !== 16 && gop !== 32) throw new Error(`gop size ${gop}: expected 16 or 32`);
  const ip = o.intraPeriod ?? gop;
  if (ip <= 0 || ip % gop !== 0) throw new Error(`intra period ${ip}: must be a positive multiple of the GOP size ${gop}`);
  const shift = gop === 16 ? 1 : 0;
  for (let poc = 0; poc < o.frames; poc++) {
    if (poc % ip === 0) out.push({ poc, intra: true, temporalId: 0, layer: 0, qp: clipQp(o.baseQp + INTRA_QP_OFFSET), refs: [] });
    else {
      const tid = temporalIdOf(poc, gop);
      out.push({ poc, intra: false, temporalId: tid, layer: tid + shift, qp: bSliceQp(o.baseQp, tid, gop), refs: [] });
    }
  }
  for (const p of out) p.refs = temporalRefs(out, p);
  return out;
}

/**
 * The pictures B picture `p`'s temporal feature compares with: the nearest before and the nearest after it in
 * display order on a lower temporal layer (intra pictures are on layer 0); for a B picture on layer 0 only the
 * nearest earlier layer-0 picture. Empty for an intra picture.
 */
export function temporalRefs(pics: Pick<PlannedFrame, 'poc' | 'intra' | 'temporalId'>[], p: Pick<PlannedFrame, 'poc' | 'intra' | 'temporalId'>): number[] {
  if (p.intra) return [];
  const low = pics.filter((q) => (p.temporalId > 0 ? q.temporalId < p.temporalId : q.temporalId === 0 && q.poc < p.poc)).map((q) => q.poc);
  const before = low.filter((x) => x < p.poc), after = low.filter((x) => x > p.poc);
  const refs: number[] = [];
  if (before.length) refs.push(Math.max(...before));
  if (after.length) refs.push(Math.min(...after));
  return refs;
}

/** |y - mean(refs)| per sample in 10-bit units (mean of two rounded half up), as make_dataset.temporal_feature. */
export function temporalFeature(y: Uint16Array, refs: Uint16Array[]): Uint16Array {
  const out = new Uint16Array(y.length);
  if (refs.length === 0) return out;
  for (const r of refs) if (r.length !== y.length) throw new Error(`reference picture has ${r.length} samples, expected ${y.length}`);
  if (refs.length === 1) {
    const r = refs[0];
    for (let i = 0; i < y.length; i++) out[i] = Math.abs(y[i] - r[i]);
  } else {
    const [a, b] = refs;
    for (let i = 0; i < y.length; i++) out[i] = Math.abs(y[i] - ((a[i] + b[i] + 1) >> 1));
  }
  return out;
}
