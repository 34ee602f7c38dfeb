// CNN split hints (qp22.hints.txt; codec/README.md "Split hints") -> predicted QT depth per cell.

/** QT depth from a cell's range lo-hi: undoes split-predictor.ts cellToken's widening. */
export function predictedQt(lo, hi, a) {
  if (lo === 0 && hi > 4) return null;
  if (lo === hi || a === 2) return Math.min(lo, 4);
  return hi - lo === 2 ? lo + 1 : lo === 0 ? 0 : hi > 3 ? 4 : lo;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Version 2 cell token 'p' + 7 base64url digits (P(QT depth > 0..3), P(MTT depth > 0..2) in 63ths; 2 more with the
 * split directions; then optionally 'c' + 7 for the chroma tree) -> the most likely (luma) QT depth (the differences of
 * the cumulative tails), or null for another token. */
export function probableQt(token) {
  if (!/^p[A-Za-z0-9_-]{7}(?:[A-Za-z0-9_-]{2})?(?:c[A-Za-z0-9_-]{7})?$/.test(token)) return null;
  const tail = [63, ...[...token.slice(1, 5)].map((c) => B64.indexOf(c)), 0];
  let best = 0;
  for (let d = 1; d <= 4; d++) if (tail[d] - tail[d + 1] > tail[best] - tail[best + 1]) best = d;
  return best;
}

/** Frame n (undefined if absent); qt: Int8Array, -1 = unconstrained. Versions 1 (ranges) and 2 (probabilities). */
export function hintsForFrame(text, n) {
  const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim());
  const version = lines[0] === 'nnvvc-split-hints 1' ? 1 : lines[0] === 'nnvvc-split-hints 2' ? 2 : 0;
  if (!version) throw new Error('not a split-hints file');
  const a = /aggressiveness (\d)/.exec(text)?.[1], head = {};
  let i = 1;
  for (; i < lines.length && !lines[i].startsWith('frame '); i++) { const [k, ...v] = lines[i].split(/\s+/); head[k] = v.map(Number); }
  const [width, height] = head.picture ?? [], grid = head.grid?.[0] ?? 8;
  if (!(width > 0 && height > 0)) throw new Error('no picture size');
  const cols = Math.ceil(width / grid), rows = Math.ceil(height / grid), at = lines.indexOf(`frame ${n}`, i);
  if (at < 0) return undefined;
  const qt = new Int8Array(cols * rows).fill(-1);
  for (let r = 0, l = at + 1; r < rows; l++) {
    if (l >= lines.length || lines[l].startsWith('frame ')) throw new Error(`frame ${n} has ${r} of ${rows} rows`);
    if (!lines[l]) continue;
    lines[l].split(/\s+/).slice(0, cols).forEach((t, c) => {
      if (version === 2) { qt[r * cols + c] = probableQt(t) ?? -1; return; }
      const m = /^(\d)(?:-(\d))?/.exec(t);
      qt[r * cols + c] = (m && predictedQt(+m[1], +(m[2] ?? m[1]), a && +a)) ?? -1;
    });
    r++;
  }
  if (version === 2) return { width, height, grid, cols, rows, thresholds: head.threshold, qt };
  return { width, height, grid, cols, rows, aggressiveness: a && +a, qt };
}

/** qp22.dec.yuv -> qp22.hints.txt; rp0.dec.yuv -> its QP's (report). */
export function hintsNameFor(yuvName, names, report) {
  const base = yuvName.split('.')[0], qp = report?.ratePoints?.find((p) => p.label === base)?.qp;
  return [`${base}.hints.txt`, report?.splitPrediction?.hints?.[`qp${qp}`], `qp${qp}.hints.txt`].find((w) => names.includes(w));
}
