// The challenge run (POST /v1/challenges): per sequence one rate-matched job aimed at the four VTM-23.2 anchor rates
// (QP 22/27/32/37), judged by the challenge's rules. Everything here is read from the jobs' report.json files and
// the anchor tables the challenge recorded; no encode is repeated.
//   rate window   each point's rate within 90-110% of its anchor point's rate
//   time ratio    T1 (our encode seconds for the kept encode of the point) <= 0.70 x T2 (the anchor's, same point)
//   decode MD5    VTM-23.2 DecoderApp decodes each bitstream with matching MD5 (null: VTM_DECODER_APP not set)
//   BD-rate       per sequence from the report (PCHIP, PSNR (6Y+U+V)/8); averaged over sequences
// A value that cannot be judged is null and a note says why; pass values are true / false / null (not judged).
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CHALLENGE_ID_RE, challengeFile, challengesDir } from '../config/layout.js';
import { ANCHOR_QPS, type AnchorPoint, type AnchorTable } from './anchors.js';
import { sameMachine, type MachineInfo } from './machine.js';
import type { Report, ReportRatePoint } from './report.js';
import { inWindow, MAX_TIME_RATIO, RATE_WINDOW } from './rules.js';

export type Tri = boolean | null;

/** The anchor a challenge sequence is judged against, copied from the AnchorStore when the challenge was created. */
export interface ChallengeAnchor {
  key: string; source: AnchorTable['source']; encoder: string; createdAt: string; jobId?: string;
  machine?: Partial<MachineInfo>; frames: number; intraPeriod?: number;
  /** The four points at QP 22/27/32/37, in that order. */
  points: AnchorPoint[];
}

export interface ChallengeSequence {
  sequenceId: string; name: string; sha256: string; width: number; height: number; fps: number; bitDepth: number;
  frames: number; jobId: string; anchor: ChallengeAnchor;
}

/** DATA_DIR/challenges/<id>.json */
export interface ChallengeRecord {
  id: string; createdAt: string; config: 'ra' | 'ai'; preset?: string; frames?: number;
  sequences: ChallengeSequence[];
}

export type ChallengeJobState = 'waiting' | 'active' | 'completed' | 'failed' | 'cancelled' | 'missing';
export type ChallengeState = 'waiting' | 'active' | 'completed' | 'failed';

/** What the API knows of one sequence's job: its state and, once completed, its report.json. */
export interface ChallengeJobInput { state: ChallengeJobState; error?: string; report?: Report | null }

export interface ChallengePoint {
  anchorQp: number; anchorKbps: number; anchorPsnrYuv: number;
  /** Our rate point (rp0..rp3) and the QP the rate search kept; null until the job has a report. */
  label: string | null; qp: number | null; kbps: number | null;
  rateRatio: number | null; rateInWindow: Tri; rateMatched: Tri;
  t1: number | null; t2: number | null; timeRatio: number | null; timePass: Tri;
  psnr: { y: number; u: number; v: number; yuv: number } | null;
  /** VTM-23.2 DecoderApp decoded the bitstream with matching MD5; null when it did not run (VTM_DECODER_APP unset). */
  vtmDecodeMd5: Tri;
  pass: Tri;
  notes: string[];
}

export interface ChallengeSequenceView {
  sequenceId: string; name: string; width: number; height: number; frames: number; jobId: string;
  jobState: ChallengeJobState; error?: string;
  anchorKey: string; anchorSource: string;
  /** Was the anchor measured on the machine that ran our job? null: the anchor records no machine. */
  anchorSameMachine: Tri;
  /** Why T2 may not be comparable (no time in the anchor, another or an unknown machine); null when it is. */
  t2Note: string | null;
  bdRate: number | null; bdRateNote?: string;
  points: ChallengePoint[];
  pass: Tri;
}

export interface ChallengeRule { id: string; description: string; pass: Tri; detail: string }

export interface ChallengeSummary {
  sequences: number; completedSequences: number;
  averageBdRate: number | null;
  /** The rate ratio farthest from 1 (in log terms) over every point, and where. */
  worstRateRatio: number | null; worstRateRatioAt: string | null;
  worstTimeRatio: number | null; worstTimeRatioAt: string | null;
  rules: ChallengeRule[];
  allPass: Tri;
}

export interface ChallengeView {
  id: string; createdAt: string; config: string; preset: string | null; frames: number | null;
  state: ChallengeState; sequences: ChallengeSequenceView[]; summary: ChallengeSummary;
  links: { self: string; table: string; archive: string };
}

/** All true: true; any false: false; else (some unknown, or nothing to judge) null. */
export function and3(values: Tri[]): Tri {
  if (values.some((v) => v === false)) return false;
  if (!values.length || values.some((v) => v === null)) return null;
  return true;
}

export function challengeState(jobs: ChallengeJobState[]): ChallengeState {
  if (jobs.some((s) => s === 'failed' || s === 'cancelled' || s === 'missing')) return 'failed';
  if (jobs.every((s) => s === 'completed')) return 'completed';
  if (jobs.every((s) => s === 'waiting')) return 'waiting';
  return 'active';
}

// ---- choosing the anchor of a sequence ----

export interface AnchorChoiceError { error: 'anchor_missing' | 'anchor_mismatch' | 'anchor_ambiguous' | 'anchor_incomplete'; message: string }

/**
 * The anchor table a challenge sequence is judged against: the one named by anchorKey, else the sequence's only
 * table for this config (and frame count, when given); several: the one over the whole sequence at the default
 * intra period, else the caller must name one. It must have the four points QP 22/27/32/37.
 */
export function chooseAnchor(tables: AnchorTable[], seq: { id: string; name: string; sha256: string; frames: number },
  o: { config: 'ra' | 'ai'; frames?: number; anchorKey?: string }): { table: AnchorTable } | AnchorChoiceError {
  const who = `sequence ${seq.name} (${seq.id})`;
  let table: AnchorTable | undefined;
  if (o.anchorKey !== undefined) {
    table = tables.find((t) => t.key === o.anchorKey);
    if (!table) return { error: 'anchor_missing', message: `${who}: no anchor table with key ${o.anchorKey} (GET /v1/anchors lists them)` };
    if (table.sequence.sha256 !== seq.sha256) return { error: 'anchor_mismatch', message: `${who}: anchor ${table.key} belongs to another sequence (sha256 ${table.sequence.sha256.slice(0, 12)}…)` };
    if (table.config !== o.config) return { error: 'anchor_mismatch', message: `${who}: anchor ${table.key} is for config "${table.config}", the challenge runs "${o.config}"` };
    if (o.frames !== undefined && table.frames !== o.frames) return { error: 'anchor_mismatch', message: `${who}: anchor ${table.key} encoded ${table.frames} frames, the challenge asks for frames=${o.frames}` };
  } else {
    const own = tables.filter((t) => t.sequence.sha256 === seq.sha256);
    const cands = own.filter((t) => t.config === o.config && (o.frames === undefined || t.frames === o.frames));
    if (!cands.length) {
      const others = own.length ? `; this sequence has anchor(s) ${own.map((t) => t.key.slice(65)).join(', ')} (config.frames), none for ${o.config}${o.frames !== undefined ? ` with ${o.frames} frames` : ''}` : '';
      return { error: 'anchor_missing', message: `${who}: no VTM-23.2 "${o.config}" anchor table${o.frames !== undefined ? ` for ${o.frames} frames` : ''}${others}; import one (POST /v1/anchors) or measure one (POST /v1/jobs with kind "anchor")` };
    }
    const whole = cands.filter((t) => t.frames === (o.frames ?? seq.frames) && !t.key.includes('.ip'));
    table = cands.length === 1 ? cands[0] : whole.length === 1 ? whole[0] : undefined;
    if (!table) return { error: 'anchor_ambiguous', message: `${who}: ${cands.length} anchor tables fit (${cands.map((t) => t.key).join(', ')}); name one with anchorKey` };
  }
  if (table.frames > seq.frames) return { error: 'anchor_mismatch', message: `${who}: anchor ${table.key} encoded ${table.frames} frames, the sequence has ${seq.frames}` };
  const missing = ANCHOR_QPS.filter((q) => !table!.points.some((p) => p.qp === q));
  if (missing.length) {
    return { error: 'anchor_incomplete', message: `${who}: anchor ${table.key} has QP ${table.points.map((p) => p.qp).join('/')}, the challenge needs the four points QP ${ANCHOR_QPS.join('/')} (missing ${missing.join(', ')})` };
  }
  return { table };
}

export function challengeAnchor(t: AnchorTable): ChallengeAnchor {
  return {
    key: t.key, source: t.source, encoder: t.encoder, createdAt: t.createdAt, ...(t.jobId ? { jobId: t.jobId } : {}),
    ...(t.machine ? { machine: t.machine } : {}), frames: t.frames, ...(t.intraPeriod !== undefined ? { intraPeriod: t.intraPeriod } : {}),
    points: ANCHOR_QPS.map((q) => t.points.find((p) => p.qp === q)!),
  };
}

// ---- the table ----

const machineText = (m?: Partial<MachineInfo>) => (m ? `${m.cpu ?? '?'} x${m.cores ?? '?'} on ${m.hostname ?? '?'}` : 'unknown');

/** The VTM-23.2 DecoderApp verdict of one point of a report, as the report stage derives it. */
export function vtmVerdict(p: ReportRatePoint): Tri {
  const vtm = p.decoders?.find((d) => d.name.startsWith('VTM'));
  return !vtm || vtm.ok === null ? null : vtm.ok === true && vtm.md5Ok === true;
}

function pointView(a: AnchorPoint, rp: ReportRatePoint | undefined): ChallengePoint {
  const notes: string[] = [];
  const t2 = a.encodeSeconds > 0 ? a.encodeSeconds : null;
  if (t2 === null) notes.push(`the anchor has no encode time for QP ${a.qp}: T1/T2 not judged`);
  const base = { anchorQp: a.qp, anchorKbps: a.kbps, anchorPsnrYuv: a.psnrYuv, t2 };
  if (!rp) {
    return { ...base, label: null, qp: null, kbps: null, rateRatio: null, rateInWindow: null, rateMatched: null, t1: null, timeRatio: null, timePass: null, psnr: null, vtmDecodeMd5: null, pass: null, notes };
  }
  const rateRatio = rp.kbps / a.kbps;
  const rateInWindow = inWindow(rateRatio, RATE_WINDOW);
  const t1 = rp.encodeSeconds;
  const timeRatio = t2 === null ? null : t1 / t2;
  const timePass = timeRatio === null ? null : timeRatio <= MAX_TIME_RATIO + 1e-12;
  const vtmDecodeMd5 = vtmVerdict(rp);
  if (vtmDecodeMd5 === null) notes.push('VTM-23.2 DecoderApp did not run (VTM_DECODER_APP not set)');
  if (rp.rateSearch && !rp.rateSearch.matched) notes.push(`rate search: ${rp.rateSearch.reason ?? 'not matched'}`);
  return {
    ...base, label: rp.label, qp: rp.qp ?? null, kbps: rp.kbps, rateRatio, rateInWindow, rateMatched: rp.rateSearch ? rp.rateSearch.matched : null,
    t1, timeRatio, timePass, psnr: { y: rp.psnr.y, u: rp.psnr.u, v: rp.psnr.v, yuv: rp.psnr.yuv }, vtmDecodeMd5,
    pass: and3([rateInWindow, timePass, vtmDecodeMd5]), notes,
  };
}

function sequenceView(s: ChallengeSequence, job: ChallengeJobInput): ChallengeSequenceView {
  const rep = job.state === 'completed' && job.report && Array.isArray(job.report.ratePoints) && !job.report.failed ? job.report : undefined;
  const rps = rep?.ratePoints ?? [];
  const points = s.anchor.points.map((a, i) => pointView(a, rps.find((p) => p.label === `rp${i}`) ?? (rps.length === s.anchor.points.length ? rps[i] : undefined)));
  const same = rep && s.anchor.machine ? sameMachine(rep.machine, s.anchor.machine) : null;
  const t2Notes: string[] = [];
  const noTime = s.anchor.points.filter((a) => !(a.encodeSeconds > 0)).map((a) => a.qp);
  if (noTime.length) t2Notes.push(`the anchor has no encode time for QP ${noTime.join(', ')}`);
  if (!s.anchor.machine) t2Notes.push('the anchor records no machine (imported without one): T2 may come from another machine');
  else if (same === false) t2Notes.push(`the anchor was measured on ${machineText(s.anchor.machine)}, this run on ${machineText(rep!.machine)}: T1/T2 compares different machines`);
  let bdRate: number | null = null;
  let bdRateNote: string | undefined;
  if (rep) {
    bdRate = typeof rep.bdRate === 'number' ? rep.bdRate : null;
    if (bdRate === null) bdRateNote = rep.bd?.yuv.error ?? (rep.anchor ? 'no BD-rate in the report' : 'the report found no anchor');
    if (rep.anchor && (rep.anchor.key !== s.anchor.key || rep.anchor.createdAt !== s.anchor.createdAt)) {
      bdRateNote = `the report compared with anchor ${rep.anchor.key} of ${rep.anchor.createdAt}, not the challenge's (${s.anchor.key} of ${s.anchor.createdAt}): the table was replaced after the challenge started`;
    }
  } else if (job.state === 'completed') {
    bdRateNote = 'the job has no readable report.json';
  }
  const error = job.error ?? (job.state === 'completed' && !rep ? 'the job completed but its report.json is missing or unreadable' : undefined);
  return {
    sequenceId: s.sequenceId, name: s.name, width: s.width, height: s.height, frames: s.frames, jobId: s.jobId, jobState: job.state,
    ...(error ? { error } : {}),
    anchorKey: s.anchor.key, anchorSource: s.anchor.source, anchorSameMachine: same, t2Note: t2Notes.length ? t2Notes.join('; ') : null,
    bdRate, ...(bdRateNote ? { bdRateNote } : {}), points,
    pass: rep ? and3([...points.map((p) => p.pass), points.every((p) => p.kbps !== null)]) : job.state === 'completed' ? false : null,
  };
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

function summarize(seqs: ChallengeSequenceView[]): ChallengeSummary {
  const all = seqs.flatMap((s) => s.points.map((p) => ({ s, p })));
  const where = (e: { s: ChallengeSequenceView; p: ChallengePoint }) => `${e.s.name} QP${e.p.anchorQp}`;
  const rated = all.filter((e) => e.p.rateRatio !== null);
  const worstRate = rated.reduce<typeof rated[number] | undefined>((w, e) => (!w || Math.abs(Math.log(e.p.rateRatio!)) > Math.abs(Math.log(w.p.rateRatio!)) ? e : w), undefined);
  const timed = all.filter((e) => e.p.timeRatio !== null);
  const worstTime = timed.reduce<typeof timed[number] | undefined>((w, e) => (!w || e.p.timeRatio! > w.p.timeRatio! ? e : w), undefined);
  const pending = seqs.filter((s) => s.jobState !== 'completed').map((s) => `${s.name} (job ${s.jobState})`);
  const waitNote = pending.length ? `; not finished: ${pending.join(', ')}` : '';
  const list = (xs: typeof all) => xs.map((e) => where(e)).join(', ');

  const outside = all.filter((e) => e.p.rateInWindow === false);
  const slow = all.filter((e) => e.p.timePass === false);
  const noT2 = all.filter((e) => e.p.kbps !== null && e.p.t2 === null);
  const md5Bad = all.filter((e) => e.p.vtmDecodeMd5 === false);
  const md5NotRun = all.filter((e) => e.p.kbps !== null && e.p.vtmDecodeMd5 === null);
  const machineNotes = seqs.filter((s) => s.t2Note).map((s) => `${s.name}: ${s.t2Note}`);
  const rules: ChallengeRule[] = [
    {
      id: 'rate-window', description: 'each point within 90-110% of its anchor rate', pass: and3(all.map((e) => e.p.rateInWindow)),
      detail: (outside.length ? `outside: ${outside.map((e) => `${where(e)} ${pct(e.p.rateRatio!)}`).join(', ')}` : rated.length ? `${rated.length} point(s) inside` : 'no point measured yet') + waitNote,
    },
    {
      id: 'time-ratio', description: `each point's encode time T1 <= ${MAX_TIME_RATIO} x the anchor's T2`, pass: and3(all.map((e) => e.p.timePass)),
      detail: (slow.length ? `over ${MAX_TIME_RATIO}: ${slow.map((e) => `${where(e)} ${e.p.timeRatio!.toFixed(3)}`).join(', ')}` : timed.length ? `${timed.length} point(s) within` : 'no point timed yet')
        + (noT2.length ? `; no anchor time for ${list(noT2)}` : '') + (machineNotes.length ? `; ${machineNotes.join('; ')}` : '') + waitNote,
    },
    {
      id: 'decode-md5', description: 'VTM-23.2 DecoderApp decodes every bitstream with matching MD5', pass: and3(all.map((e) => e.p.vtmDecodeMd5)),
      detail: (md5Bad.length ? `failed: ${list(md5Bad)}` : md5NotRun.length ? `not run for ${list(md5NotRun)} (VTM_DECODER_APP not set)` : `${all.length} bitstream(s) ok`) + waitNote,
    },
    {
      id: 'four-points', description: 'four bitstreams per sequence (anchor QP 22/27/32/37 rates)',
      pass: and3(seqs.map((s) => (s.jobState === 'completed' ? s.points.length === 4 && s.points.every((p) => p.kbps !== null) : s.jobState === 'waiting' || s.jobState === 'active' ? null : false))),
      detail: seqs.map((s) => `${s.name}: ${s.points.filter((p) => p.kbps !== null).length}/4`).join(', '),
    },
  ];
  const bds = seqs.map((s) => s.bdRate);
  return {
    sequences: seqs.length, completedSequences: seqs.filter((s) => s.jobState === 'completed').length,
    averageBdRate: bds.length && bds.every((b) => b !== null) ? (bds as number[]).reduce((a, b) => a + b, 0) / bds.length : null,
    worstRateRatio: worstRate?.p.rateRatio ?? null, worstRateRatioAt: worstRate ? where(worstRate) : null,
    worstTimeRatio: worstTime?.p.timeRatio ?? null, worstTimeRatioAt: worstTime ? where(worstTime) : null,
    rules, allPass: and3(rules.map((r) => r.pass)),
  };
}

export function challengeView(rec: ChallengeRecord, jobs: ChallengeJobInput[]): ChallengeView {
  const seqs = rec.sequences.map((s, i) => sequenceView(s, jobs[i] ?? { state: 'missing' }));
  const base = `/v1/challenges/${rec.id}`;
  return {
    id: rec.id, createdAt: rec.createdAt, config: rec.config, preset: rec.preset ?? null, frames: rec.frames ?? null,
    state: challengeState(seqs.map((s) => s.jobState)), sequences: seqs, summary: summarize(seqs),
    links: { self: base, table: `${base}/table.csv`, archive: `${base}/archive` },
  };
}

// ---- CSV ----

export const CHALLENGE_CSV_COLUMNS = [
  'sequence', 'sequenceId', 'jobId', 'anchorQp', 'anchorKbps', 'kbps', 'qp', 'rateRatio', 'rateInWindow', 't1Seconds', 't2Seconds',
  't1OverT2', 'timePass', 'psnrY', 'psnrU', 'psnrV', 'psnrYuv', 'anchorPsnrYuv', 'vtmDecodeMd5', 'pass', 'bdRate', 'note',
] as const;

function cell(v: unknown, digits?: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? (digits !== undefined ? v.toFixed(digits) : String(v)) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * One row per sequence x point (booleans true/false, empty when not judged), then — unless `summary` is false — a
 * summary row: sequence "ALL", rateRatio / t1OverT2 the worst, the rule verdicts, pass = all rules, bdRate = average.
 */
export function challengeCsv(v: ChallengeView, o: { sequences?: ChallengeSequenceView[]; summary?: boolean } = {}): string {
  const rows: string[] = [CHALLENGE_CSV_COLUMNS.join(',')];
  for (const s of o.sequences ?? v.sequences) {
    for (const p of s.points) {
      rows.push([
        cell(s.name), cell(s.sequenceId), cell(s.jobId), cell(p.anchorQp), cell(p.anchorKbps, 4), cell(p.kbps, 4), cell(p.qp), cell(p.rateRatio, 4),
        cell(p.rateInWindow), cell(p.t1, 3), cell(p.t2, 3), cell(p.timeRatio, 4), cell(p.timePass), cell(p.psnr?.y, 4), cell(p.psnr?.u, 4),
        cell(p.psnr?.v, 4), cell(p.psnr?.yuv, 4), cell(p.anchorPsnrYuv, 4), cell(p.vtmDecodeMd5), cell(p.pass), cell(s.bdRate, 4),
        cell([s.jobState !== 'completed' ? `job ${s.jobState}${s.error ? `: ${s.error}` : ''}` : '', ...p.notes].filter(Boolean).join('; ')),
      ].join(','));
    }
  }
  if (o.summary !== false) {
    const m = v.summary;
    const rule = (id: string) => m.rules.find((r) => r.id === id)?.pass ?? null;
    const open = m.rules.filter((r) => r.pass !== true).map((r) => `${r.id}: ${r.pass === false ? 'FAIL' : 'not judged'} (${r.detail})`);
    rows.push([
      cell(`ALL (${m.sequences} sequences)`), '', '', '', '', '', '', cell(m.worstRateRatio, 4), cell(rule('rate-window')), '', '',
      cell(m.worstTimeRatio, 4), cell(rule('time-ratio')), '', '', '', '', '', cell(rule('decode-md5')), cell(m.allPass), cell(m.averageBdRate, 4),
      cell(open.join('; ')),
    ].join(','));
  }
  return rows.join('\n') + '\n';
}

// ---- storage ----

export class ChallengeStore {
  constructor(readonly dataDir: string) {}
  async get(id: string): Promise<ChallengeRecord | undefined> {
    if (!CHALLENGE_ID_RE.test(id)) return undefined;
    try { return JSON.parse(await readFile(challengeFile(this.dataDir, id), 'utf8')) as ChallengeRecord; } catch { return undefined; }
  }
  async put(rec: ChallengeRecord): Promise<void> {
    const file = challengeFile(this.dataDir, rec.id);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(rec, null, 2) + '\n');
    await rename(tmp, file);
  }
  /** Newest first. */
  async list(limit = 100): Promise<ChallengeRecord[]> {
    let names: string[];
    try { names = await readdir(challengesDir(this.dataDir)); } catch { return []; }
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).filter((id) => CHALLENGE_ID_RE.test(id)).sort().reverse().slice(0, limit);
    return (await Promise.all(ids.map((id) => this.get(id)))).filter((r): r is ChallengeRecord => Boolean(r));
  }
}
