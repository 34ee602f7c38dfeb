// A small SVG writer for rate-distortion plots (no dependencies): PSNR (dB) against rate (kbps, log axis).
export interface RdSeries { name: string; color: string; dashed?: boolean; points: { kbps: number; psnr: number }[] }

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
const f = (n: number) => (Math.round(n * 100) / 100).toString();

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 3, 5]) { const v = m * 10 ** e; if (v >= lo && v <= hi) out.push(v); }
  }
  return out.length >= 2 ? out : [lo, hi];
}

export function rdPlotSvg(series: RdSeries[], opts: { title?: string; width?: number; height?: number; yLabel?: string } = {}): string {
  const W = opts.width ?? 640, H = opts.height ?? 420;
  const m = { l: 64, r: 20, t: 40, b: 52 };
  const all = series.flatMap((s) => s.points).filter((p) => p.kbps > 0 && Number.isFinite(p.psnr));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${esc(opts.title ?? 'Rate-distortion')}</text>`,
  ];
  if (!all.length) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text></svg>`);
    return parts.join('\n');
  }
  let [x0, x1] = [Math.min(...all.map((p) => p.kbps)), Math.max(...all.map((p) => p.kbps))];
  let [y0, y1] = [Math.min(...all.map((p) => p.psnr)), Math.max(...all.map((p) => p.psnr))];
  x0 /= 1.15; x1 *= 1.15; y0 -= 0.5; y1 += 0.5;
  const lx0 = Math.log10(x0), lx1 = Math.log10(x1);
  const X = (k: number) => m.l + ((Math.log10(k) - lx0) / (lx1 - lx0)) * (W - m.l - m.r);
  const Y = (p: number) => H - m.b - ((p - y0) / (y1 - y0)) * (H - m.t - m.b);
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#444"/>`);
  for (const t of logTicks(x0, x1)) {
    parts.push(`<line x1="${f(X(t))}" y1="${m.t}" x2="${f(X(t))}" y2="${H - m.b}" stroke="#ddd"/>`,
      `<text x="${f(X(t))}" y="${H - m.b + 16}" text-anchor="middle">${t >= 1 ? t : t.toPrecision(1)}</text>`);
  }
  for (const t of niceTicks(y0, y1, 6)) {
    parts.push(`<line x1="${m.l}" y1="${f(Y(t))}" x2="${W - m.r}" y2="${f(Y(t))}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${f(Y(t) + 4)}" text-anchor="end">${t}</text>`);
  }
  parts.push(`<text x="${(W + m.l - m.r) / 2}" y="${H - 12}" text-anchor="middle">rate (kbps, log scale)</text>`,
    `<text transform="translate(16 ${(H + m.t - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel ?? 'PSNR YUV (6:1:1) dB')}</text>`);
  series.forEach((s, i) => {
    const pts = [...s.points].filter((p) => p.kbps > 0 && Number.isFinite(p.psnr)).sort((a, b) => a.kbps - b.kbps);
    if (pts.length > 1) {
      parts.push(`<polyline fill="none" stroke="${esc(s.color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map((p) => `${f(X(p.kbps))},${f(Y(p.psnr))}`).join(' ')}"/>`);
    }
    for (const p of pts) {
      parts.push(s.dashed
        ? `<rect x="${f(X(p.kbps) - 4)}" y="${f(Y(p.psnr) - 4)}" width="8" height="8" fill="${esc(s.color)}"><title>${esc(s.name)}: ${p.kbps.toFixed(2)} kbps, ${p.psnr.toFixed(4)} dB</title></rect>`
        : `<circle cx="${f(X(p.kbps))}" cy="${f(Y(p.psnr))}" r="4" fill="${esc(s.color)}"><title>${esc(s.name)}: ${p.kbps.toFixed(2)} kbps, ${p.psnr.toFixed(4)} dB</title></circle>`);
    }
    const ly = m.t + 16 + i * 18;
    parts.push(`<line x1="${m.l + 12}" y1="${ly}" x2="${m.l + 40}" y2="${ly}" stroke="${esc(s.color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${m.l + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
