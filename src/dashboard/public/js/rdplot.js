// Rate-distortion plot as an inline SVG string (pure; the browser inserts it, the unit tests parse it).
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

export const PALETTE = ['#0b61a4', '#c0392b', '#1e8449', '#8e44ad', '#b9770e', '#17202a'];

function niceTicks(min, max, count = 5) {
  if (!(max > min)) { max = min + 1; min -= 1; }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toFixed(10));
  return { ticks, step };
}

/**
 * series: [{label, points: [{kbps, psnr}], color?, dashed?}]. Returns an accessible <svg> (role=img with
 * <title>/<desc>) with axes, a legend and a <title> tooltip per point.
 */
export function rdPlotSvg(series, { title = 'RD curve', metric = 'PSNR', width = 640, height = 400 } = {}) {
  // Phones: a smaller canvas keeps the 12px labels readable once the SVG is scaled to the screen.
  if (typeof window !== 'undefined' && width === 640 && window.innerWidth < 600) { width = 360; height = 300; }
  const drawn = series.filter((s) => s.points.length > 0);
  const all = drawn.flatMap((s) => s.points).filter((p) => Number.isFinite(p.kbps) && Number.isFinite(p.psnr));
  // Legend rows sit in the top margin: 3 short labels per row on wide plots, else one label per row (labels are
  // cut only where even a whole row is too short, ~6.5 px per 12 px character).
  const perRow = width >= 500 && drawn.every((s) => s.label.length <= 26) ? 3 : 1;
  const maxChars = perRow === 3 ? 26 : Math.floor((width - 56 - 16 - 28) / 6.5);
  const legendRows = Math.max(1, Math.ceil(series.filter((s) => s.points.length > 0).length / perRow));
  const m = { left: 56, right: 16, top: 20 + legendRows * 16, bottom: 48 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const id = `rd${Math.random().toString(36).slice(2, 8)}`;
  const desc = drawn.map((s) => `${s.label}: ${s.points.map((p) => `${p.kbps.toFixed(1)} kbps ${p.psnr.toFixed(2)} dB`).join('; ')}`).join('. ');
  let out = `<svg class="rd-plot" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}t ${id}d" xmlns="http://www.w3.org/2000/svg">`;
  out += `<title id="${id}t">${esc(title)}</title><desc id="${id}d">${esc(desc || 'no data')}</desc>`;
  out += `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`;
  if (all.length === 0) {
    out += `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="14">No rate points yet</text></svg>`;
    return out;
  }
  const kb = all.map((p) => p.kbps);
  const ps = all.map((p) => p.psnr);
  const xr = niceTicks(Math.min(...kb) * 0.95, Math.max(...kb) * 1.05);
  const yr = niceTicks(Math.min(...ps) - 0.3, Math.max(...ps) + 0.3);
  const x0 = Math.min(xr.ticks[0], Math.min(...kb));
  const x1 = Math.max(xr.ticks[xr.ticks.length - 1], Math.max(...kb));
  const y0 = Math.min(yr.ticks[0], Math.min(...ps));
  const y1 = Math.max(yr.ticks[yr.ticks.length - 1], Math.max(...ps));
  const sx = (v) => m.left + ((v - x0) / (x1 - x0 || 1)) * pw;
  const sy = (v) => m.top + ph - ((v - y0) / (y1 - y0 || 1)) * ph;
  out += `<g class="grid" stroke="#ddd" stroke-width="1">`;
  for (const t of xr.ticks) out += `<line x1="${sx(t).toFixed(1)}" y1="${m.top}" x2="${sx(t).toFixed(1)}" y2="${m.top + ph}"/>`;
  for (const t of yr.ticks) out += `<line x1="${m.left}" y1="${sy(t).toFixed(1)}" x2="${m.left + pw}" y2="${sy(t).toFixed(1)}"/>`;
  out += `</g><g font-size="12" fill="#222">`;
  for (const t of xr.ticks) out += `<text x="${sx(t).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${esc(+t.toPrecision(6))}</text>`;
  for (const t of yr.ticks) out += `<text x="${m.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${esc(t.toFixed(1))}</text>`;
  out += `<text x="${m.left + pw / 2}" y="${height - 8}" text-anchor="middle">bitrate (kbps)</text>`;
  out += `<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(metric)} (dB)</text>`;
  out += `</g><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`;
  drawn.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const pts = [...s.points].sort((a, b) => a.kbps - b.kbps);
    out += `<g class="series" data-label="${esc(s.label)}">`;
    out += `<polyline fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map((p) => `${sx(p.kbps).toFixed(1)},${sy(p.psnr).toFixed(1)}`).join(' ')}"/>`;
    for (const p of pts) {
      out += `<circle cx="${sx(p.kbps).toFixed(1)}" cy="${sy(p.psnr).toFixed(1)}" r="4" fill="${s.dashed ? '#fff' : color}" stroke="${color}" stroke-width="2"><title>${esc(`${s.label}: ${p.kbps.toFixed(1)} kbps, ${p.psnr.toFixed(2)} dB`)}</title></circle>`;
    }
    out += `</g>`;
  });
  // Legend in the top margin, wrapping by index.
  out += `<g class="legend" font-size="12">`;
  drawn.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const lx = m.left + (i % perRow) * 190;
    const ly = 12 + Math.floor(i / perRow) * 16;
    out += `<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`;
    out += `<text x="${lx + 28}" y="${ly + 4}">${esc(s.label.length > maxChars ? `${s.label.slice(0, maxChars - 1)}…` : s.label)}</text>`;
  });
  out += `</g></svg>`;
  return out;
}

/** Rate points of a report.json as RD series inputs: {ours, anchor} with psnr = metric ('yuv' | 'y'). */
export function reportSeries(report, metric = 'yuv') {
  const rps = report?.ratePoints ?? [];
  const pick = (psnr) => (psnr ? (metric === 'y' ? psnr.y : psnr.yuv ?? (6 * psnr.y + psnr.u + psnr.v) / 8) : undefined);
  const ours = rps.filter((r) => r.kbps > 0 && r.psnr).map((r) => ({ kbps: r.kbps, psnr: pick(r.psnr) }));
  const anchor = rps.filter((r) => r.anchor?.kbps > 0 && r.anchor?.psnr).map((r) => ({ kbps: r.anchor.kbps, psnr: pick(r.anchor.psnr) }));
  return { ours, anchor };
}
