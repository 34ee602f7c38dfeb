// Job list: state, progress bar, sequence, configuration, elapsed/ETA; live via SSE (polling fallback).
import { api } from '../api.js';
import { announce, clear, h } from '../dom.js';
import { describeRequest, fmtDuration, fmtTime, jobTiming, shortId } from '../format.js';
import { isTerminal, watchJob } from '../live.js';

export function progressCell(job) {
  const p = job.progress ?? {};
  const pct = isTerminal(job.state) && job.state === 'completed' ? 100 : Math.max(0, Math.min(100, Number(p.percent) || 0));
  const parts = [];
  if (p.stage) parts.push(p.stage);
  if (job.state === 'completed' || p.stage === 'done') return progressParts(job, pct, ['done']);
  // Encode: which point and how many of its frames (pointFramesDone counts per rate point); verify and measure
  // go through the points again, counted by stagePointsDone.
  if (p.stage === 'encode') {
    if (p.ratePointsTotal) parts.push(`point ${Math.min((p.ratePoint ?? 0) + 1, p.ratePointsTotal)}/${p.ratePointsTotal}`);
    if (p.framesPerPoint) parts.push(`frame ${p.pointFramesDone ?? 0}/${p.framesPerPoint}`);
  } else if ((p.stage === 'verify' || p.stage === 'measure') && p.ratePointsTotal) {
    parts.push(`${p.stagePointsDone ?? 0}/${p.ratePointsTotal} points`);
  }
  return progressParts(job, pct, parts);
}

function progressParts(job, pct, parts) {
  const text = [...parts, `${pct.toFixed(0)} %`].join(' · ');
  return h('div', { class: 'progress-cell' },
    h('progress', { max: '100', value: String(pct), 'aria-label': `Job ${shortId(job.id)} progress`, 'aria-valuetext': text }),
    h('div', { class: 'progress-text', 'data-testid': 'progress-text' }, text));
}

export function stateBadge(state) {
  return h('span', { class: `state ${state}` }, state ?? 'unknown');
}

export async function renderJobs(main) {
  const selected = new Set();
  const watchers = new Map();
  const rows = new Map();
  let sequences = new Map();
  let pollTimer;
  let stopped = false;

  const compareBtn = h('button', { type: 'button', class: 'secondary', disabled: true, onclick: () => {
    location.hash = `#/compare/${[...selected].map(encodeURIComponent).join(',')}`;
  } }, 'Compare selected');
  const status = h('p', { class: 'muted', 'data-testid': 'jobs-status' }, 'Loading jobs…');
  const tbody = h('tbody');
  const table = h('table', { class: 'stack', 'data-testid': 'jobs-table' },
    h('caption', { class: 'sr-only' }, 'Encoding jobs, newest first'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select for compare')),
      ['Job', 'State', 'Progress', 'Sequence', 'Configuration', 'Created', 'Elapsed', 'ETA', ''].map((t) => h('th', { scope: 'col' }, t)))),
    tbody);
  main.append(
    h('div', { class: 'row' }, h('h1', {}, 'Jobs'), h('span', { class: 'spacer' }),
      h('a', { class: 'button', href: '#/new' }, 'Start job'), h('a', { class: 'button secondary', href: '#/upload' }, 'Upload sequence'), compareBtn),
    status,
    h('div', { class: 'table-wrap' }, table),
  );

  const updateCompare = () => {
    compareBtn.disabled = selected.size < 2;
    compareBtn.textContent = `Compare selected (${selected.size})`;
  };
  updateCompare();

  const seqName = (job) => {
    const meta = sequences.get(job.request?.sequenceId) ?? job.sequence;
    return meta ? `${meta.name ?? meta.id} (${meta.width}x${meta.height}, ${meta.bitDepth}-bit)` : job.request?.sequenceId ?? '—';
  };

  function rowFor(job) {
    const timing = jobTiming(job);
    const check = h('input', { type: 'checkbox', checked: selected.has(job.id), 'aria-label': `Select job ${shortId(job.id)} for compare`,
      onchange: (e) => { if (e.target.checked) selected.add(job.id); else selected.delete(job.id); updateCompare(); } });
    const cancel = !isTerminal(job.state)
      ? h('button', { type: 'button', class: 'danger', 'aria-label': `Cancel job ${shortId(job.id)}`, onclick: async (e) => {
        e.target.disabled = true;
        try { await api.cancelJob(job.id); announce(`Job ${shortId(job.id)} cancelled`); } catch (err) { announce(`Cancel failed: ${err.message}`); }
        refreshList();
      } }, 'Cancel')
      : null;
    return h('tr', { 'data-job-id': job.id, 'data-state': job.state },
      h('td', { 'data-label': 'Compare' }, check),
      h('td', { 'data-label': 'Job' }, h('a', { href: `#/jobs/${encodeURIComponent(job.id)}` }, shortId(job.id))),
      h('td', { 'data-label': 'State' }, stateBadge(job.state), job.error ? h('div', { class: 'error' }, String(job.error?.message ?? job.error)) : null),
      h('td', { 'data-label': 'Progress' }, progressCell(job)),
      h('td', { 'data-label': 'Sequence' }, seqName(job)),
      h('td', { 'data-label': 'Config' }, describeRequest(job.request)),
      h('td', { 'data-label': 'Created' }, fmtTime(job.createdAt)),
      h('td', { 'data-label': 'Elapsed', class: 'num' }, fmtDuration(timing.elapsed)),
      h('td', { 'data-label': 'ETA', class: 'num' }, fmtDuration(timing.eta)),
      h('td', { 'data-label': 'Actions' }, cancel));
  }

  const lastAnnounced = new Map();
  // Rows are patched in place (not rebuilt) so keyboard focus on a checkbox or button survives live updates.
  function patch(row, job) {
    const fresh = rowFor(job);
    row.dataset.state = job.state;
    for (const label of ['State', 'Progress', 'Elapsed', 'ETA']) {
      const cell = row.querySelector(`td[data-label="${label}"]`);
      cell.replaceWith(fresh.querySelector(`td[data-label="${label}"]`));
    }
    const actions = row.querySelector('td[data-label="Actions"]');
    if (isTerminal(job.state) && actions.firstChild) actions.replaceWith(fresh.querySelector('td[data-label="Actions"]'));
  }

  function update(job, { prepend = false } = {}) {
    const row = rows.get(job.id);
    if (row) patch(row, job);
    else {
      const created = rowFor(job);
      rows.set(job.id, created);
      if (prepend) tbody.prepend(created); else tbody.append(created);
    }
    // Announce state changes and every 25 % step, not every frame, to keep screen readers usable.
    const step = `${job.state}:${Math.floor((job.progress?.percent ?? 0) / 25)}`;
    if (lastAnnounced.has(job.id) && lastAnnounced.get(job.id) !== step) {
      announce(`Job ${shortId(job.id)} ${job.state}${job.state === 'active' ? `, ${Math.round(job.progress?.percent ?? 0)} %` : ''}`);
    }
    lastAnnounced.set(job.id, step);
  }

  let firstLoad = true;
  async function refreshList() {
    try {
      const [jobs, seqs] = await Promise.all([api.listJobs(), api.listSequences().catch(() => ({ items: [] }))]);
      if (stopped) return;
      sequences = new Map((seqs.items ?? []).map((s) => [s.id, s]));
      const items = [...(jobs.items ?? [])].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
      const ids = new Set(items.map((j) => j.id));
      for (const [id, row] of rows) if (!ids.has(id)) { row.remove(); rows.delete(id); }
      // Oldest first so that prepending leaves the newest on top.
      for (const job of firstLoad ? items : [...items].reverse()) {
        // The stream is fresher than the list for jobs being watched.
        if (!watchers.has(job.id) || isTerminal(job.state)) update(job, { prepend: !firstLoad });
        if (!isTerminal(job.state) && !watchers.has(job.id)) {
          watchers.set(job.id, watchJob(job, (j) => update(j)));
        }
      }
      firstLoad = false;
      for (const [id, stop] of watchers) {
        if (!items.some((j) => j.id === id && !isTerminal(j.state))) { stop(); watchers.delete(id); }
      }
      status.textContent = items.length ? `${items.length} job(s). Updated ${new Date().toLocaleTimeString()}.` : 'No jobs yet. Upload a sequence, then start a job.';
    } catch (err) {
      status.textContent = `Could not load jobs: ${err.message}`;
    }
  }

  await refreshList();
  // New jobs and the elapsed column are refreshed by a slow poll; progress itself comes from the streams.
  const loop = async () => { await refreshList(); if (!stopped) pollTimer = setTimeout(loop, 5000); };
  pollTimer = setTimeout(loop, 5000);
  return () => {
    stopped = true;
    clearTimeout(pollTimer);
    for (const stop of watchers.values()) stop();
  };
}
