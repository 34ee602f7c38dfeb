// CNN split hints (qp22.hints.txt; codec/README.md "Split hints") -> predicted QT depth per cell.

/** QT depth from a cell's range lo-hi: undoes split-predictor.ts cellToken's widening. */
export function predictedQt(lo, hi, a) {
  if (lo === 0 && hi > 4) return null;
  if (lo === hi || a === 2) return Math.min(lo, 4);
  return hi - lo === 2 ? lo + 1 : lo === 0 ? 0 : hi > 3 ? 4 : lo;
}

/** Frame n (undefined if absent); qt: Int8Array, -1 = unconstrained. */
export function hintsForFrame(text, n) {
  const lines = text.split('\n').map((l) => l.replace(/#.*/, '').trim());
  if (lines[0] !== 'nnvvc-split-hints 1') throw new Error('not a split-hints file');
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
      const m = /^(\d)(?:-(\d))?/.exec(t);
      qt[r * cols + c] = (m && predictedQt(+m[1], +(m[2] ?? m[1]), a && +a)) ?? -1;
    });
    r++;
  }
  return { width, height, grid, cols, rows, aggressiveness: a && +a, qt };
}

/** qp22.dec.yuv -> qp22.hints.txt; rp0.dec.yuv -> its QP's (report). */
export function hintsNameFor(yuvName, names, report) {
  const base = yuvName.split('.')[0], qp = report?.ratePoints?.find((p) => p.label === base)?.qp;
  return [`${base}.hints.txt`, report?.splitPrediction?.hints?.[`qp${qp}`], `qp${qp}.hints.txt`].find((w) => names.includes(w));
}
