// The job pipeline: named stages run in order, each a small module in ./stages with typed input/output.
// The pipeline owns progress bookkeeping (percent over the whole job) and per-stage timing.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StageContext } from './context.js';
import type { JobProgress, JobResultSummary, Stage } from '../queue/types.js';
import { throwIfAborted, VerificationError } from './errors.js';
import { prepare } from './stages/prepare.js';
import { predictSplits } from './stages/predict-splits.js';
import { encode, ratePoints } from './stages/encode.js';
import { verify } from './stages/verify.js';
import { measure } from './stages/measure.js';
import { report, type StageTiming } from './stages/report.js';

/** Share of the whole job each stage accounts for in `percent` (encode dominates). */
const STAGE_SPAN: Record<Stage, [number, number]> = {
  queued: [0, 0], prepare: [0, 3], predictSplits: [3, 5], encode: [5, 85], verify: [85, 95], measure: [95, 98],
  report: [98, 100], done: [100, 100],
};

export function percentOf(p: JobProgress): number {
  const [a, b] = STAGE_SPAN[p.stage];
  let within = 0;
  if (p.stage === 'encode') {
    const perPoint = 1 / Math.max(1, p.ratePointsTotal);
    within = perPoint * (p.ratePoint + (p.framesTotal > 0 ? p.framesDone / p.framesTotal : 0));
  } else if (p.stage === 'verify' || p.stage === 'measure') {
    within = p.ratePoint / Math.max(1, p.ratePointsTotal);
  }
  return Math.round((a + (b - a) * Math.min(1, within)) * 10) / 10;
}

export interface PipelineHooks {
  /** Called with the merged progress on every change; the worker throttles what it sends to Redis. */
  onProgress(p: JobProgress): void;
  /** Name of the stage currently running (for failure reports). */
  onStage?(stage: Stage): void;
}

export type PipelineContext = Omit<StageContext, 'progress'>;

export async function runPipeline(base: PipelineContext, hooks: PipelineHooks): Promise<JobResultSummary> {
  const qps = ratePoints(base as StageContext);
  let progress: JobProgress = {
    stage: 'prepare', ratePoint: 0, ratePointsTotal: qps.length, framesDone: 0,
    framesTotal: base.data.request.frames ?? base.data.sequence.frames, percent: 0,
  };
  const ctx: StageContext = {
    ...base,
    progress(p) {
      progress = { ...progress, ...p };
      progress.percent = percentOf(progress);
      hooks.onProgress(progress);
    },
  };
  await mkdir(ctx.logsDir, { recursive: true });
  await rm(path.join(ctx.dir, 'report.json'), { force: true });
  const timings: StageTiming[] = [];
  async function stage<T>(name: Stage, fn: () => Promise<T>): Promise<T> {
    throwIfAborted(ctx.signal);
    hooks.onStage?.(name);
    ctx.progress({ stage: name, ratePoint: 0 });
    const t0 = performance.now();
    const out = await fn();
    timings.push({ stage: name, seconds: (performance.now() - t0) / 1000 });
    return out;
  }

  const prepared = await stage('prepare', () => prepare(ctx));
  const splits = await stage('predictSplits', () => predictSplits(ctx, prepared));
  const encoded = await stage('encode', () => encode(ctx, prepared, splits));
  const verified = await stage('verify', () => verify(ctx, encoded));
  const measured = await stage('measure', () => measure(ctx, prepared, encoded));
  const { reportFile } = await stage('report', () => report(ctx, { prepared, splits, measured, verified, timings }));
  ctx.progress({ stage: 'done', percent: 100 });

  const failedVerify = verified.filter((v) => v.decoders.some((d) => d.ok === false));
  if (failedVerify.length > 0) {
    const detail = failedVerify
      .map((v) => `${v.label}: ${v.decoders.filter((d) => d.ok === false).map((d) => `${d.name}: ${d.detail}`).join('; ')}`)
      .join(' | ');
    throw new VerificationError(`verification failed: ${detail}`);
  }
  return {
    reportFile: path.relative(ctx.dir, reportFile),
    ratePoints: measured.map((m) => ({
      label: m.label, kbps: m.kbps, psnrYuv: m.psnr.yuv, encodeSeconds: m.encodeSeconds,
      verified: verified.find((v) => v.label === m.label)?.decodeOk ?? false,
    })),
  };
}
