// BullMQ flows: a job's rate points as child jobs of one parent (FlowProducer), so any number of workers, on any
// number of machines sharing DATA_DIR, share one job's work. Children (POINT_JOB, id `<jobId>-p<i>`) prepare,
// encode and verify one rate point each; the parent (AGGREGATE_JOB, id `<jobId>`) waits in BullMQ's
// waiting-children state and, once every child has completed, measures and reports. A child that fails for good
// fails the parent (failParentOnFailure); a child whose worker died is re-queued by the stalled check.
// A random-access job cut into segments (segmentIntraPeriods) has one child per segment of each point (id
// `<jobId>-p<i>s<k>`); its parent joins each point's segments before it verifies, measures and reports.
import type { FlowJob, Job } from 'bullmq';
import { childWork, type ChildWork } from './segments.js';
import type { ChildView, JobData, JobProgress, PublicState, Stage } from './types.js';

export const POINT_JOB = 'point';
export const AGGREGATE_JOB = 'aggregate';

export function childJobId(jobId: string, point: number, segment?: number): string {
  return segment === undefined ? `${jobId}-p${point}` : `${jobId}-p${point}s${segment}`;
}

/** Every child job id of a job, in point (then segment) order. */
export function childJobIds(data: Pick<JobData, 'jobId' | 'request'> & { sequence?: JobData['sequence'] }): string[] {
  return childWork(data.request, data.sequence).map((w: ChildWork) => childJobId(data.jobId, w.point, w.segment));
}

/** The parent job id of a flow child's id, or null when the id is not a child's. */
export function parentOfChild(id: string): string | null {
  const m = /^(j_[a-z0-9]{12})-p\d+(?:s\d+)?$/.exec(id);
  return m ? m[1] : null;
}

export interface FlowOptions { queueName: string; attempts: number; backoffMs: number }

/** The flow for one job: parent + one child per rate point, in rate point order. */
export function jobFlow(data: JobData, o: FlowOptions): FlowJob {
  const retry = { attempts: o.attempts, backoff: { type: 'exponential', delay: o.backoffMs }, removeOnComplete: false, removeOnFail: false };
  return {
    name: AGGREGATE_JOB, queueName: o.queueName, data, opts: { jobId: data.jobId, ...retry },
    children: childWork(data.request, data.sequence).map((w) => ({
      name: POINT_JOB, queueName: o.queueName, data: { ...data, ...w },
      opts: { jobId: childJobId(data.jobId, w.point, w.segment), ...retry, failParentOnFailure: true },
    })),
  };
}

const STAGE_ORDER: Stage[] = ['queued', 'prepare', 'predictSplits', 'encode', 'verify', 'measure', 'report', 'done'];

function iso(ms?: number | null): string | null {
  return ms ? new Date(ms).toISOString() : null;
}

/** One child's view: a child that has started more than once (worker killed, tool crashed) is shown 'retrying' until it ends. */
export function childView(job: Job<JobData>, bullState: string, now = Date.now()): ChildView {
  const p = job.progress as JobProgress | number;
  const prog = typeof p === 'object' && p !== null ? p : null;
  const attempts = job.attemptsStarted ?? job.attemptsMade;
  const finished = bullState === 'completed' || bullState === 'failed';
  let state: ChildView['state'] = bullState === 'completed' ? 'completed' : bullState === 'failed' ? 'failed'
    : bullState === 'active' ? 'active' : 'waiting';
  const restarted = attempts > 1 || (job.stalledCounter ?? 0) > 0 || Boolean(job.failedReason);
  if (!finished && restarted) state = 'retrying';
  if (bullState === 'completed' && !prog) state = 'completed';
  const startedAt = job.processedOn ?? null;
  const v: ChildView = {
    id: job.id!, point: job.data.point ?? -1, ...(job.data.segment !== undefined ? { segment: job.data.segment } : {}), state, attempts,
    stage: bullState === 'completed' ? 'done' : prog?.stage ?? 'queued',
    percent: bullState === 'completed' ? 100 : prog?.percent ?? 0,
    startedAt: iso(startedAt), finishedAt: finished ? iso(job.finishedOn) : null,
    // processedOn is the latest attempt's start; job.timestamp (added) bounds the first from below
    elapsedSeconds: startedAt ? ((finished ? job.finishedOn ?? now : now) - Math.min(startedAt, firstStart(job) ?? startedAt)) / 1000 : null,
  };
  if (job.failedReason) v.error = job.failedReason;
  return v;
}

/** The first attempt's start, when the worker recorded it (data.firstStartedAt is not used: progress carries it). */
function firstStart(job: Job<JobData>): number | undefined {
  const p = job.progress as (JobProgress & { firstStartedAt?: number }) | number;
  return typeof p === 'object' && p !== null ? p.firstStartedAt : undefined;
}

/**
 * The parent's progress while its children run: the sum over children. percent: mean of the children's percents
 * over the encode+verify share of the job (0..95); stagePointsDone: points whose children are all past the stage;
 * ratePoint: the highest point started; pointFramesDone: frames of that point. total: children expected;
 * pointsTotal: rate points (fewer than children when points are cut into segments).
 */
export function summedProgress(children: ChildView[], childProgress: (JobProgress | null)[], total: number, framesPerPoint: number, pointsTotal = total): JobProgress {
  const n = Math.max(1, total);
  const started = children.map((c, i) => ({ c, p: childProgress[i] })).filter((e) => e.c.state !== 'waiting' || e.p);
  const stageOf = (e: { c: ChildView }) => STAGE_ORDER.indexOf(e.c.stage);
  const allEncoded = children.length === total && children.every((c) => stageOf({ c }) > STAGE_ORDER.indexOf('encode'));
  const stage: Stage = started.length === 0 ? 'queued' : allEncoded ? 'verify' : 'encode';
  const points = new Map<number, boolean>();
  for (const c of children) points.set(c.point, (points.get(c.point) ?? true) && stageOf({ c }) > STAGE_ORDER.indexOf(stage));
  const pastStage = [...points.values()].filter(Boolean).length;
  const last = started.reduce<{ c: ChildView; p: JobProgress | null } | null>((best, e) => (!best || e.c.point > best.c.point ? e : best), null);
  const percent = Math.round((children.reduce((s, c) => s + c.percent, 0) / n) * 0.95 * 10) / 10;
  return {
    stage, ratePoint: last ? last.c.point : 0, ratePointsTotal: pointsTotal, stagePointsDone: pastStage,
    pointFramesDone: last?.c.stage === 'done' ? framesPerPoint : last?.p?.pointFramesDone ?? 0, framesPerPoint, percent,
  };
}

/** Public state of a flow parent from its own BullMQ state and its children's. */
export function flowState(parentBullState: string, children: ChildView[]): PublicState | null {
  if (parentBullState !== 'waiting-children') return null;
  return children.some((c) => c.state !== 'waiting') ? 'active' : 'waiting';
}
