// Summary across jobs: the challenge ranks by the average BD-rate over sequences (arithmetic mean of the
// per-sequence BD-rates, as the JVET CTC sheet averages). One entry per sequence+config+encoder: the newest
// completed report that has a BD-rate.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Report } from './report.js';

export interface SummaryItem {
  sequence: { id?: string; name?: string; sha256?: string; width: number; height: number };
  config: string; encoder: string | null; jobId: string; frames: number; createdAt: string;
  bdRate: number; bdRateY: number | null; bdRateU: number | null; bdRateV: number | null; bdRateCubic: number | null;
  timeRatio: number | null; verdict: boolean | null;
}
export interface SummaryGroup {
  config: string; encoder: string | null; sequences: number;
  averageBdRate: number; averageBdRateY: number | null; averageBdRateU: number | null; averageBdRateV: number | null;
  averageTimeRatio: number | null; allPass: boolean | null;
}
export interface Summary { items: SummaryItem[]; groups: SummaryGroup[]; reportsRead: number; reportsWithoutBdRate: number }

export async function readReports(jobsDir: string): Promise<Report[]> {
  let names: string[];
  try { names = await readdir(jobsDir); } catch { return []; }
  const out: Report[] = [];
  for (const n of names) {
    try {
      const r = JSON.parse(await readFile(path.join(jobsDir, n, 'report.json'), 'utf8')) as Report;
      if (r && typeof r === 'object' && Array.isArray(r.ratePoints) && !r.failed) out.push(r);
    } catch { /* no report (yet) or unreadable: not part of the summary */ }
  }
  return out;
}

const mean = (xs: (number | null)[]): number | null => (xs.length && xs.every((x) => x !== null) ? (xs as number[]).reduce((s, x) => s + x, 0) / xs.length : null);

export function summarize(reports: Report[], filter: { config?: string; encoder?: string } = {}): Summary {
  const latest = new Map<string, Report>();
  let without = 0;
  for (const r of reports) {
    if (r.kind === 'anchor') continue;
    if (filter.config && r.config !== filter.config) continue;
    if (filter.encoder && r.encoder !== filter.encoder) continue;
    if (typeof r.bdRate !== 'number') { without++; continue; }
    const k = `${r.sequence.sha256 ?? r.sequence.id}|${r.config}|${r.encoder}`;
    const prev = latest.get(k);
    if (!prev || prev.createdAt < r.createdAt) latest.set(k, r);
  }
  const items: SummaryItem[] = [...latest.values()].map((r) => ({
    sequence: { id: r.sequence.id, name: r.sequence.name, sha256: r.sequence.sha256, width: r.sequence.width, height: r.sequence.height },
    config: r.config, encoder: r.encoder, jobId: r.jobId, frames: r.frames, createdAt: r.createdAt,
    bdRate: r.bdRate!, bdRateY: r.bd?.y.pchip ?? null, bdRateU: r.bd?.u.pchip ?? null, bdRateV: r.bd?.v.pchip ?? null,
    bdRateCubic: r.bd?.yuv.cubic ?? null, timeRatio: r.timeRatio?.ratio ?? null, verdict: r.verdict ?? null,
  })).sort((a, b) => `${a.config}${a.encoder}${a.sequence.name}`.localeCompare(`${b.config}${b.encoder}${b.sequence.name}`));
  const groups = new Map<string, SummaryItem[]>();
  for (const it of items) { const k = `${it.config}|${it.encoder}`; groups.set(k, [...(groups.get(k) ?? []), it]); }
  return {
    items, reportsRead: reports.length, reportsWithoutBdRate: without,
    groups: [...groups.values()].map((g) => ({
      config: g[0].config, encoder: g[0].encoder, sequences: g.length,
      averageBdRate: mean(g.map((x) => x.bdRate))!, averageBdRateY: mean(g.map((x) => x.bdRateY)),
      averageBdRateU: mean(g.map((x) => x.bdRateU)), averageBdRateV: mean(g.map((x) => x.bdRateV)),
      averageTimeRatio: mean(g.map((x) => x.timeRatio)),
      allPass: g.some((x) => x.verdict === false) ? false : g.some((x) => x.verdict === null) ? null : true,
    })),
  };
}
