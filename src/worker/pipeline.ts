// The job pipeline: named stages run in order, each a small module in ./stages with typed input/output.
// The pipeline owns progress bookkeeping (percent over the whole job) and per-stage timing.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StageContext } from './context.js';
import type { JobProgress, JobResultSummary, Stage } from '../queue/types.js';
import { throwIfAborted, VerificationError } from './errors.js';
import { prepare } from './stages/prepare.js';
import { predictSplits } from './stages/predict-splits.js';
import { encode } from './stages/encode.js';
import { ratePoints } from '../queue/rate-points.js';
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
  const points = Math.max(1, p.ratePointsTotal);
  let within = 0;
  if (p.stage === 'encode') {
    within = (p.stagePointsDone + (p.framesPerPoint > 0 ? p.pointFramesDone / p.framesPerPoint : 0)) / points;
  } else if (p.stage === 'verify' || p.stage === 'measure') {
    within = p.stagePointsDone / points;
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
  const points = ratePoints(base.data.request);
  let progress: JobProgress = {
    stage: 'prepare', ratePoint: 0, ratePointsTotal: points.length, stagePointsDone: 0, pointFramesDone: 0,
    framesPerPoint: base.data.request.frames ?? base.data.sequence.frames, percent: 0,
  };
  const ctx: StageContext = {
    ...base,
    progress(p) {
      const before = progress.percent;
      progress = { ...progress, ...p };
      // Never backwards: a rate-matching trial restarts its frame count but not the job.
      progress.percent = Math.max(before, percentOf(progress));
      hooks.onProgress(progress);
    },
  };
  await mkdir(ctx.logsDir, { recursive: true });
  await rm(path.join(ctx.dir, 'report.json'), { force: true });
  const timings: StageTiming[] = [];
  async function stage<T>(name: Stage, fn: () => Promise<T>): Promise<T> {
    throwIfAborted(ctx.signal);
    hooks.onStage?.(name);
    ctx.progress({ stage: name, stagePointsDone: 0 });
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
  ctx.progress({ stage: 'done', stagePointsDone: points.length });

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
