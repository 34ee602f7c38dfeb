// The job pipeline: named stages run in order, each a small module in ./stages with typed input/output.
// The pipeline owns progress bookkeeping (percent over the whole job) and per-stage timing.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StageContext } from './context.js';
import type { JobProgress, JobResultSummary, Stage } from '../queue/types.js';
import type { SplitPrediction } from './stages/predict-splits.js';
import { throwIfAborted, VerificationError } from './errors.js';
import { prepare } from './stages/prepare.js';
import { predictSplits } from './stages/predict-splits.js';
import { encode, type EncodedPoint } from './stages/encode.js';
import { ratePoints } from '../queue/rate-points.js';
import { jobSegments } from '../queue/segments.js';
import { joinPoint } from './stages/join.js';
import { qpLabel } from './stages/encoded-point.js';
import { verify, type VerifiedPoint } from './stages/verify.js';
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

/** What a flow child (one rate point) hands its parent: small, JSON, stored by BullMQ as the child's return value. */
export interface PointResultSummary {
  point: number;
  /** A child of a job cut into segments: its segment (not verified: the parent joins, then verifies). */
  segment?: number;
  encoded: EncodedPoint;
  verified?: VerifiedPoint;
  splits: Pick<SplitPrediction, 'model' | 'note' | 'info'>;
  timings: StageTiming[];
}

/** Runs one named stage: abort check, stage hook, progress reset for the stage, its timing appended to `timings`. */
function stageRunner(ctx: StageContext, hooks: PipelineHooks, timings: StageTiming[]) {
  return async <T>(name: Stage, fn: () => Promise<T>): Promise<T> => {
    throwIfAborted(ctx.signal);
    hooks.onStage?.(name);
    ctx.progress({ stage: name, stagePointsDone: 0 });
    const t0 = performance.now();
    const out = await fn();
    timings.push({ stage: name, seconds: (performance.now() - t0) / 1000 });
    return out;
  };
}

/** Progress of one flow child: its own point's stages, percent over that point alone (0..100). */
function childPercent(p: JobProgress): number {
  if (p.stage === 'done') return 100;
  // the child's work ends with verify (95 in STAGE_SPAN); scale so a finished point is 100
  return Math.round(Math.min(100, (percentOf({ ...p, ratePointsTotal: 1 }) / 95) * 100) * 10) / 10;
}

/**
 * Flow child: prepare, predict splits, encode and verify ONE rate point (BullMQ FlowProducer child job); any
 * number of workers run a job's points side by side. The parent (runAggregatePipeline) measures and reports.
 */
export async function runPointPipeline(base: PipelineContext, hooks: PipelineHooks, point: number): Promise<PointResultSummary> {
  const points = ratePoints(base.data.request);
  if (!(point >= 0 && point < points.length)) throw new VerificationError(`rate point ${point} out of range 0..${points.length - 1}`);
  let progress: JobProgress = {
    stage: 'prepare', ratePoint: point, ratePointsTotal: points.length, stagePointsDone: 0, pointFramesDone: 0,
    framesPerPoint: base.data.request.frames ?? base.data.sequence.frames, percent: 0,
  };
  const ctx: StageContext = {
    ...base,
    pointIndices: [point],
    progress(p) {
      const before = progress.percent;
      progress = { ...progress, ...p, ratePoint: point, ratePointsTotal: points.length };
      progress.percent = Math.max(before, childPercent(progress));
      hooks.onProgress(progress);
    },
  };
  const segment = base.data.segment;
  if (segment !== undefined) ctx.segmentIndex = segment;
  await mkdir(ctx.logsDir, { recursive: true });
  const timings: StageTiming[] = [];
  const stage = stageRunner(ctx, hooks, timings);
  const prepared = await stage('prepare', () => prepare(ctx));
  const splits = await stage('predictSplits', () => predictSplits(ctx, prepared));
  const [encoded] = await stage('encode', () => encode(ctx, prepared, splits)).finally(() => splits.release?.());
  if (segment !== undefined) {
    ctx.progress({ stage: 'done', stagePointsDone: 1 });
    return { point, segment, encoded, splits: { model: splits.model, note: splits.note, ...(splits.info ? { info: splits.info } : {}) }, timings };
  }
  const [verified] = await stage('verify', () => verify(ctx, [encoded]));
  ctx.progress({ stage: 'done', stagePointsDone: 1 });
  return { point, encoded, verified, splits: { model: splits.model, note: splits.note, ...(splits.info ? { info: splits.info } : {}) }, timings };
}

/** Flow parent: runs once every child has finished; measures every point and writes the report. */
export async function runAggregatePipeline(base: PipelineContext, hooks: PipelineHooks, children: PointResultSummary[]): Promise<JobResultSummary> {
  const points = ratePoints(base.data.request);
  const all = [...children].sort((a, b) => a.point - b.point || (a.segment ?? 0) - (b.segment ?? 0));
  const byPoint = points.map((_, i) => all.filter((c) => c.point === i));
  const segmented = all.some((c) => c.segment !== undefined);
  const expected = points.length * (segmented ? jobSegments(base.data.request, base.data.sequence).length : 1);
  if (all.length !== expected || byPoint.some((c) => c.length === 0)) {
    throw new Error(`flow parent got ${children.length} child results for ${expected} children (${points.length} rate points)`);
  }
  return runStages(base, hooks, {
    encodeAndVerify: async (ctx, stage) => {
      if (!segmented) return { encoded: byPoint.map((c) => c[0].encoded), verified: byPoint.map((c) => c[0].verified!) };
      // the children encoded segments: join each point's, then verify the joined streams here
      const encoded = await stage('encode', async () => {
        const out: EncodedPoint[] = [];
        for (const [i, parts] of byPoint.entries()) {
          ctx.progress({ stage: 'encode', ratePoint: i, stagePointsDone: i });
          out.push(await joinPoint(ctx, qpLabel(parts[0].encoded.qp), parts[0].encoded.qp, parts.map((c) => c.encoded)));
        }
        return out;
      });
      const verified = await stage('verify', () => verify(ctx, encoded));
      return { encoded, verified };
    },
    splits: mergeChildSplits(all.map((c) => c.splits)),
    childTimings: all.flatMap((c) => c.timings.map((t) => ({ stage: `${t.stage}[${c.encoded.label}]`, seconds: t.seconds }))),
  });
}

/** One report entry for the split predictor over all children: times and frames summed, hints of every QP. */
function mergeChildSplits(all: PointResultSummary['splits'][]): SplitPrediction {
  const first = all[0];
  const infos = all.map((s) => s.info).filter((i): i is NonNullable<typeof i> => Boolean(i));
  if (!infos.length) return { model: first.model, note: first.note };
  const info = {
    ...infos[0],
    loadSeconds: infos.reduce((t, i) => t + i.loadSeconds, 0),
    inferenceSeconds: infos.reduce((t, i) => t + i.inferenceSeconds, 0),
    framesPredicted: infos.reduce((t, i) => t + i.framesPredicted, 0),
    hints: Object.assign({}, ...infos.map((i) => i.hints)) as Record<string, string>,
  };
  return { model: first.model, note: first.note, info };
}

export async function runPipeline(base: PipelineContext, hooks: PipelineHooks): Promise<JobResultSummary> {
  return runStages(base, hooks);
}

type Stager = ReturnType<typeof stageRunner>;

async function runStages(base: PipelineContext, hooks: PipelineHooks, fromChildren?: {
  encodeAndVerify: (ctx: StageContext, stage: Stager) => Promise<{ encoded: EncodedPoint[]; verified: VerifiedPoint[] }>;
  splits: SplitPrediction; childTimings: StageTiming[];
}): Promise<JobResultSummary> {
  const points = ratePoints(base.data.request);
  let progress: JobProgress = {
    stage: 'prepare', ratePoint: 0, ratePointsTotal: points.length, stagePointsDone: 0, pointFramesDone: 0,
    framesPerPoint: base.data.request.frames ?? base.data.sequence.frames, percent: 0,
  };
  // A flow parent continues where its children's summed progress stopped (encode + verify done): never backwards.
  if (fromChildren) progress = { ...progress, ratePoint: points.length - 1, pointFramesDone: progress.framesPerPoint, percent: STAGE_SPAN.verify[1] };
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
  const stage = stageRunner(ctx, hooks, timings);

  const prepared = await stage('prepare', () => prepare(ctx));
  let splits: SplitPrediction, encoded: EncodedPoint[], verified: VerifiedPoint[];
  if (fromChildren) {
    // encode and verify ran in the child jobs: the parent starts where they left off
    splits = fromChildren.splits;
    ({ encoded, verified } = await fromChildren.encodeAndVerify(ctx, stage));
    timings.push(...fromChildren.childTimings);
    ctx.progress({ stage: 'verify', ratePoint: points.length - 1, stagePointsDone: points.length, pointFramesDone: ctx.data.request.frames ?? ctx.data.sequence.frames });
  } else {
    splits = await stage('predictSplits', () => predictSplits(ctx, prepared));
    encoded = await stage('encode', () => encode(ctx, prepared, splits)).finally(() => splits!.release?.());
    verified = await stage('verify', () => verify(ctx, encoded));
  }
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
