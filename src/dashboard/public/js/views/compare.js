// Side-by-side compare of two or more jobs: RD curves overlaid and a BD-rate table computed here with PCHIP.
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { bdRate } from '../bdrate.js';
import { describeEncoder, describeRequest, fmtNum, fmtPercent, shortId } from '../format.js';
import { PALETTE, rdPlotSvg, reportSeries } from '../rdplot.js';
import { bdRateOf } from './job.js';

function picker(jobs, chosen) {
  const done = jobs.filter((j) => j.state === 'completed');
  const form = h('form', { class: 'card', 'data-testid': 'compare-picker' },
    h('fieldset', { class: 'plain' }, h('legend', {}, 'Completed jobs to compare (the first chosen is the reference)'),
      done.length ? done.map((j) => h('label', { class: 'inline', style: 'display:flex' },
        h('input', { type: 'checkbox', name: 'job', value: j.id, checked: chosen.includes(j.id) }),
        `${shortId(j.id)} — ${describeRequest(j.request)}`)) : h('p', { class: 'muted' }, 'No completed jobs yet.')),
    h('button', { type: 'submit' }, 'Compare'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const ids = new FormData(form).getAll('job');
    // Keep the existing order for already-chosen jobs so the reference does not change unexpectedly.
    const ordered = [...chosen.filter((id) => ids.includes(id)), ...ids.filter((id) => !chosen.includes(id))];
    location.hash = `#/compare/${ordered.map(encodeURIComponent).join(',')}`;
  });
  return form;
}

export async function renderCompare(main, ids) {
  main.append(h('h1', {}, 'Compare jobs'));
  const { items: jobs = [] } = await api.listJobs({ limit: '100' }).catch(() => ({ items: [] }));
  const body = h('div');
  main.append(body, picker(jobs, ids));
  if (ids.length < 2) {
    body.append(h('p', { class: 'muted' }, 'Choose two or more completed jobs below (or tick them in the job list).'));
    return;
  }
  const loaded = await Promise.all(ids.map(async (id) => {
    const [job, report] = await Promise.all([api.getJob(id).catch(() => undefined), api.getReport(id).catch(() => undefined)]);
    return { id, job, report };
  }));
  const missing = loaded.filter((l) => !l.report);
  if (missing.length) body.append(h('p', { class: 'notice bad' }, `No report for: ${missing.map((l) => shortId(l.id)).join(', ')} (not completed?).`));
  const usable = loaded.filter((l) => l.report);
  if (usable.length < 2) return;

  const metricSel = h('select', { id: 'cmp-metric' }, h('option', { value: 'yuv' }, 'PSNR 6:1:1 (YUV)'), h('option', { value: 'y' }, 'PSNR Y'));
  const plot = h('div', { 'data-testid': 'compare-plot' });
  const table = h('div', { class: 'table-wrap' });
  // Jobs on one sequence often differ only in preset or hints: the label names both, and the whole job id.
  // What differs comes first, so a legend cut on a phone still tells the curves apart.
  const labelOf = (l) => `${describeEncoder(l.job?.request ?? l.report.request ?? {}, l.report)} · ${l.job?.request?.config ?? l.report.config ?? ''} · ${shortId(l.id)}`;

  const draw = () => {
    const metric = metricSel.value;
    const series = usable.map((l, i) => ({ label: labelOf(l), points: reportSeries(l.report, metric).ours, color: PALETTE[i % PALETTE.length] }));
    // The first job's anchor, if any, as a dashed reference.
    const anchor = reportSeries(usable[0].report, metric).anchor;
    if (anchor.length) series.push({ label: `anchor of ${shortId(usable[0].id)}`, points: anchor, color: '#555', dashed: true });
    plot.innerHTML = rdPlotSvg(series, { title: 'RD curves, overlaid', metric: metric === 'y' ? 'PSNR Y' : 'PSNR YUV 6:1:1' });
    const ref = usable[0];
    const refPts = reportSeries(ref.report, metric).ours;
    const rows = usable.map((l, i) => {
      const s = reportSeries(l.report, metric);
      let vsRef = '—';
      let vsAnchor = '—';
      if (i > 0) { try { vsRef = fmtPercent(bdRate(refPts, s.ours)); } catch (err) { vsRef = `n/a (${err.message})`; } }
      else vsRef = 'reference';
      const own = bdRateOf(l.report, metric);
      if (own.value !== undefined) vsAnchor = fmtPercent(own.value);
      else if (s.anchor.length || l.report.bd) vsAnchor = `n/a (${own.source})`;
      const enc = l.report.ratePoints?.reduce((a, r) => a + (r.encodeSeconds ?? 0), 0);
      return h('tr', { 'data-job-id': l.id },
        h('th', { scope: 'row', 'data-label': 'Job' }, h('span', { style: `color:${PALETTE[i % PALETTE.length]}` }, '■ '), h('a', { href: `#/jobs/${encodeURIComponent(l.id)}` }, shortId(l.id))),
        h('td', { 'data-label': 'Encoder', 'data-testid': 'cmp-encoder' }, describeEncoder(l.job?.request ?? l.report.request ?? {}, l.report)),
        h('td', { 'data-label': 'Configuration' }, describeRequest(l.job?.request ?? {})),
        h('td', { 'data-label': 'Points', class: 'num' }, String(s.ours.length)),
        h('td', { 'data-label': `BD-rate vs ${shortId(ref.id)}`, class: 'num', 'data-testid': 'bd-vs-ref' }, vsRef),
        h('td', { 'data-label': 'BD-rate vs own anchor', class: 'num' }, vsAnchor),
        h('td', { 'data-label': 'Total encode s', class: 'num' }, fmtNum(enc, 2)));
    });
    clear(table).append(h('table', { class: 'stack', 'data-testid': 'compare-table' },
      h('caption', { class: 'sr-only' }, 'BD-rate per job'),
      h('thead', {}, h('tr', {}, ['Job', 'Encoder', 'Configuration', 'Points', `BD-rate vs ${shortId(ref.id)} (reference)`, 'BD-rate vs own anchor', 'Total encode s'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows)));
  };
  metricSel.addEventListener('change', draw);
  draw();
  body.append(h('div', { class: 'card' }, h('div', { class: 'row' }, h('label', { for: 'cmp-metric' }, 'Quality metric'), metricSel), plot),
    h('div', { class: 'card' }, h('h2', { style: 'margin-top:0' }, 'BD-rate (PCHIP, computed in the browser; negative = fewer bits for the same quality)'), table));
}
