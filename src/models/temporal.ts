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

/** The top temporal layer of a dyadic GOP of `gopSize` pictures (an odd POC's, referenced by none): 5 for GOP 32, 4
 * for GOP 16. */
export const topTemporalLayer = (gopSize: number): number => temporalIdOf(1, gopSize);

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

// Motion-compensated temporal feature (models v3), sample for sample the rule of models/make_dataset.py
// mc_temporal_feature: per 16x16 block of the picture (edge-replicated to a multiple of 16) a block-matching search
// against each reference -- full search of +-MC_RANGE_Q quarter-resolution samples on rounded 4x4 means, then
// +-MC_REFINE full-resolution samples around it -- with the cost SAD + MC_LAMBDA * (|mvx| + |mvy|) (full-resolution
// units, the coarse SAD scaled by 16; ties to the first position in raster order of (dy, dx); coordinates clamped
// into the picture); the block's prediction is the bi average ((P0 + P1 + 1) >> 1, tried first) or a single
// reference, whichever has the lower SAD; the feature is |y - prediction|. What the model then sees is what motion
// does not explain.
export const MC_BLOCK = 16;
export const MC_RANGE_Q = 8;
export const MC_REFINE = 2;
export const MC_LAMBDA = 4;
const MC_MARGIN = 4 * MC_RANGE_Q + MC_REFINE;  // the largest full-resolution displacement

interface Padded { p: Int32Array; w: number; h: number }

function pad16(src: Uint16Array, w: number, h: number): Padded {
  const pw = Math.ceil(w / MC_BLOCK) * MC_BLOCK, ph = Math.ceil(h / MC_BLOCK) * MC_BLOCK;
  const p = new Int32Array(pw * ph);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(y, h - 1) * w, row = y * pw;
    p.set(src.subarray(sy, sy + w), row);
    p.fill(src[sy + w - 1], row + w, row + pw);
  }
  return { p, w: pw, h: ph };
}

function quarter(a: Padded): Padded {
  const w = a.w >> 2, h = a.h >> 2, q = new Int32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    let s = 0;
    for (let j = 0; j < 4; j++) { const r = (4 * y + j) * a.w + 4 * x; s += a.p[r] + a.p[r + 1] + a.p[r + 2] + a.p[r + 3]; }
    q[y * w + x] = (s + 8) >> 4;
  }
  return { p: q, w, h };
}

/** `a` edge-replicated by `m` samples on every side: indices then need no clamping for displacements up to m. */
function margin(a: Padded, m: number): Padded {
  const w = a.w + 2 * m, h = a.h + 2 * m, p = new Int32Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max(y - m, 0), a.h - 1) * a.w, row = y * w;
    p.fill(a.p[sy], row, row + m);
    p.set(a.p.subarray(sy, sy + a.w), row + m);
    p.fill(a.p[sy + a.w - 1], row + m + a.w, row + w);
  }
  return { p, w, h };
}

/** Full-resolution motion vectors (x, y interleaved per block, raster order) of every 16x16 block of `cur` in `ref`
 * (`refM`: `ref` with MC_MARGIN samples of margin). */
function mcSearch(cur: Padded, ref: Padded, refM: Padded): Int32Array {
  const bw = cur.w / MC_BLOCK, bh = cur.h / MC_BLOCK;
  const cq = quarter(cur), rq = margin(quarter(ref), MC_RANGE_Q);
  const mv = new Int32Array(2 * bw * bh);
  const cb = new Int32Array(16);
  const side = 2 * MC_RANGE_Q + 1, zero = MC_RANGE_Q * side + MC_RANGE_Q;
  const rside = 2 * MC_REFINE + 1, centre = MC_REFINE * rside + MC_REFINE;
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
    for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) cb[4 * j + i] = cq.p[(4 * by + j) * cq.w + 4 * bx + i];
    // The result is the first position in raster order with the least cost; the zero vector (then the refinement's
    // centre) is costed first so that the partial sums of the others can stop once they exceed it (ties are then
    // settled by the raster index).
    let best = Infinity, bestIdx = zero, bdx = 0, bdy = 0;
    for (let k = -1; k < side * side; k++) {
      if (k === zero) continue;
      const idx = k < 0 ? zero : k;
      const dy = Math.floor(idx / side) - MC_RANGE_Q, dx = (idx % side) - MC_RANGE_Q;
      let cost = MC_LAMBDA * 4 * (Math.abs(dx) + Math.abs(dy));
      let r = (4 * by + dy + MC_RANGE_Q) * rq.w + 4 * bx + dx + MC_RANGE_Q;
      for (let j = 0; j < 16 && cost <= best; j += 4, r += rq.w) {
        cost += 16 * (Math.abs(cb[j] - rq.p[r]) + Math.abs(cb[j + 1] - rq.p[r + 1]) +
          Math.abs(cb[j + 2] - rq.p[r + 2]) + Math.abs(cb[j + 3] - rq.p[r + 3]));
      }
      if (cost < best || (cost === best && idx < bestIdx)) { best = cost; bestIdx = idx; bdx = dx; bdy = dy; }
    }
    const cx = 4 * bdx, cy = 4 * bdy;
    best = Infinity;
    bestIdx = centre;
    let mx = cx, my = cy;
    const c0 = by * MC_BLOCK * cur.w + bx * MC_BLOCK;
    for (let k = -1; k < rside * rside; k++) {
      if (k === centre) continue;
      const idx = k < 0 ? centre : k;
      const x = cx + (idx % rside) - MC_REFINE, y = cy + Math.floor(idx / rside) - MC_REFINE;
      let cost = MC_LAMBDA * (Math.abs(x) + Math.abs(y));
      let c = c0, r = (by * MC_BLOCK + y + MC_MARGIN) * refM.w + bx * MC_BLOCK + x + MC_MARGIN;
      for (let j = 0; j < MC_BLOCK && cost <= best; j++, c += cur.w, r += refM.w) {
        for (let i = 0; i < MC_BLOCK; i++) cost += Math.abs(cur.p[c + i] - refM.p[r + i]);
      }
      if (cost < best || (cost === best && idx < bestIdx)) { best = cost; bestIdx = idx; mx = x; my = y; }
    }
    mv[2 * (by * bw + bx)] = mx;
    mv[2 * (by * bw + bx) + 1] = my;
  }
  return mv;
}

/** |y - motion-compensated prediction from refs| in 10-bit units (one or two references), as make_dataset.py. */
export function mcTemporalFeature(y: Uint16Array, refs: Uint16Array[], width: number, height: number): Uint16Array {
  const out = new Uint16Array(y.length);
  if (refs.length === 0) return out;
  if (y.length !== width * height) throw new Error(`picture has ${y.length} samples, expected ${width}x${height}`);
  for (const r of refs) if (r.length !== y.length) throw new Error(`reference picture has ${r.length} samples, expected ${y.length}`);
  const cur = pad16(y, width, height);
  const { w, h } = cur, bw = w / MC_BLOCK, bh = h / MC_BLOCK;
  // each reference's prediction of the padded picture
  const preds = refs.map((r) => {
    const ref = pad16(r, width, height), refM = margin(ref, MC_MARGIN), mv = mcSearch(cur, ref, refM);
    const pred = new Int32Array(w * h);
    for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
      const mx = mv[2 * (by * bw + bx)], my = mv[2 * (by * bw + bx) + 1];
      for (let j = 0; j < MC_BLOCK; j++) {
        const yy = by * MC_BLOCK + j, rr = (yy + my + MC_MARGIN) * refM.w + bx * MC_BLOCK + mx + MC_MARGIN;
        pred.set(refM.p.subarray(rr, rr + MC_BLOCK), yy * w + bx * MC_BLOCK);
      }
    }
    return pred;
  });
  let cands = preds;
  if (preds.length === 2) {
    const [p0, p1] = preds, bi = new Int32Array(p0.length);
    for (let i = 0; i < bi.length; i++) bi[i] = (p0[i] + p1[i] + 1) >> 1;
    cands = [bi, p0, p1];
  }
  for (let by = 0; by < bh; by++) for (let bx = 0; bx < bw; bx++) {
    let best = Infinity, pick = cands[0];
    for (const c of cands) {
      let s = 0;
      for (let j = 0; j < MC_BLOCK; j++) {
        const r = (by * MC_BLOCK + j) * w + bx * MC_BLOCK;
        for (let i = 0; i < MC_BLOCK; i++) s += Math.abs(cur.p[r + i] - c[r + i]);
      }
      if (s < best) { best = s; pick = c; }
    }
    for (let j = 0; j < MC_BLOCK; j++) {
      const yy = by * MC_BLOCK + j;
      if (yy >= height) break;
      for (let i = 0; i < MC_BLOCK; i++) {
        const xx = bx * MC_BLOCK + i;
        if (xx >= width) break;
        out[yy * width + xx] = Math.abs(cur.p[yy * w + xx] - pick[yy * w + xx]);
      }
    }
  }
  return out;
}
