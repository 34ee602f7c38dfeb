/**
 * report.json — one per job, written to DATA_DIR/jobs/<jobId>/report.json (with report.md and rd.svg beside it).
 *
 * What it says: for each rate point the measured rate (kbps from the bitstream file size: bits*fps/frames/1000),
 * the PSNR per plane computed as VTM-23.2 does (10-bit, peak 1020, mean of per-picture PSNR) and the challenge's
 * PSNR YUV = (6Y+U+V)/8, the encode time, the decode/MD5 result of every decoder, and — when a VTM-23.2 anchor
 * table for this sequence/config/frames exists — the matching anchor point, the rate ratio and the per-point rule
 * flags. For the job: BD-rate against the anchor (PCHIP as the JVET CTC sheet, and the classic cubic fit), BD-PSNR,
 * the time ratio T1/T2, and the rule list (see rules.ts) with an overall verdict.
 * `bdRate` (number, percent, PCHIP on PSNR YUV) is the headline figure; `bd` has the details or the reason it is
 * missing. Unknown values are omitted or null, never NaN. The JSON Schema below (REPORT_JSON_SCHEMA) is normative;
 * additional properties are allowed so the pipeline can add its own sections (request, stages, ...).
 */
import type { AnchorTable } from './anchors.js';
import { bdPsnr, bdRate, type BdMethod, type RdPoint } from './bdrate.js';
import type { MachineInfo } from './machine.js';
import { sameMachine } from './machine.js';
import { allRequiredPass, evaluateRules, pointFlags, pointTime, timeRatio, type PointRuleFlags, type PointTime, type RuleResult } from './rules.js';
import { rdPlotSvg } from './svg.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface Psnr4 { y: number; u: number; v: number; yuv: number }

export interface ReportDecoder { name: string; ok: boolean | null; md5Ok?: boolean | null; detail?: string; [k: string]: unknown }

export interface RateSearchRecord { targetKbps: number; matched: boolean; reason?: string; trials: { qp: number; kbps: number; ratio: number }[] }

export interface ReportRatePoint {
  label: string;
  qp?: number;
  targetKbps?: number;
  kbps: number;
  bits: number;
  psnr: Psnr4;
  encodeSeconds: number;
  decodeOk: boolean;
  md5Ok: boolean;
  decoders: ReportDecoder[];
  anchor?: { qp: number; kbps: number; psnr: Psnr4; encodeSeconds: number };
  /** kbps / anchor.kbps */
  rateRatio?: number;
  /** The challenge's time rule for this point: T1 = our encode seconds, T2 = the anchor's for its point. */
  time?: PointTime;
  rules: PointRuleFlags;
  rateSearch?: RateSearchRecord;
  [k: string]: unknown;
}

export interface BdFigures { pchip: number | null; cubic: number | null; error?: string }

export interface Report {
  schemaVersion: number;
  jobId: string;
  kind: 'encode' | 'anchor';
  sequence: { id?: string; name?: string; width: number; height: number; bitDepth: number; fps: number; frames?: number; sha256?: string; [k: string]: unknown };
  frames: number;
  config: 'ra' | 'ai';
  encoder: string | null;
  machine: MachineInfo;
  ratePoints: ReportRatePoint[];
  anchor: { key: string; source: 'computed' | 'imported'; encoder: string; machine?: Partial<MachineInfo>; createdAt: string; jobId?: string } | null;
  /** Headline BD-rate, percent, PCHIP on PSNR YUV (6:1:1); absent when it cannot be computed (see bd.yuv.error). */
  bdRate?: number;
  bd?: { yuv: BdFigures; y: BdFigures; u: BdFigures; v: BdFigures; bdPsnrYuv: BdFigures };
  timeRatio?: { t1: number; t2: number; ratio: number; sameMachine: boolean };
  rules: RuleResult[];
  /** All required rules pass (null: some could not be judged, e.g. no anchor). */
  verdict: boolean | null;
  partitions?: string;
  /** kind=anchor: key of the anchor table this job stored (null when it could not). */
  anchorStored?: string | null;
  createdAt: string;
  [k: string]: unknown;
}

const num = { type: 'number' } as const;
const psnrSchema = { type: 'object', required: ['y', 'u', 'v', 'yuv'], properties: { y: num, u: num, v: num, yuv: num } } as const;
const bdFig = { type: 'object', required: ['pchip', 'cubic'], properties: { pchip: { type: ['number', 'null'] }, cubic: { type: ['number', 'null'] }, error: { type: 'string' } } } as const;
const machineSchema = { type: 'object', properties: { cpu: { type: 'string' }, cores: { type: 'integer' }, os: { type: 'string' }, hostname: { type: 'string' }, memGiB: num } } as const;

/** JSON Schema (draft 2020-12) of report.json. */
export const REPORT_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://nnvvc.local/schemas/report.json',
  title: 'nnvvc job report',
  type: 'object',
  required: ['schemaVersion', 'jobId', 'kind', 'sequence', 'frames', 'config', 'encoder', 'machine', 'ratePoints', 'anchor', 'rules', 'verdict', 'createdAt'],
  properties: {
    schemaVersion: { const: REPORT_SCHEMA_VERSION },
    jobId: { type: 'string' },
    kind: { enum: ['encode', 'anchor'] },
    sequence: { type: 'object', required: ['width', 'height', 'bitDepth', 'fps'], properties: { id: { type: 'string' }, name: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' }, bitDepth: { enum: [8, 10] }, fps: num, frames: { type: 'integer' }, sha256: { type: 'string' } } },
    frames: { type: 'integer', minimum: 1 },
    config: { enum: ['ra', 'ai'] },
    encoder: { type: ['string', 'null'] },
    machine: machineSchema,
    ratePoints: {
      type: 'array',
      items: {
        type: 'object',
        required: ['label', 'kbps', 'bits', 'psnr', 'encodeSeconds', 'decodeOk', 'md5Ok', 'decoders', 'rules'],
        properties: {
          label: { type: 'string' }, qp: num, targetKbps: num, kbps: num, bits: { type: 'integer' }, psnr: psnrSchema,
          encodeSeconds: num, decodeOk: { type: 'boolean' }, md5Ok: { type: 'boolean' },
          decoders: { type: 'array', items: { type: 'object', required: ['name', 'ok'], properties: { name: { type: 'string' }, ok: { type: ['boolean', 'null'] }, md5Ok: { type: ['boolean', 'null'] }, detail: { type: 'string' } } } },
          anchor: { type: 'object', required: ['qp', 'kbps', 'psnr', 'encodeSeconds'], properties: { qp: num, kbps: num, psnr: psnrSchema, encodeSeconds: num } },
          rateRatio: num,
          rules: { type: 'object', required: ['rateWindow', 'extremeWindow', 'decodeMd5'], properties: { rateWindow: { type: ['boolean', 'null'] }, extremeWindow: { type: ['boolean', 'null'] }, decodeMd5: { type: ['boolean', 'null'] }, timeRatio: { type: ['boolean', 'null'] } } },
          time: { type: 'object', required: ['t1', 't2', 'ratio'], properties: { t1: num, t2: num, ratio: num } },
          rateSearch: { type: 'object', required: ['targetKbps', 'matched', 'trials'], properties: { targetKbps: num, matched: { type: 'boolean' }, reason: { type: 'string' }, trials: { type: 'array', items: { type: 'object', required: ['qp', 'kbps', 'ratio'], properties: { qp: num, kbps: num, ratio: num } } } } },
        },
      },
    },
    anchor: { type: ['object', 'null'], required: ['key', 'source', 'encoder', 'createdAt'], properties: { key: { type: 'string' }, source: { enum: ['computed', 'imported'] }, encoder: { type: 'string' }, machine: machineSchema, createdAt: { type: 'string' }, jobId: { type: 'string' } } },
    bdRate: num,
    bd: { type: 'object', required: ['yuv', 'y', 'u', 'v', 'bdPsnrYuv'], properties: { yuv: bdFig, y: bdFig, u: bdFig, v: bdFig, bdPsnrYuv: bdFig } },
    timeRatio: { type: 'object', required: ['t1', 't2', 'ratio', 'sameMachine'], properties: { t1: num, t2: num, ratio: num, sameMachine: { type: 'boolean' } } },
    rules: { type: 'array', items: { type: 'object', required: ['id', 'description', 'pass', 'required', 'detail'], properties: { id: { type: 'string' }, description: { type: 'string' }, pass: { type: ['boolean', 'null'] }, required: { type: 'boolean' }, detail: { type: 'string' } } } },
    verdict: { type: ['boolean', 'null'] },
    partitions: { type: 'string' },
    anchorStored: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
  },
} as const;

export interface ReportPointInput {
  label: string; qp?: number; targetKbps?: number; kbps: number; bits: number; psnr: Psnr4; encodeSeconds: number;
  decodeOk: boolean; md5Ok: boolean; decoders: ReportDecoder[]; rateSearch?: RateSearchRecord; extra?: Record<string, unknown>;
  /** VTM-23.2 DecoderApp verdict (decoded, MD5 matched); null when it did not run; omitted: decodeOk && md5Ok. */
  vtmDecodeMd5?: boolean | null;
}

export interface BuildReportInput {
  jobId: string; kind?: 'encode' | 'anchor'; sequence: Report['sequence']; frames: number; config: 'ra' | 'ai';
  encoder: string | null; machine: MachineInfo; points: ReportPointInput[];
  /** The anchor table for this sequence/config/frames, if any (an anchor job compares with its own new table). */
  anchor?: AnchorTable; partitions?: string; extra?: Record<string, unknown>; createdAt?: string;
}

function bdBoth(a: RdPoint[], t: RdPoint[], fn: typeof bdRate): BdFigures {
  const one = (m: BdMethod) => { try { return { v: fn(a, t, m) } } catch (e) { return { e: (e as Error).message } } };
  const p = one('pchip'), c = one('cubic');
  const out: BdFigures = { pchip: p.v ?? null, cubic: c.v ?? null };
  const err = [p.e && `pchip: ${p.e}`, c.e && `cubic: ${c.e}`].filter(Boolean).join('; ');
  if (err) out.error = err;
  return out;
}

export function buildReport(inp: BuildReportInput): Report {
  const table = inp.anchor;
  const pts = inp.points.map((p) => {
    const a = table ? (p.qp !== undefined && p.targetKbps === undefined ? table.points.find((x) => x.qp === p.qp) : undefined)
      ?? nearestByRate(table, p.targetKbps ?? p.kbps) : undefined;
    return { p, a };
  });
  const ruleInput = pts.map(({ p, a }) => ({
    label: p.label, kbps: p.kbps, encodeSeconds: p.encodeSeconds, decodeOk: p.decodeOk, md5Ok: p.md5Ok,
    ...(p.vtmDecodeMd5 !== undefined ? { vtmDecodeMd5: p.vtmDecodeMd5 } : {}),
    anchor: a ? { kbps: a.kbps, encodeSeconds: a.encodeSeconds } : undefined,
  }));
  const flags = pointFlags(ruleInput);
  const rules = evaluateRules({ points: ruleInput, machine: inp.machine, anchorMachine: table?.machine as MachineInfo | undefined });
  const ratePoints: ReportRatePoint[] = pts.map(({ p, a }, i) => ({
    ...(p.extra ?? {}),
    label: p.label, ...(p.qp !== undefined ? { qp: p.qp } : {}), ...(p.targetKbps !== undefined ? { targetKbps: p.targetKbps } : {}),
    kbps: p.kbps, bits: p.bits, psnr: p.psnr, encodeSeconds: p.encodeSeconds, decodeOk: p.decodeOk, md5Ok: p.md5Ok,
    decoders: p.decoders,
    ...(a ? { anchor: { qp: a.qp, kbps: a.kbps, psnr: { y: a.psnrY, u: a.psnrU, v: a.psnrV, yuv: a.psnrYuv }, encodeSeconds: a.encodeSeconds }, rateRatio: p.kbps / a.kbps } : {}),
    ...((t) => (t ? { time: t } : {}))(pointTime(ruleInput[i])),
    rules: flags[i],
    ...(p.rateSearch ? { rateSearch: p.rateSearch } : {}),
  }));
  const rep: Report = {
    ...(inp.extra ?? {}),
    schemaVersion: REPORT_SCHEMA_VERSION, jobId: inp.jobId, kind: inp.kind ?? 'encode', sequence: inp.sequence, frames: inp.frames,
    config: inp.config, encoder: inp.encoder, machine: inp.machine, ratePoints,
    anchor: table ? { key: table.key, source: table.source, encoder: table.encoder, machine: table.machine, createdAt: table.createdAt, ...(table.jobId ? { jobId: table.jobId } : {}) } : null,
    rules, verdict: allRequiredPass(rules), createdAt: inp.createdAt ?? new Date().toISOString(),
  };
  if (inp.partitions) rep.partitions = inp.partitions;
  if (table) {
    const anc = (k: 'psnrY' | 'psnrU' | 'psnrV' | 'psnrYuv') => table.points.map((a) => ({ kbps: a.kbps, psnr: a[k] }));
    const ours = (k: keyof Psnr4) => ratePoints.map((p) => ({ kbps: p.kbps, psnr: p.psnr[k] }));
    rep.bd = {
      yuv: bdBoth(anc('psnrYuv'), ours('yuv'), bdRate), y: bdBoth(anc('psnrY'), ours('y'), bdRate),
      u: bdBoth(anc('psnrU'), ours('u'), bdRate), v: bdBoth(anc('psnrV'), ours('v'), bdRate),
      bdPsnrYuv: bdBoth(anc('psnrYuv'), ours('yuv'), bdPsnr),
    };
    if (rep.bd.yuv.pchip !== null) rep.bdRate = rep.bd.yuv.pchip;
    const tr = timeRatio(ruleInput);
    if (tr) rep.timeRatio = { ...tr, sameMachine: sameMachine(inp.machine, table.machine) };
  }
  return rep;
}

function nearestByRate(table: AnchorTable, kbps: number) {
  let best = table.points[0];
  for (const a of table.points) if (Math.abs(Math.log(a.kbps / kbps)) < Math.abs(Math.log(best.kbps / kbps))) best = a;
  return best;
}

export function reportSvg(rep: Report): string {
  const series = [{ name: `${rep.encoder ?? 'ours'} (job ${rep.jobId})`, color: '#c0392b', points: rep.ratePoints.map((p) => ({ kbps: p.kbps, psnr: p.psnr.yuv })) }];
  const anchorPts = rep.ratePoints.filter((p) => p.anchor).map((p) => ({ kbps: p.anchor!.kbps, psnr: p.anchor!.psnr.yuv }));
  if (rep.anchor && anchorPts.length) series.unshift({ name: `anchor ${rep.anchor.encoder}`, color: '#2c3e50', dashed: true, points: anchorPts } as never);
  const s = rep.sequence;
  return rdPlotSvg(series, { title: `${s.name ?? s.id ?? 'sequence'} ${s.width}x${s.height} ${rep.config.toUpperCase()}, ${rep.frames} frames` });
}

const fx = (n: number | null | undefined, d: number) => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
const verdict = (p: boolean | null) => (p === null ? 'not judged' : p ? 'PASS' : 'FAIL');
/** Informational rules are facts about the run, not failures: yes / no. */
const ruleMark = (r: RuleResult) => (r.required ? verdict(r.pass) : r.pass === null ? 'not judged' : r.pass ? 'yes' : 'no');

/** The overall line: the verdict, or which required rules could not be judged and why. */
export function overallLine(rep: Pick<Report, 'verdict' | 'rules' | 'bdRate'>): string {
  const bd = rep.bdRate !== undefined ? ` — BD-rate (PSNR YUV 6:1:1, PCHIP) **${rep.bdRate.toFixed(2)}%**` : '';
  if (rep.verdict !== null) return `Overall: **${verdict(rep.verdict)}**${bd}`;
  const open = rep.rules.filter((r) => r.required && r.pass === null).map((r) => `${r.id} (${r.detail})`);
  return `Overall: **not judged against the challenge rules**${bd}; not judged: ${open.join('; ')}`;
}

export function reportMarkdown(rep: Report): string {
  const s = rep.sequence;
  const L: string[] = [
    `# nnvvc ${rep.kind === 'anchor' ? 'anchor ' : ''}job ${rep.jobId}`, '',
    `Sequence **${s.name ?? s.id ?? '?'}** ${s.width}x${s.height} ${s.bitDepth}-bit ${s.fps} fps, ${rep.frames} frames; config **${rep.config}**; encoder **${rep.encoder ?? '-'}**`,
    `Machine: ${rep.machine.cpu} x${rep.machine.cores}, ${rep.machine.os}`,
    rep.kind === 'anchor' ? (rep.anchorStored ? `This anchor job stored the anchor table \`${String(rep.anchorStored)}\` (GET /v1/anchors/${String(rep.anchorStored)})` : 'This anchor job did NOT store a table (verification failed)')
      : rep.anchor ? `Anchor: ${rep.anchor.encoder}, ${rep.anchor.source}, key \`${rep.anchor.key}\`${rep.anchor.machine ? `, measured on ${rep.anchor.machine.cpu} x${rep.anchor.machine.cores}` : ''}` : 'Anchor: none for this sequence/config/frames (run an anchor job or POST /v1/anchors)',
    '', overallLine(rep), '',
    '| point | QP | kbps | anchor kbps | ratio | PSNR Y | U | V | YUV | anchor YUV | encode s | anchor s | T1/T2 | VTM decode+MD5 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rep.ratePoints.map((p) => `| ${p.label} | ${p.qp ?? '-'} | ${fx(p.kbps, 3)} | ${fx(p.anchor?.kbps, 3)} | ${p.rateRatio !== undefined ? `${(p.rateRatio * 100).toFixed(1)}%${p.rules.rateWindow ? '' : ' ✗'}` : '-'} | ${fx(p.psnr.y, 4)} | ${fx(p.psnr.u, 4)} | ${fx(p.psnr.v, 4)} | ${fx(p.psnr.yuv, 4)} | ${fx(p.anchor?.psnr.yuv, 4)} | ${fx(p.encodeSeconds, 2)} | ${fx(p.anchor?.encodeSeconds, 2)} | ${p.time ? `${p.time.ratio.toFixed(3)}${p.rules.timeRatio ? '' : ' ✗'}` : '-'} | ${p.rules.decodeMd5 === null ? 'not run' : p.rules.decodeMd5 ? 'ok' : 'FAIL'} |`),
    '',
  ];
  if (rep.bd) {
    const row = (n: string, b: BdFigures, unit: string) => `| ${n} | ${fx(b.pchip, unit === '%' ? 2 : 4)}${unit} | ${fx(b.cubic, unit === '%' ? 2 : 4)}${unit} | ${b.error ?? ''} |`;
    L.push('## Bjontegaard deltas', '', '| metric | PCHIP (JVET CTC) | cubic (VCEG-M33) | note |', '|---|---:|---:|---|',
      row('BD-rate YUV', rep.bd.yuv, '%'), row('BD-rate Y', rep.bd.y, '%'), row('BD-rate U', rep.bd.u, '%'), row('BD-rate V', rep.bd.v, '%'),
      row('BD-PSNR YUV', rep.bd.bdPsnrYuv, ' dB'), '');
  }
  if (rep.timeRatio) L.push(`Time ratio T1/T2 per point: ${rep.ratePoints.map((p) => `${p.label} ${p.time ? p.time.ratio.toFixed(3) : '-'}`).join(', ')} (rule: each <= 0.7); total ${rep.timeRatio.t1.toFixed(2)} s / ${rep.timeRatio.t2.toFixed(2)} s = **${rep.timeRatio.ratio.toFixed(3)}**${rep.timeRatio.sameMachine ? '' : ' (measured on different machines)'}`, '');
  const searches = rep.ratePoints.filter((p) => p.rateSearch);
  if (searches.length) {
    L.push('## Rate matching', '');
    for (const p of searches) L.push(`- ${p.label}: target ${p.rateSearch!.targetKbps} kbps, ${p.rateSearch!.matched ? 'matched' : `NOT matched (${p.rateSearch!.reason})`}; trials ${p.rateSearch!.trials.map((t) => `QP ${t.qp} -> ${t.kbps.toFixed(2)} kbps (${(t.ratio * 100).toFixed(1)}%)`).join(', ')}`);
    L.push('');
  }
  L.push('## Rules', '', ...rep.rules.map((r) => `- **${ruleMark(r)}** ${r.id}${r.required ? '' : ' (informational)'} — ${r.description}: ${r.detail}`), '', '![RD plot](rd.svg)', '');
  return L.join('\n');
}
