// Stage 6: report.json (machine-readable, schema minimum in notes/service-contract.md) and report.md.
// Also used on failure: writeFailureReport records why a job failed next to whatever it produced.
import os from 'node:os';
import path from 'node:path';
import { readFile, writeFile, rename } from 'node:fs/promises';
import type { StageContext } from '../context.js';
import type { PreparedInput } from './prepare.js';
import type { SplitPrediction } from './predict-splits.js';
import type { MeasuredPoint } from './measure.js';
import type { VerifiedPoint } from './verify.js';

export interface StageTiming { stage: string; seconds: number }

export interface ReportInput {
  prepared: PreparedInput;
  splits: SplitPrediction;
  measured: MeasuredPoint[];
  verified: VerifiedPoint[];
  timings: StageTiming[];
}

export interface Rule { id: string; description: string; pass: boolean | null; detail: string }

export function machineInfo() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, os: `${os.type()} ${os.release()} ${os.arch()}` };
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, file);
}

export async function report(ctx: StageContext, r: ReportInput): Promise<{ reportFile: string; report: Record<string, unknown> }> {
  ctx.progress({ stage: 'report' });
  const req = ctx.data.request;
  const ratePoints = r.measured.map((m) => {
    const v = r.verified.find((x) => x.label === m.label);
    return {
      label: m.label, qp: m.qp, kbps: m.kbps, bits: m.bits, psnr: m.psnr, encodeSeconds: m.encodeSeconds,
      decodeOk: v?.decodeOk ?? false, md5Ok: v?.md5Ok ?? false,
      decoders: (v?.decoders ?? []).map((d) => ({ name: d.name, ok: d.ok, md5Ok: d.md5Ok, matchesRecon: d.matchesRecon, seconds: d.seconds, detail: d.detail })),
      files: { bitstream: `${m.label}.266`, recon: `${m.label}.recon.yuv`, log: `logs/encode-${m.label}.log` },
      rules: {},
    };
  });
  const anyDecoderRan = ratePoints.some((p) => p.decoders.some((d) => d.ok !== null));
  const rules: Rule[] = [
    {
      id: 'decode-matches-recon',
      description: 'every bitstream decodes, with every available decoder, to exactly the encoder reconstruction',
      pass: anyDecoderRan ? ratePoints.every((p) => p.decodeOk) : null,
      detail: anyDecoderRan
        ? ratePoints.map((p) => `${p.label}: ${p.decodeOk ? 'ok' : 'FAILED'}`).join(', ')
        : 'no decoder available (build codec/ or set VTM_DECODER_APP)',
    },
  ];
  const rep = {
    jobId: ctx.jobId,
    sequence: r.prepared.sequence,
    frames: r.prepared.frames,
    config: req.config,
    request: req,
    encoder: r.measured[0]?.encoderName ?? null,
    machine: machineInfo(),
    splitPrediction: { model: r.splits.model, note: r.splits.note },
    ratePoints,
    rules,
    stages: r.timings,
    createdAt: new Date().toISOString(),
  };
  const reportFile = path.join(ctx.dir, 'report.json');
  await writeJsonAtomic(reportFile, rep);
  await writeFile(path.join(ctx.dir, 'report.md'), reportMarkdown(rep));
  return { reportFile, report: rep };
}

type Rep = {
  jobId: string; sequence: { name: string; width: number; height: number; bitDepth: number; fps: number };
  frames: number; config: string; encoder: string | null;
  ratePoints: { label: string; kbps: number; psnr: { y: number; u: number; v: number; yuv: number }; encodeSeconds: number; decodeOk: boolean }[];
  rules: Rule[];
};

export function reportMarkdown(rep: Rep): string {
  const s = rep.sequence;
  const lines = [
    `# nnvvc job ${rep.jobId}`,
    '',
    `Sequence **${s.name}** ${s.width}x${s.height} ${s.bitDepth}-bit ${s.fps} fps, ${rep.frames} frames; config ${rep.config}; encoder ${rep.encoder ?? '-'}`,
    '',
    '| point | kbps | PSNR Y | PSNR U | PSNR V | PSNR YUV | encode s | decode = recon |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rep.ratePoints.map((p) => `| ${p.label} | ${p.kbps.toFixed(2)} | ${p.psnr.y.toFixed(3)} | ${p.psnr.u.toFixed(3)} | ${p.psnr.v.toFixed(3)} | ${p.psnr.yuv.toFixed(3)} | ${p.encodeSeconds.toFixed(2)} | ${p.decodeOk ? 'yes' : 'NO'} |`),
    '',
    '## Rules',
    '',
    ...rep.rules.map((r) => `- ${r.pass === null ? 'n/a' : r.pass ? 'PASS' : 'FAIL'} ${r.id}: ${r.detail}`),
    '',
  ];
  return lines.join('\n');
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
