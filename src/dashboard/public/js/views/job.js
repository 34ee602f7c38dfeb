// Job detail: live state/progress, per-rate-point results table, RD curve vs the anchor, decoded frame with the
// CU partition drawn over it and the CNN's predicted partition beside it, log tail and artifact downloads.
import { api, ApiError, fetchRange } from '../api.js';
import { announce, clear, h } from '../dom.js';
import { bdRate } from '../bdrate.js';
import { describeRequest, fmtBytes, fmtDuration, fmtNum, fmtPercent, fmtTime, jobTiming, shortId } from '../format.js';
import { isTerminal, watchJob } from '../live.js';
import { rdPlotSvg, reportSeries } from '../rdplot.js';
import { frameBytes } from '../validate.js';
import { cusForFrame, lumaRange, lumaToRgba, statsNameFor } from '../yuv.js';
import { hintsForFrame, hintsNameFor } from '../hints.js';
import { progressCell, stateBadge } from './jobs.js';

const passText = (v) => (v === true ? h('span', { class: 'pass' }, 'pass') : v === false ? h('span', { class: 'fail' }, 'FAIL') : h('span', { class: 'na' }, 'n/a'));

/**
 * BD-rate against the anchor for 'yuv' or 'y': report.bd[metric].pchip (the report's own figure, computed over the whole anchor
 * table), else report.bdRate (YUV headline), else computed here from the per-point anchor values.
 */
export function bdRateOf(report, metric) {
  const fig = report?.bd?.[metric];
  if (fig && typeof fig.pchip === 'number') return { value: fig.pchip, source: 'report, PCHIP', cubic: fig.cubic };
  if (metric === 'yuv' && typeof report?.bdRate === 'number') return { value: report.bdRate, source: 'report' };
  if (fig?.error) return { value: undefined, source: fig.error };
  const { ours, anchor } = reportSeries(report, metric);
  try { return { value: bdRate(anchor, ours), source: 'computed here, PCHIP' }; } catch (err) { return { value: undefined, source: err.message }; }
}

function ratePointLabel(rp, i) {
  if (rp.label) return rp.label;
  if (rp.qp !== undefined) return `QP ${rp.qp}`;
  if (rp.targetKbps !== undefined) return `${rp.targetKbps} kbps`;
  return `#${i + 1}`;
}

function verification(rp) {
  const decs = Array.isArray(rp.decoders) ? rp.decoders : [];
  const ok = rp.decodeOk !== false && rp.md5Ok !== false && decs.every((d) => d.ok !== false);
  const known = rp.decodeOk !== undefined || rp.md5Ok !== undefined || decs.length > 0;
  const detail = [
    rp.decodeOk !== undefined ? `decode ${rp.decodeOk ? 'ok' : 'failed'}` : null,
    rp.md5Ok !== undefined ? `MD5 ${rp.md5Ok ? 'ok' : 'mismatch'}` : null,
    ...decs.map((d) => `${d.name}: ${d.ok ? 'ok' : 'failed'}`),
  ].filter(Boolean).join(', ');
  return [passText(known ? ok : null), detail ? h('div', { class: 'hint' }, detail) : null];
}

export function ratePointTable(report) {
  const head = ['Point', 'Target kbps', 'kbps', 'Anchor kbps', 'Rate ratio', 'PSNR Y', 'PSNR U', 'PSNR V', 'PSNR 6:1:1',
    'Anchor 6:1:1', 'Encode T1 (s)', 'Anchor T2 (s)', 'T1/T2', 'Verification'];
  const numeric = new Set(head.slice(1, 13));
  const cellRows = (report.ratePoints ?? []).map((rp, i) => {
    const ratio = rp.rateRatio ?? (rp.anchor?.kbps ? rp.kbps / rp.anchor.kbps : undefined);
    const t = rp.anchor?.encodeSeconds ? rp.encodeSeconds / rp.anchor.encodeSeconds : undefined;
    const yuv = rp.psnr?.yuv ?? (rp.psnr ? (6 * rp.psnr.y + rp.psnr.u + rp.psnr.v) / 8 : undefined);
    return [ratePointLabel(rp, i), fmtNum(rp.targetKbps, 1), fmtNum(rp.kbps, 2), fmtNum(rp.anchor?.kbps, 2), fmtNum(ratio, 3),
      fmtNum(rp.psnr?.y), fmtNum(rp.psnr?.u), fmtNum(rp.psnr?.v), fmtNum(yuv), fmtNum(rp.anchor?.psnr?.yuv),
      fmtNum(rp.encodeSeconds, 2), fmtNum(rp.anchor?.encodeSeconds, 2), fmtNum(t, 3), verification(rp)];
  });
  // Columns with no value in any row (no targets, no anchor yet) are left out, and named below the table.
  const keep = head.map((_, j) => j === 0 || j === head.length - 1 || cellRows.some((r) => r[j] !== '—'));
  const dropped = head.filter((_, j) => !keep[j]);
  const rows = cellRows.map((cells) => h('tr', {}, cells.map((c, j) => (keep[j]
    ? h(j === 0 ? 'th' : 'td', { 'data-label': head[j], class: numeric.has(head[j]) ? 'num' : undefined, scope: j === 0 ? 'row' : undefined }, c)
    : null))));
  return h('div', {}, h('div', { class: 'table-wrap' }, h('table', { class: 'stack', 'data-testid': 'ratepoint-table' },
    h('caption', { class: 'sr-only' }, 'Results per rate point'),
    h('thead', {}, h('tr', {}, head.map((t, j) => (keep[j] ? h('th', { scope: 'col', class: numeric.has(t) ? 'num' : undefined }, t) : null)))),
    h('tbody', {}, rows))),
  dropped.length ? h('p', { class: 'hint' }, `Columns left out (no values in this report): ${dropped.join(', ')}.`) : null);
}

function rdSection(report, title) {
  const plotBox = h('div', { 'data-testid': 'rd-plot' });
  const bdBox = h('p', { 'data-testid': 'bd-rate' });
  const select = h('select', { id: 'rd-metric' }, h('option', { value: 'yuv' }, 'PSNR 6:1:1 (YUV)'), h('option', { value: 'y' }, 'PSNR Y'));
  const draw = () => {
    const metric = select.value;
    const { ours, anchor } = reportSeries(report, metric);
    const series = [{ label: `ours (${report.encoder ?? 'nnvvc'})`, points: ours }];
    if (anchor.length) series.push({ label: 'anchor (VTM)', points: anchor, dashed: true });
    plotBox.innerHTML = rdPlotSvg(series, { title, metric: metric === 'y' ? 'PSNR Y' : 'PSNR YUV 6:1:1' });
    const bd = bdRateOf(report, metric);
    const label = metric === 'y' ? 'Y' : 'YUV 6:1:1';
    bdBox.textContent = anchor.length || report.bd
      ? `BD-rate vs anchor (${label}): ${fmtPercent(bd.value)}${bd.value === undefined ? ` — ${bd.source}` : ` (${bd.source}${typeof bd.cubic === 'number' ? `; cubic fit ${fmtPercent(bd.cubic)}` : ''})`}`
      : 'No anchor for this sequence/configuration yet, so no BD-rate (run an anchor job to get one).';
  };
  select.addEventListener('change', draw);
  draw();
  return h('section', { 'aria-labelledby': 'rd-h' }, h('h2', { id: 'rd-h' }, 'Rate–distortion'),
    h('div', { class: 'row' }, h('label', { for: 'rd-metric' }, 'Quality metric'), select), bdBox, plotBox);
}

function rulesSection(report) {
  const rules = report.rules ?? [];
  const tr = report.timeRatio;
  const ratio = typeof tr === 'number' ? tr : tr?.ratio;
  const verdict = report.verdict;
  return h('section', { 'aria-labelledby': 'rules-h' }, h('h2', { id: 'rules-h' }, 'Checks'),
    verdict !== undefined ? h('p', { 'data-testid': 'verdict' }, 'Overall: ', passText(verdict),
      verdict === null ? h('span', { class: 'muted' }, ' (some required rules could not be judged)') : null) : null,
    report.anchor ? h('p', { class: 'muted' }, `Anchor: ${report.anchor.encoder ?? ''} ${report.anchor.key ?? ''} (${report.anchor.source ?? ''})`) : null,
    ratio !== undefined ? h('p', {}, `Encode time ratio T1/T2 (ours / anchor): ${fmtNum(ratio, 3)}`,
      tr?.t1 !== undefined ? ` — T1 ${fmtNum(tr.t1, 2)} s, T2 ${fmtNum(tr.t2, 2)} s${tr.sameMachine === false ? ', anchor timed on a different machine' : ''}` : '') : null,
    Array.isArray(report.stages) && report.stages.length
      ? h('p', { class: 'muted' }, `Stage times: ${report.stages.map((s) => `${s.stage} ${fmtNum(s.seconds, 2)} s`).join(' · ')}`) : null,
    rules.length
      ? h('ul', { 'data-testid': 'rules' }, rules.map((r) => h('li', {}, passText(r.pass), ' ', h('strong', {}, r.id ?? ''), ' ', r.description ?? '',
        r.detail ? h('span', { class: 'muted' }, ` — ${typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail)}`) : null)))
      : h('p', { class: 'muted' }, 'The report lists no rules.'));
}

/** CU outline colours by CU area in luma samples, largest first (the overlay and its legend use the same). */
export const CU_CLASSES = [
  { minArea: 1024, color: 'rgba(0,200,255,.9)', name: 'blue', label: '1024 samples or more (32×32 and larger)' },
  { minArea: 128, color: 'rgba(255,220,0,.9)', name: 'yellow', label: '128–1023 samples (16×8 to 32×16)' },
  { minArea: 0, color: 'rgba(255,60,60,.9)', name: 'red', label: 'under 128 samples (8×8, 4×16 and smaller)' },
];
const cuClass = (cu) => CU_CLASSES.find((c) => cu.w * cu.h >= c.minArea);

function partitionLegend() {
  return h('ul', { class: 'legend', 'data-testid': 'partition-legend', 'aria-label': 'CU partition colours' },
    CU_CLASSES.map((c) => h('li', {}, h('span', { class: 'swatch', style: `border-color:${c.color}`, 'aria-hidden': 'true' }), `${c.name}: ${c.label}`)));
}

/** QT depth 0..4 -> RGB (Okabe-Ito). */
export const QT_COLORS = ['0,114,178', '86,180,233', '0,158,115', '240,228,66', '213,94,0'];

/** CNN prediction over the luma at the encoder view's scale: cells shaded by QT depth, QT leaves outlined. */
function drawHints(canvas, luma, f, scale) {
  canvas.width = luma.width * scale;
  canvas.height = luma.height * scale;
  const ctx = canvas.getContext('2d'), g = f.grid * scale, leaves = new Map();
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(luma, 0, 0, canvas.width, canvas.height);
  let cells = 0;
  f.qt.forEach((p, k) => {
    if (p < 0) return;
    const r = Math.floor(k / f.cols), c = k % f.cols, s = 128 >> p;
    cells++;
    ctx.fillStyle = `rgba(${QT_COLORS[p]},.5)`;
    ctx.fillRect(c * g, r * g, g, g);
    leaves.set(`${Math.floor((c * f.grid) / s) * s},${Math.floor((r * f.grid) / s) * s},${s}`, QT_COLORS[p]);
  });
  for (const [k, rgb] of leaves) {
    const [x, y, s] = k.split(',');
    ctx.strokeStyle = `rgb(${rgb})`;
    ctx.strokeRect(x * scale + 0.5, y * scale + 0.5, s * scale - 1, s * scale - 1);
  }
  canvas.dataset.cells = cells;
  return cells;
}

/** Decoded frame with the encoder's CU partition over it and the CNN's predicted one (split hints) beside it. */
function frameSection(jobId, artifacts, seq, report) {
  const names = artifacts.map((a) => a.name);
  const yuvs = artifacts.filter((a) => /\.yuv$/i.test(a.name) && /dec|rec/i.test(a.name));
  const box = h('section', { 'aria-labelledby': 'frame-h', 'data-testid': 'frame-section' }, h('h2', { id: 'frame-h' }, 'Decoded frame: encoder’s CU partition and CNN prediction'));
  if (!yuvs.length) { box.append(h('p', { class: 'muted' }, 'No decoded YUV among the artifacts yet.')); return box; }
  if (!seq) { box.append(h('p', { class: 'muted' }, 'Sequence metadata unavailable, so the frame size is unknown.')); return box; }
  const { width, height } = seq;
  const pick = h('select', { id: 'frame-yuv' }, yuvs.map((a) => h('option', { value: a.name }, a.name)));
  const frameNo = h('input', { id: 'frame-no', type: 'number', min: '0', value: '0', step: '1', style: 'max-width:7rem' });
  const overlay = h('input', { id: 'frame-overlay', type: 'checkbox', checked: true });
  const canvas = h('canvas', { 'data-testid': 'frame-canvas', role: 'img', 'aria-label': 'Decoded luma frame' });
  const caption = h('figcaption', { 'aria-live': 'polite', 'data-testid': 'frame-caption' });
  const legend = partitionLegend();
  const show = h('button', { type: 'button' }, 'Show frame');
  const cnnCanvas = h('canvas', { 'data-testid': 'cnn-canvas', role: 'img', 'aria-label': 'CNN-predicted partition', hidden: true });
  const cnnNone = h('div', { class: 'placeholder', 'data-testid': 'cnn-placeholder', hidden: true });
  const cnnCaption = h('figcaption', { 'aria-live': 'polite', 'data-testid': 'cnn-caption' });
  const cnnLegend = h('ul', { class: 'legend', 'data-testid': 'cnn-legend', 'aria-label': 'Predicted QT depth colours', hidden: true },
    QT_COLORS.map((rgb, d) => h('li', {}, h('span', { class: 'swatch', style: `border-color:rgb(${rgb});background:rgba(${rgb},.5)` }), `QT depth ${d}: ${128 >> d}×${128 >> d}`)));
  let stats;
  let statsFor;
  let hints;
  let hintsFor;
  const drawCnn = async (luma, n, yuv, scale) => {
    const name = hintsNameFor(yuv, names, report), sp = report?.splitPrediction, other = Object.keys(sp?.hints ?? {});
    cnnCanvas.hidden = cnnLegend.hidden = true;
    cnnNone.hidden = !!name;
    cnnCaption.textContent = '';
    if (!name) {
      cnnNone.textContent = other.length ? `No CNN prediction for ${yuv} (only for ${other.join(', ')}).`
        : `No CNN prediction for this job${sp?.note ? `: ${sp.note}` : report ? '' : ' (no report yet)'}.`;
      return;
    }
    let note;
    try {
      if (hintsFor !== name) {
        const res = await fetch(api.artifactUrl(jobId, name));
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        hints = await res.text();
        hintsFor = name;
      }
      const f = hintsForFrame(hints, n);
      note = !f ? `${name} has no frame ${n}.` : `CNN prediction from ${name}, frame ${n}: ${drawHints(cnnCanvas, luma, f, scale)} cells `
        + `(${f.cols}×${f.rows} grid of ${f.grid}×${f.grid}) shaded by predicted QT depth, QT leaves outlined${f.aggressiveness === undefined ? '' : `; hints aggressiveness ${f.aggressiveness}`}${f.thresholds ? `; the most likely QT depth of each cell, node thresholds ${f.thresholds.join('/')}` : ''}.`;
      cnnCanvas.hidden = cnnLegend.hidden = !f;
    } catch (err) {
      note = `Could not draw the CNN prediction from ${name}: ${err.message}`;
    }
    cnnCaption.textContent = note;
    cnnCanvas.setAttribute('aria-label', note);
  };
  const draw = async () => {
    const art = yuvs.find((a) => a.name === pick.value);
    // Decoded output is 10-bit LE per the contract; fall back to 8-bit if the file size says so.
    const bitDepth = art.bytes % frameBytes(width, height, 10) === 0 ? 10 : art.bytes % frameBytes(width, height, 8) === 0 ? 8 : 10;
    const total = Math.floor(art.bytes / frameBytes(width, height, bitDepth));
    frameNo.max = String(Math.max(0, total - 1));
    const n = Number(frameNo.value);
    if (!Number.isInteger(n) || n < 0 || n >= total) { caption.textContent = `Frame must be 0–${total - 1}.`; return; }
    caption.textContent = 'Loading…';
    try {
      const { start, length } = lumaRange(width, height, bitDepth, n);
      const buf = await fetchRange(api.artifactUrl(jobId, art.name), start, length, { cacheFull: true });
      const scale = Math.max(1, Math.min(4, Math.floor(640 / width)));
      canvas.width = width * scale;
      canvas.height = height * scale;
      const ctx = canvas.getContext('2d');
      const img = new ImageData(lumaToRgba(buf, width, height, bitDepth), width, height);
      const tmp = document.createElement('canvas');
      tmp.width = width; tmp.height = height;
      tmp.getContext('2d').putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(tmp, 0, 0, width * scale, height * scale);
      let note = `${art.name}, frame ${n} of ${total}, ${width}x${height} ${bitDepth}-bit luma.`;
      let drawn = false;
      const statsName = statsNameFor(art.name, names);
      if (!overlay.checked) note += ' Partition overlay off.';
      else if (!statsName) note += ' No encoder stats (*.stats.json) for this output, so no CU partition to draw.';
      else {
        if (statsFor !== statsName) {
          stats = await (await fetch(api.artifactUrl(jobId, statsName))).json().catch(() => undefined);
          statsFor = statsName;
        }
        const cus = cusForFrame(stats, n);
        if (!cus) note += ` ${statsName} has no CU list for frame ${n}.`;
        else {
          ctx.lineWidth = 1;
          for (const cu of cus) {
            ctx.strokeStyle = cuClass(cu).color;
            ctx.strokeRect(cu.x * scale + 0.5, cu.y * scale + 0.5, cu.w * scale - 1, cu.h * scale - 1);
          }
          note += ` ${cus.length} CUs from ${statsName}, outlined by size (legend below).`;
          drawn = true;
        }
      }
      caption.textContent = note;
      legend.hidden = !drawn;
      canvas.setAttribute('aria-label', note);
      await drawCnn(tmp, n, art.name, scale);
    } catch (err) {
      caption.textContent = `Could not load the frame: ${err.message}`;
    }
  };
  show.addEventListener('click', draw);
  pick.addEventListener('change', draw);
  overlay.addEventListener('change', draw);
  frameNo.addEventListener('keydown', (e) => { if (e.key === 'Enter') draw(); });
  box.append(
    h('div', { class: 'row' },
      h('span', {}, h('label', { for: 'frame-yuv' }, 'Decoded output'), pick),
      h('span', {}, h('label', { for: 'frame-no' }, 'Frame'), frameNo),
      h('label', { class: 'inline', for: 'frame-overlay' }, overlay, 'Draw CU partition'),
      show),
    h('div', { class: 'frames', style: 'margin-top:.75rem' },
      h('figure', {}, canvas, caption, legend),
      h('figure', {}, cnnCanvas, cnnNone, cnnCaption, cnnLegend)));
  queueMicrotask(draw);
  return box;
}

// Encoder logs first: they are what one usually wants to read.
const logOrder = (a, b) => Number(!/encode/.test(a.name)) - Number(!/encode/.test(b.name)) || a.name.localeCompare(b.name);

/** Log tail; refresh() re-lists the logs (a running job adds them as it goes) and reloads the chosen one. */
function logSection(jobId, artifacts) {
  const box = h('section', { 'aria-labelledby': 'log-h' }, h('h2', { id: 'log-h' }, 'Log tail'));
  const pick = h('select', { id: 'log-pick' });
  const pre = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Log tail', 'data-testid': 'log-tail' }, 'No log files yet.');
  const setOptions = (list) => {
    const logs = list.filter((a) => /\.log$/i.test(a.name)).sort(logOrder);
    const keep = pick.value;
    clear(pick).append(...logs.map((a) => h('option', { value: a.name, selected: a.name === keep }, a.name)));
    return logs.length;
  };
  const load = async () => {
    if (!pick.value) return;
    try {
      const buf = await fetchRange(api.artifactUrl(jobId, pick.value), -32768);
      const lines = new TextDecoder().decode(buf).split('\n');
      pre.textContent = lines.slice(-200).join('\n') || '(empty)';
      pre.scrollTop = pre.scrollHeight;
    } catch (err) {
      pre.textContent = `Could not load ${pick.value}: ${err.message}`;
    }
  };
  const refresh = async () => {
    const list = await api.listArtifacts(jobId).then((r) => r.items ?? []).catch(() => undefined);
    if (list) setOptions(list);
    await load();
  };
  pick.addEventListener('change', load);
  setOptions(artifacts);
  box.append(h('div', { class: 'row' }, h('label', { for: 'log-pick' }, 'Log file'), pick,
    h('button', { type: 'button', class: 'secondary', onclick: refresh }, 'Refresh')), pre);
  load();
  return { box, refresh };
}

function artifactSection(jobId, artifacts) {
  return h('section', { 'aria-labelledby': 'art-h' }, h('h2', { id: 'art-h' }, 'Artifacts'),
    artifacts.length
      ? h('ul', { class: 'artifacts', 'data-testid': 'artifacts' }, artifacts.map((a) => h('li', {},
        h('a', { href: api.artifactUrl(jobId, a.name), download: a.name }, a.name), h('span', { class: 'muted' }, ` ${fmtBytes(a.bytes)}`))))
      : h('p', { class: 'muted' }, 'No artifacts yet.'));
}

export async function renderJob(main, id) {
  let job;
  try { job = await api.getJob(id); } catch (err) {
    main.append(h('h1', {}, `Job ${shortId(id)}`), h('p', { class: 'notice bad', role: 'alert' },
      err instanceof ApiError && err.status === 404 ? 'No such job.' : `Could not load the job: ${err.message}`));
    return undefined;
  }
  const seq = await api.getSequence(job.request?.sequenceId).catch(() => undefined) ?? job.sequence;
  const headState = h('span', { 'data-testid': 'job-state' });
  // Not aria-live itself (it changes every frame); milestones are announced through the shared live region.
  const progress = h('div', { 'data-testid': 'job-progress' });
  const liveMode = h('p', { class: 'hint', 'data-testid': 'live-mode' });
  const facts = h('dl', { class: 'kv' });
  const results = h('div', { 'data-testid': 'results' });
  const cancel = h('button', { type: 'button', class: 'danger', onclick: async () => {
    cancel.disabled = true;
    try { await api.cancelJob(id); announce('Job cancelled'); } catch (err) { announce(`Cancel failed: ${err.message}`); cancel.disabled = false; }
  } }, 'Cancel job');
  main.append(
    h('div', { class: 'row' }, h('h1', {}, `Job ${shortId(id)}`), headState, h('span', { class: 'spacer' }), cancel,
      h('a', { class: 'button secondary', href: `#/compare/${encodeURIComponent(id)}` }, 'Compare with…')),
    h('div', { class: 'grid2' }, h('div', { class: 'card' }, progress, liveMode), h('div', { class: 'card' }, facts)),
    results);

  let lastState;
  let logRefresh = () => {};
  let logTimer;
  const renderHead = (j) => {
    clear(headState).append(stateBadge(j.state));
    clear(progress).append(h('strong', {}, 'Progress'), ' ', progressCell(j));
    const t = jobTiming(j);
    const rows = [['Job id', j.id], ['Sequence', seq ? `${seq.name ?? seq.id} (${seq.width}x${seq.height}, ${seq.bitDepth}-bit, ${seq.fps} fps)` : j.request?.sequenceId],
      ['Configuration', describeRequest(j.request)], ['Created', fmtTime(j.createdAt)], ['Started', fmtTime(j.startedAt)],
      ['Finished', fmtTime(j.finishedAt)], ['Elapsed', fmtDuration(t.elapsed)], ['ETA', fmtDuration(t.eta)], ['Attempts', j.attempts ?? '—']];
    if (j.error) rows.push(['Error', typeof j.error === 'string' ? j.error : j.error.message ?? JSON.stringify(j.error)]);
    clear(facts).append(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v ?? '—'))]));
    cancel.hidden = isTerminal(j.state);
  };

  const renderResults = async (j) => {
    const [report, artifacts] = await Promise.all([
      // The report exists only once the job has completed; asking earlier would just 404.
      j.state === 'completed' ? api.getReport(id).catch(() => undefined) : undefined,
      api.listArtifacts(id).then((r) => r.items ?? []).catch(() => []),
    ]);
    clear(results);
    if (report) {
      results.append(h('section', { class: 'card', 'aria-labelledby': 'rp-h' }, h('h2', { id: 'rp-h', style: 'margin-top:0' }, 'Results per rate point'), ratePointTable(report)),
        h('div', { class: 'card' }, rdSection(report, `RD curve — job ${shortId(id)}`)), h('div', { class: 'card' }, rulesSection(report)));
    } else {
      results.append(h('p', { class: 'notice', 'data-testid': 'no-report' }, isTerminal(j.state)
        ? `No report for this job (${j.state}).` : 'Results appear here when the job completes.'));
    }
    const log = logSection(id, artifacts);
    logRefresh = log.refresh;
    results.append(h('div', { class: 'card' }, frameSection(id, artifacts, seq, report)), h('div', { class: 'card' }, log.box),
      h('div', { class: 'card' }, artifactSection(id, artifacts)));
  };

  renderHead(job);
  await renderResults(job);
  lastState = job.state;
  let lastStep = Math.floor((job.progress?.percent ?? 0) / 25);
  const stop = watchJob(job, async (j) => {
    renderHead(j);
    const step = Math.floor((j.progress?.percent ?? 0) / 25);
    if (j.state === 'active' && step !== lastStep && step < 4) announce(`${Math.round(j.progress.percent)} % done, stage ${j.progress.stage}`);
    lastStep = step;
    if (j.state !== lastState) {
      lastState = j.state;
      announce(`Job ${j.state}`);
      if (isTerminal(j.state)) { clearInterval(logTimer); liveMode.textContent = ''; await renderResults(j); }
    }
  }, {
    onMode: (mode) => {
      liveMode.dataset.mode = mode;
      liveMode.textContent = mode === 'stream' ? 'Live updates: event stream.' : 'Live updates: polling every 2 s (event stream unavailable).';
    },
  });
  // The log tail follows an active job; artifacts list itself is re-read on completion.
  if (!isTerminal(job.state)) logTimer = setInterval(() => logRefresh(), 3000);
  return () => { stop(); clearInterval(logTimer); };
}
