// #/challenges[/:id]: challenge runs; one run's rules and points, pass/fail.
import { api } from '../api.js';
import { h } from '../dom.js';
import { fmtNum as n, fmtPercent as bd } from '../format.js';
import { stateBadge } from './jobs.js';

const ok = (v) => h('span', { class: v ? 'pass' : v === false ? 'fail' : 'na' }, v ? 'pass' : v === false ? 'FAIL' : 'n/a');
const pct = (r) => (r == null ? '—' : `${(r * 100).toFixed(1)} %`);
const table = (heads, rows) => h('table', { class: 'stack' }, h('thead', {}, h('tr', {}, heads.map((t) => h('th', {}, t)))),
  rows.map((r) => (r instanceof Node ? r : h('tr', {}, r.map((v, i) => h('td', { 'data-label': heads[i] }, v))))));

// redraw every 3 s while unfinished
async function poll(main, title, load, draw) {
  const body = h('div', { class: 'table-wrap' });
  main.append(h('h1', {}, title), body);
  let timer, live = true;
  const tick = async () => {
    const d = await load();
    if (!live) return;
    body.replaceChildren(draw(d));
    if (/"state":"(waiting|active)"/.test(JSON.stringify(d))) timer = setTimeout(tick, 3000);
  };
  await tick();
  return () => { live = false; clearTimeout(timer); };
}

const list = (main) => poll(main, 'Challenge runs', api.listChallenges, ({ items }) => table(
  ['Challenge', 'State', 'Sequences done', 'Avg BD-rate', 'Worst rate ratio', 'Worst T1/T2', 'All rules'], items.map((c) => [
    h('a', { href: `#/challenges/${c.id}` }, c.id), stateBadge(c.state), `${c.completedSequences}/${c.sequences.length}`,
    bd(c.averageBdRate), pct(c.worstRateRatio), n(c.worstTimeRatio, 3), ok(c.allPass)])));

export const renderChallenges = (main, id) => (!id ? list(main) : poll(main, `Challenge ${id}`, () => api.getChallenge(id), (c) => {
  const m = c.summary;
  return h('div', {}, h('p', {}, stateBadge(c.state), ` average BD-rate ${bd(m.averageBdRate)} · all rules `, ok(m.allPass),
    ' · ', h('a', { href: c.links.table }, 'CSV'), c.state === 'completed' ? [' · ', h('a', { href: c.links.archive }, 'archive (.tar)')] : ''),
  h('ul', {}, m.rules.map((r) => h('li', {}, ok(r.pass), ` ${r.description}: ${r.detail}`))),
  table(['Sequence', 'QP', 'Anchor kbps', 'kbps', 'Rate ratio', 'T1 s', 'T2 s', 'T1/T2', 'PSNR YUV', 'VTM MD5', 'Point'], c.sequences.flatMap((s) => [
    ...s.points.map((p) => [h('a', { href: `#/jobs/${s.jobId}` }, s.name), p.anchorQp, n(p.anchorKbps), n(p.kbps), [pct(p.rateRatio), ' ', ok(p.rateInWindow)],
      n(p.t1), n(p.t2), [n(p.timeRatio, 3), ' ', ok(p.timePass)], n(p.psnr?.yuv, 3), ok(p.vtmDecodeMd5), ok(p.pass)]),
    h('tr', {}, h('td', { colspan: 11 }, `${s.name}: job ${s.jobState} ${s.error ?? ''} · BD-rate ${bd(s.bdRate)} ${s.bdRateNote ?? ''} ${s.t2Note ?? ''} `, ok(s.pass)))])));
}));
