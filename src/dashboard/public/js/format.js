// Formatting helpers shared by the views (pure).
export function fmtNum(value, digits = 2) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—';
}

export function fmtPercent(value, digits = 2) {
  return typeof value === 'number' && Number.isFinite(value) ? `${value > 0 ? '+' : ''}${value.toFixed(digits)} %` : '—';
}

export function fmtDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function fmtBytes(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString();
}

function toMs(t) {
  if (t === undefined || t === null) return NaN;
  return typeof t === 'number' ? t : new Date(t).getTime();
}

/** Elapsed seconds and a linear ETA from a job's timestamps and percent. */
export function jobTiming(job, now = Date.now()) {
  const start = toMs(job.startedAt);
  if (!Number.isFinite(start)) return { elapsed: undefined, eta: undefined };
  const end = Number.isFinite(toMs(job.finishedAt)) ? toMs(job.finishedAt) : now;
  const elapsed = Math.max(0, (end - start) / 1000);
  const pct = job.progress?.percent;
  let eta;
  if (job.state === 'active' && typeof pct === 'number' && pct > 0 && pct < 100) eta = (elapsed * (100 - pct)) / pct;
  return { elapsed, eta };
}

/** "ra · QP 22,27,32,37 · nnvvc medium · 8 frames" */
export function describeRequest(req = {}) {
  const parts = [req.kind === 'anchor' ? 'anchor' : undefined, req.config];
  if (Array.isArray(req.targetKbps) && req.targetKbps.length) parts.push(`${req.targetKbps.join(',')} kbps`);
  else parts.push(`QP ${(req.qps ?? [22, 27, 32, 37]).join(',')}`);
  const encoder = req.kind === 'anchor' ? 'vtm' : req.encoder ?? 'nnvvc';
  parts.push(encoder === 'nnvvc' && req.preset ? `nnvvc ${req.preset}` : encoder);
  if (req.frames) parts.push(`${req.frames} frames`);
  return parts.filter(Boolean).join(' · ');
}

/**
 * What tells two jobs on one sequence apart: encoder, preset (nnvvc-enc's default is medium) and whether the CNN
 * split hints were used (from the report; omitted while unknown). "nnvvc · preset fast · CNN hints on", "VTM-23.2".
 */
export function describeEncoder(req = {}, report) {
  if (req.kind === 'anchor' || req.encoder === 'vtm') return report?.encoder ?? 'VTM-23.2';
  const parts = ['nnvvc', `preset ${req.preset ?? 'medium'}`];
  const split = report?.splitPrediction;
  if (split) parts.push(split.model ? 'CNN hints on' : 'CNN hints off');
  return parts.join(' · ');
}

/** Job ids are short (j_ + 12 characters): shown whole, since any cut can make two ids look alike. */
export function shortId(id) {
  const s = String(id ?? '');
  return s.length <= 16 ? s : `${s.slice(0, 15)}…`;
}
