// Stage 6: report.json (schema: src/quality/report.ts), report.md and rd.svg, against the VTM-23.2 anchor when one
// is stored for this sequence/config/frames; kind=anchor jobs store their measured points as that anchor.
// Also used on failure: writeFailureReport records why a job failed next to whatever it produced.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../storage.js';
import type { StageContext } from '../context.js';
import type { PreparedInput } from './prepare.js';
import { splitPredictionReport, type SplitPrediction } from './predict-splits.js';
import type { MeasuredPoint } from './measure.js';
import type { VerifiedPoint } from './verify.js';
import { machineInfo as qualityMachineInfo, type MachineInfo } from '../../quality/machine.js';
import { AnchorStore, ANCHOR_ENCODER, anchorGopSize, anchorKey, findAnchor, keyIntraPeriod, validateAnchorPoints, type AnchorTable } from '../../quality/anchors.js';
import { anchorIntraPeriod, intraPeriodOf } from '../../queue/segments.js';
import { buildReport, reportMarkdown, reportSvg, type ReportPointInput } from '../../quality/report.js';
import { allRequiredPass } from '../../quality/rules.js';

export interface StageTiming { stage: string; seconds: number }

export interface ReportInput {
  prepared: PreparedInput;
  splits: SplitPrediction;
  measured: MeasuredPoint[];
  verified: VerifiedPoint[];
  timings: StageTiming[];
}

export interface Rule { id: string; description: string; pass: boolean | null; detail: string; required?: boolean }

// Machine description shared with the quality module (also used in failure reports).
export function machineInfo() {
  return qualityMachineInfo();
}

/** Written under a temporary name and renamed: a failed write (disk full) leaves neither a partial file nor the temporary. */
async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** kind=anchor: the measured VTM points become the anchor table for this sequence/config/frames. */
async function storeAnchorTable(ctx: StageContext, r: ReportInput, machine: MachineInfo): Promise<AnchorTable | undefined> {
  const req = ctx.data.request;
  const seq = r.prepared.sequence;
  const bad = r.verified.filter((v) => !v.decodeOk);
  if (bad.length) {
    // The pipeline fails the job right after this stage (VerificationError); nothing unverified becomes an anchor.
    ctx.log.warn({ labels: bad.map((v) => v.label) }, 'anchor not stored: points did not verify');
    return undefined;
  }
  const table: AnchorTable = {
    key: anchorKey(seq.sha256, req.config, r.prepared.frames, keyIntraPeriod(req.config, seq.fps, req.intraPeriod)),
    sequence: { sha256: seq.sha256, id: seq.id, name: seq.name, width: seq.width, height: seq.height, bitDepth: seq.bitDepth, fps: seq.fps },
    config: req.config, frames: r.prepared.frames, ...(req.intraPeriod !== undefined ? { intraPeriod: req.intraPeriod } : {}),
    ...(req.config === 'ra' ? { gopSize: anchorGopSize(intraPeriodOf(req, seq.fps)) } : {}),
    encoder: r.measured[0]?.encoderName ?? ANCHOR_ENCODER, source: 'computed', machine, jobId: ctx.jobId, createdAt: new Date().toISOString(),
    points: validateAnchorPoints(r.measured.map((m) => ({
      qp: m.qp, kbps: m.kbps, psnrY: m.psnr.y, psnrU: m.psnr.u, psnrV: m.psnr.v, encodeSeconds: m.encodeSeconds, bits: m.bits,
      ...(m.cpuSeconds !== undefined ? { userSeconds: m.cpuSeconds } : {}),
    }))),
  };
  await new AnchorStore(ctx.cfg.dataDir).put(table);
  ctx.log.info({ key: table.key }, 'anchor table stored');
  return table;
}

export async function report(ctx: StageContext, r: ReportInput): Promise<{ reportFile: string; report: Record<string, unknown> }> {
  ctx.progress({ stage: 'report' });
  const req = ctx.data.request;
  const machine = qualityMachineInfo();
  const kind = req.kind === 'anchor' ? 'anchor' : 'encode';
  const stored = kind === 'anchor' ? await storeAnchorTable(ctx, r, machine) : undefined;
  // An anchor job is not compared with itself; its report lists the table it stored.
  const anchor = kind === 'anchor' ? undefined : await findAnchor(ctx.cfg.dataDir, { sha256: r.prepared.sequence.sha256, config: req.config, frames: r.prepared.frames, fps: r.prepared.fps, intraPeriod: anchorIntraPeriod(req, r.prepared.fps) });
  const points: ReportPointInput[] = r.measured.map((m) => {
    const v = r.verified.find((x) => x.label === m.label);
    const decoders = (v?.decoders ?? []).map((d) => ({ name: d.name, ok: d.ok, md5Ok: d.md5Ok, matchesRecon: d.matchesRecon, seconds: d.seconds, detail: d.detail }));
    // The challenge's decode check is VTM-23.2's DecoderApp with MD5: null when it did not run.
    const vtm = decoders.find((d) => d.name.startsWith('VTM'));
    return {
      label: m.label, qp: m.qp, ...(m.targetKbps !== undefined ? { targetKbps: m.targetKbps } : {}), kbps: m.kbps, bits: m.bits,
      psnr: m.psnr, encodeSeconds: m.encodeSeconds, decodeOk: v?.decodeOk ?? false, md5Ok: v?.md5Ok ?? false, decoders,
      vtmDecodeMd5: !vtm || vtm.ok === null ? null : vtm.ok === true && vtm.md5Ok === true,
      ...(m.rateSearch ? { rateSearch: m.rateSearch } : {}),
      extra: { files: { bitstream: `${m.label}.266`, recon: `${m.label}.recon.yuv`, log: path.relative(ctx.dir, ctx.logsDir) + `/encode-${m.label}.log` }, perFrame: m.perFrame, ...(m.cpuSeconds !== undefined ? { cpuSeconds: m.cpuSeconds } : {}), ...(m.joined ? { segments: m.joined } : {}) },
    };
  });
  const rep = buildReport({
    jobId: ctx.jobId, kind, sequence: { ...r.prepared.sequence }, frames: r.prepared.frames, config: req.config,
    encoder: r.measured[0]?.encoderName ?? null, machine, points, anchor,
    extra: { ...(kind === 'anchor' ? { anchorStored: stored?.key ?? null } : {}), request: req, splitPrediction: splitPredictionReport(r.splits), stages: r.timings },
  });
  // The pipeline's own check: every available decoder reproduces the encoder's reconstruction exactly.
  const anyDecoderRan = rep.ratePoints.some((p) => p.decoders.some((d) => d.ok !== null));
  rep.rules.unshift({
    id: 'decode-matches-recon',
    description: 'every bitstream decodes, with every available decoder, to exactly the encoder reconstruction',
    pass: anyDecoderRan ? rep.ratePoints.every((p) => p.decodeOk) : null, required: true,
    detail: anyDecoderRan
      ? rep.ratePoints.map((p) => `${p.label}: ${p.decodeOk ? 'ok' : 'FAILED'}`).join(', ')
      : 'no decoder available (build codec/ or set VTM_DECODER_APP)',
  });
  rep.verdict = allRequiredPass(rep.rules);
  const reportFile = path.join(ctx.dir, 'report.json');
  await writeJsonAtomic(reportFile, rep);
  await writeFileAtomic(path.join(ctx.dir, 'report.md'), reportMarkdown(rep));
  await writeFileAtomic(path.join(ctx.dir, 'rd.svg'), reportSvg(rep));
  return { reportFile, report: rep };
}

/** On failure: report.json carries the error and the stage it happened in; outputs stay in place. */
/** If this attempt already wrote a full report (e.g. verify failed), the error is added to it. */
export async function writeFailureReport(dir: string, jobId: string, stage: string, error: string, attempt: number): Promise<void> {
  const file = path.join(dir, 'report.json');
  let base: Record<string, unknown> = { jobId, machine: machineInfo(), createdAt: new Date().toISOString() };
  try {
    const existing = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    if (existing.jobId === jobId) base = existing;
  } catch { /* no report from this attempt */ }
  await writeJsonAtomic(file, { ...base, failed: true, stage, error, attempt });
}
