// EncodeQueue: the API's view of the one BullMQ queue `nnvvc-encode`: submit, look up, list and cancel jobs.
import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { FlowProducer, Queue, type Job } from 'bullmq';
import { childJobIds, childView, flowState, jobFlow, summedProgress } from './flow.js';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { cancelChannel, cancelKey } from '../config/index.js';
import { JOB_ID_RE, jobDir, jobsDir, newId } from '../config/layout.js';
import { bullConnection, createRedis } from './redis.js';
import { readJobRecord, updateJobRecord, writeJobRecord } from './job-record.js';
import { ratePoints } from './rate-points.js';
import { CANCELLED_PREFIX, initialProgress, type ChildView, type JobData, type JobProgress, type JobResultSummary, type JobView, type PublicState } from './types.js';

export type EncodeJob = Job<JobData, JobResultSummary>;
export type CancelOutcome = 'removed' | 'signalled' | 'finished' | 'not-found';

const FINISHED: readonly PublicState[] = ['completed', 'failed', 'cancelled'];

/** What deleting a finished job removed. */
export interface RemovedJob {
  id: string;
  /** The job's state before it was removed. */
  state: PublicState;
  /** BullMQ jobs removed: the job itself and, for a flow, its rate-point children `<id>-p<i>`. */
  queueJobs: string[];
  /** The job folder (relative to DATA_DIR) with job.json, inputs, logs, bitstreams, reconstructions and reports. */
  folder: string;
  files: number;
  bytes: number;
}

/** A finished job cannot be removed yet: some of its BullMQ jobs are still held by a worker (e.g. a child stopping after a cancel). */
export class JobBusyError extends Error {
  override name = 'JobBusyError';
  constructor(readonly jobId: string, readonly running: string[]) {
    super(`job ${jobId} has finished but ${running.join(', ')} ${running.length === 1 ? 'is' : 'are'} still held by a worker; try again in a few seconds`);
  }
}

async function folderSize(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0, bytes = 0;
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return { files, bytes }; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const sub = await folderSize(p);
      files += sub.files;
      bytes += sub.bytes;
    } else {
      files++;
      bytes += await lstat(p).then((st) => st.size, () => 0);
    }
  }
  return { files, bytes };
}

export function publicState(bullState: string, failedReason?: string): PublicState {
  switch (bullState) {
    case 'active': return 'active';
    case 'completed': return 'completed';
    case 'failed': return failedReason?.startsWith(CANCELLED_PREFIX) ? 'cancelled' : 'failed';
    default: return 'waiting'; // waiting, prioritized, delayed (retry backoff), waiting-children
  }
}

/** Progress of a job no worker has reported on yet: one rate point per QP / target rate. */
const TERMINAL_BULL = new Set(['completed', 'failed']);

function queuedProgress(d: JobData): JobProgress {
  return initialProgress(ratePoints(d.request).length, d.request.frames ?? d.sequence.frames);
}

function iso(ms?: number | null): string | null {
  return ms ? new Date(ms).toISOString() : null;
}

export class EncodeQueue {
  readonly queue: Queue<JobData, JobResultSummary>;
  readonly redis: Redis;
  private readonly flows: FlowProducer;

  /** onError: connection errors of the queue clients (ioredis reconnects by itself; without a listener BullMQ prints each one). */
  constructor(private readonly cfg: Config, onError?: (err: Error) => void) {
    if (!cfg.redisUrl) throw new Error('EncodeQueue needs cfg.redisUrl');
    this.queue = new Queue<JobData, JobResultSummary>(cfg.queueName, {
      connection: bullConnection(cfg.redisUrl),
      prefix: cfg.queuePrefix,
      defaultJobOptions: {
        attempts: cfg.jobAttempts,
        backoff: { type: 'exponential', delay: cfg.backoffMs },
        removeOnComplete: false,
        removeOnFail: false,
      },
    });
    this.flows = new FlowProducer({ connection: bullConnection(cfg.redisUrl), prefix: cfg.queuePrefix });
    // one report per 5 s at most while Redis is away (a restart shows as a burst of ECONNREFUSED)
    let last = 0;
    const report = (err: Error) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      onError?.(err);
    };
    this.queue.on('error', report);
    this.flows.on('error', report);
    this.redis = createRedis(cfg.redisUrl, { onError: report });
  }

  static newJobId(): string {
    return newId('j');
  }

  async submit(data: JobData): Promise<void> {
    try {
      await writeJobRecord(this.cfg.dataDir, { ...data, state: 'waiting', startedAt: null, finishedAt: null, attempts: 0 });
    } catch (err) {
      // e.g. disk full: no empty job folder is left behind
      await rm(jobDir(this.cfg.dataDir, data.jobId), { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    try {
      if (this.cfg.flowJobs) {
        await this.flows.add(jobFlow(data, { queueName: this.cfg.queueName, attempts: this.cfg.jobAttempts, backoffMs: this.cfg.backoffMs }));
      } else {
        await this.queue.add('encode', data, { jobId: data.jobId });
      }
    } catch (err) {
      // Not queued: its job.json would otherwise list it as waiting for ever (and block deleting its sequence).
      await rm(jobDir(this.cfg.dataDir, data.jobId), { recursive: true, force: true });
      throw err;
    }
  }

  async getJob(id: string): Promise<EncodeJob | undefined> {
    return (await this.queue.getJob(id)) ?? undefined;
  }

  /** Current view: BullMQ is the truth while the job is there; job.json covers jobs removed from the queue. */
  async view(id: string): Promise<JobView | null> {
    if (!JOB_ID_RE.test(id)) return null;
    let job = await this.getJob(id);
    if (!job) {
      const rec = await readJobRecord(this.cfg.dataDir, id);
      if (!rec) return null;
      return {
        id, state: rec.state, request: rec.request, sequence: rec.sequence,
        progress: rec.progress ?? queuedProgress(rec),
        createdAt: rec.createdAt, startedAt: rec.startedAt, finishedAt: rec.finishedAt, error: rec.error, attempts: rec.attempts,
      };
    }
    const bullState = await job.getState();
    // The job finished between reading it and reading its state: read it again, so that its reason and finish
    // time go with that state (else a failed job could be shown without its error).
    if (TERMINAL_BULL.has(bullState) && !job.finishedOn) job = (await this.getJob(id)) ?? job;
    let state = publicState(bullState, job.failedReason);
    // A flow parent cancelled while its children ran fails through a child: the cancel key says it was a cancel.
    if (state === 'failed' && (await this.redis.exists(cancelKey(this.cfg, id)))) state = 'cancelled';
    const p = job.progress as JobProgress | number;
    let progress = typeof p === 'object' && p !== null ? p : queuedProgress(job.data);
    const childIds = childJobIds(job.data);
    const total = childIds.length;
    let children: ChildView[] | undefined;
    let startedAt = iso(job.processedOn);
    let attempts = job.attemptsStarted ?? job.attemptsMade;
    let note: string | undefined;
    if (job.name === 'aggregate') {
      const kids = await Promise.all(childIds.map((cid) => this.queue.getJob(cid)));
      const present = kids.filter((k): k is EncodeJob => Boolean(k));
      const states = await Promise.all(present.map((k) => k.getState()));
      children = present.map((k, i) => childView(k, states[i]));
      const fs = flowState(bullState, children);
      const summed = summedProgress(children, present.map((k) => (typeof k.progress === 'object' && k.progress !== null ? k.progress as JobProgress : null)), total, job.data.request.frames ?? job.data.sequence.frames, ratePoints(job.data.request).length);
      if (fs) {
        state = fs;
        progress = summed;
      } else if (!TERMINAL_BULL.has(bullState) && summed.percent > progress.percent) {
        // children done, parent not yet reporting (queued for a worker, or just picked up): never show less than they did
        progress = summed;
        if (state === 'waiting' && children.length === total && children.every((c) => c.state === 'completed')) state = 'active';
      }
      const starts = present.map((k) => k.processedOn ?? 0).filter((t) => t > 0);
      if (!startedAt && starts.length) startedAt = iso(Math.min(...starts));
      attempts = Math.max(attempts, ...children.map((c) => c.attempts));
      const retrying = children.filter((c) => c.state === 'retrying');
      if (retrying.length) note = retrying.map((c) => `rate point ${c.point} ${c.stage === 'queued' ? 'waits for' : 'is on'} attempt ${c.attempts + (c.state === 'retrying' && states[present.findIndex((k) => k.id === c.id)] !== 'active' ? 1 : 0)} after ${c.error ? `a failure (${c.error})` : 'its worker stopped (stalled, retrying)'}`).join('; ');
    }
    const v: JobView = {
      id, state, request: job.data.request, sequence: job.data.sequence, progress,
      createdAt: job.data.createdAt, startedAt, finishedAt: state === 'completed' || state === 'failed' || state === 'cancelled' ? iso(job.finishedOn) : null,
      attempts, ...(children ? { children } : {}), ...(note ? { note } : {}),
    };
    // A parent failed by its child (failParentOnFailure) says "child <key> failed": show the child's own reason.
    const failedChild = children?.find((c) => c.state === 'failed' && c.error);
    if (failedChild && /^child .* failed$/.test(job.failedReason ?? '')) job.failedReason = failedChild.error!;
    if (state === 'cancelled' && !job.failedReason?.startsWith(CANCELLED_PREFIX)) v.error = `${CANCELLED_PREFIX} cancelled by user (${job.failedReason})`;
    else if (state === 'failed' || state === 'cancelled') v.error = job.failedReason;
    else if (job.failedReason && state === 'waiting') v.error = `previous attempt failed: ${job.failedReason}`;
    return v;
  }

  /** Newest first. Jobs come from the job folders, so cancelled-while-waiting jobs are listed too. */
  async list(filter: { state?: PublicState | readonly PublicState[]; sequenceId?: string; limit: number }): Promise<JobView[]> {
    const states = filter.state === undefined ? null : typeof filter.state === 'string' ? [filter.state] : filter.state;
    let ids: string[] = [];
    try {
      ids = (await readdir(jobsDir(this.cfg.dataDir))).filter((n) => JOB_ID_RE.test(n)).sort().reverse();
    } catch { /* no jobs yet */ }
    const out: JobView[] = [];
    const CHUNK = 32;
    for (let i = 0; i < ids.length && out.length < filter.limit; i += CHUNK) {
      const views = await Promise.all(ids.slice(i, i + CHUNK).map((id) => this.view(id)));
      for (const v of views) {
        if (!v) continue;
        if (states && !states.includes(v.state)) continue;
        if (filter.sequenceId && v.request.sequenceId !== filter.sequenceId) continue;
        out.push(v);
        if (out.length >= filter.limit) break;
      }
    }
    return out;
  }

  /**
   * Cancel: a waiting job is removed from the queue; an active one is told to stop (a Redis key the worker
   * checks between stages, and a pub/sub message that aborts its running encoder at once).
   */
  async cancel(id: string): Promise<CancelOutcome> {
    const job = await this.getJob(id);
    if (!job) return 'not-found';
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return 'finished';
    await this.redis.set(cancelKey(this.cfg, id), '1', 'EX', 7 * 24 * 3600);
    if (state !== 'active') {
      try {
        await job.remove();
        await updateJobRecord(this.cfg.dataDir, id, { state: 'cancelled', finishedAt: new Date().toISOString(), error: `${CANCELLED_PREFIX} removed while waiting` });
        return 'removed';
      } catch {
        // it became active (locked) between getState and remove: fall through to signalling the worker
      }
    }
    await this.redis.publish(cancelChannel(this.cfg), id);
    return 'signalled';
  }

  /** Ids of every job that has a folder under DATA_DIR/jobs, oldest first. */
  async jobIds(): Promise<string[]> {
    try {
      return (await readdir(jobsDir(this.cfg.dataDir))).filter((n) => JOB_ID_RE.test(n)).sort();
    } catch {
      return [];
    }
  }

  /**
   * Deletes a finished job (completed, failed, cancelled) for good: its BullMQ job(s) (a flow's parent and its
   * rate-point children), its cancel key, its job record and its whole folder. Returns null for an unknown job, the
   * job's state when it has not finished (nothing is removed); throws JobBusyError while a worker still holds one of
   * its BullMQ jobs.
   */
  async removeFinished(id: string): Promise<RemovedJob | { notFinished: PublicState } | null> {
    const v = await this.view(id);
    if (!v) return null;
    if (!FINISHED.includes(v.state)) return { notFinished: v.state };
    const ids = [id, ...childJobIds({ jobId: id, request: v.request, sequence: v.sequence })];
    const jobs = (await Promise.all(ids.map((j) => this.queue.getJob(j)))).filter((j): j is EncodeJob => Boolean(j));
    const states = await Promise.all(jobs.map((j) => j.getState()));
    const running = jobs.filter((_, i) => states[i] === 'active').map((j) => j.id!);
    if (running.length) throw new JobBusyError(id, running);
    const removed: string[] = [];
    for (const j of jobs) {
      // the parent goes first and takes its children with it (removeChildren); what is left is removed one by one
      if (!(await this.queue.getJob(j.id!))) { removed.push(j.id!); continue; }
      try {
        await j.remove({ removeChildren: true });
      } catch (err) {
        if (/locked/i.test((err as Error).message)) throw new JobBusyError(id, [j.id!]);
        throw err;
      }
      removed.push(j.id!);
    }
    await this.redis.del(cancelKey(this.cfg, id));
    const dir = jobDir(this.cfg.dataDir, id);
    const size = await folderSize(dir);
    await rm(dir, { recursive: true, force: true });
    return { id, state: v.state, queueJobs: removed, folder: path.relative(this.cfg.dataDir, dir), ...size };
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.flows.close();
    this.redis.disconnect();
  }
}
