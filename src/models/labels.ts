// Per-8x8-cell targets from an encoder CU list (nnvvc-enc --stats "cus": [x, y, w, h, mode]); the same
// derivation as models/train.py: the QT leaf holding a w x h CU is taken as the smallest square that fits it,
// S = max(w, h): QT depth = log2(128 / S) (0..4), MTT depth = log2(S / min(w, h)) (0..3); a cell covered by
// several CUs (CUs smaller than 8x8) takes the deepest.
import { CTU, GRID, MTT_CLASSES, QT_CLASSES } from './split-predictor.js';

export function cellTargets(cus: number[][], width: number, height: number): { cols: number; rows: number; qt: Int8Array; mtt: Int8Array } {
  const cols = Math.ceil(width / GRID), rows = Math.ceil(height / GRID);
  const qt = new Int8Array(cols * rows).fill(-1), mtt = new Int8Array(cols * rows).fill(-1);
  for (const [x, y, w, h] of cus) {
    const s = Math.max(w, h, GRID);
    const q = Math.min(Math.max(Math.round(Math.log2(CTU / s)), 0), QT_CLASSES - 1);
    const m = Math.min(Math.max(Math.round(Math.log2(Math.max(w, h) / Math.min(w, h))), 0), MTT_CLASSES - 1);
    const r0 = Math.floor(y / GRID), r1 = Math.max(r0 + 1, Math.floor((y + h) / GRID));
    const c0 = Math.floor(x / GRID), c1 = Math.max(c0 + 1, Math.floor((x + w) / GRID));
    for (let r = r0; r < Math.min(r1, rows); r++) for (let c = c0; c < Math.min(c1, cols); c++) {
      const k = r * cols + c;
      qt[k] = Math.max(qt[k], q); mtt[k] = Math.max(mtt[k], m);
    }
  }
  return { cols, rows, qt, mtt };
}

export interface Accuracy { cells: number; qtExact: number; qtWithin1: number; mttExact: number; mttWithin1: number }

/** Accumulates prediction-vs-target counts over frames. */
export class AccuracyCounter {
  private n = 0; private qe = 0; private q1 = 0; private me = 0; private m1 = 0;
  add(pred: { qt: Uint8Array; mtt: Uint8Array }, target: { qt: Int8Array; mtt: Int8Array }): void {
    for (let k = 0; k < target.qt.length; k++) {
      if (target.qt[k] < 0) continue;
      this.n++;
      const dq = Math.abs(pred.qt[k] - target.qt[k]), dm = Math.abs(pred.mtt[k] - target.mtt[k]);
      if (dq === 0) this.qe++; if (dq <= 1) this.q1++; if (dm === 0) this.me++; if (dm <= 1) this.m1++;
    }
  }
  result(): Accuracy {
    const d = Math.max(1, this.n);
    return { cells: this.n, qtExact: this.qe / d, qtWithin1: this.q1 / d, mttExact: this.me / d, mttWithin1: this.m1 / d };
  }
}
