// Per-8x8-cell targets from an encoder CU list (nnvvc-enc --stats "cus"): with the exact depths the encoder
// records ([x, y, w, h, mode, qt_depth, mtt_depth, pred], cu_format) the cell takes them, as models/train.py's
// default `--labels exact`; a short entry ([x, y, w, h, mode], older stats) falls back to the rectangle rule:
// the QT leaf holding a w x h CU is the smallest square that fits it, S = max(w, h): QT depth = log2(128 / S)
// (0..4), MTT depth = log2(S / min(w, h)) (0..3). A cell covered by several CUs (< 8x8) takes the deepest.
import { CTU, GRID, MTT_CLASSES, QT_CLASSES } from './split-predictor.js';

export function cellTargets(cus: number[][], width: number, height: number): { cols: number; rows: number; qt: Int8Array; mtt: Int8Array } {
  const cols = Math.ceil(width / GRID), rows = Math.ceil(height / GRID);
  const qt = new Int8Array(cols * rows).fill(-1), mtt = new Int8Array(cols * rows).fill(-1);
  for (const cu of cus) {
    const [x, y, w, h] = cu;
    const exact = cu.length >= 7 && Number.isInteger(cu[5]) && Number.isInteger(cu[6]);
    const s = Math.max(w, h, GRID);
    const q = Math.min(Math.max(exact ? cu[5] : Math.round(Math.log2(CTU / s)), 0), QT_CLASSES - 1);
    const m = Math.min(Math.max(exact ? cu[6] : Math.round(Math.log2(Math.max(w, h) / Math.min(w, h))), 0), MTT_CLASSES - 1);
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

/** Slack of an oracle hint: the QT range is the target depth +- qt, the MTT maximum the target depth + mtt. */
export interface OracleSlack { qt: 0 | 1; mtt: 0 | 1 }

export function describeOracle(o: OracleSlack): string {
  return `oracle: the full search's own partition, QT ${o.qt ? '+-1' : 'exact'}, MTT max ${o.mtt ? 'depth + 1' : 'exact'}`;
}

/**
 * A split-hints file (codec/README.md, "Split hints") made from the encoder's own choice, frame by frame (input
 * order): what a perfect predictor of the same depths would write. Encoding with it bounds what hints of that
 * form can save, and what they cost, on this search (the search's other decisions depend on what it tried).
 */
export function oracleHints(frames: { frame: number; cus: number[][] }[], width: number, height: number, slack: OracleSlack): string {
  const cols = Math.ceil(width / GRID), rows = Math.ceil(height / GRID);
  const byFrame = new Map(frames.map((f) => [f.frame, f]));
  const n = Math.max(...frames.map((f) => f.frame)) + 1;
  const out = [`nnvvc-split-hints 1`, `picture ${width} ${height}`, `ctu ${CTU}`, `grid ${GRID}`, `frames ${n}`];
  for (let i = 0; i < n; i++) {
    out.push(`frame ${i}`);
    const f = byFrame.get(i);
    if (!f) { for (let r = 0; r < rows; r++) out.push(Array(cols).fill('*').join(' ')); continue; }
    const t = cellTargets(f.cus, width, height);
    for (let r = 0; r < rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < cols; c++) {
        const q = t.qt[r * cols + c], m = t.mtt[r * cols + c];
        if (q < 0) { row.push('*'); continue; }
        const qs = slack.qt ? `${Math.max(q - 1, 0)}-${Math.min(q + 1, QT_CLASSES)}` : String(q);
        row.push(`${qs}:${m + slack.mtt}`);
      }
      out.push(row.join(' '));
    }
  }
  return out.join('\n') + '\n';
}
