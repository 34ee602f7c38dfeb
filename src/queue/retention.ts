// JOB_RETENTION_DAYS: finished jobs (completed, failed, cancelled) whose finishedAt is older than that are deleted
// the way DELETE /v1/jobs/:id deletes them (BullMQ jobs, record, folder). The API process runs the pruner on a timer;
// pruneFinishedJobs is the one pass, callable directly (tests pass their own `now`).
import type { Logger } from '../log.js';
import { JobBusyError, type EncodeQueue } from './encode-queue.js';
import type { PublicState } from './types.js';

const FINISHED: readonly PublicState[] = ['completed', 'failed', 'cancelled'];
const DAY_MS = 24 * 3600_000;

export interface PruneOptions {
  retentionDays: number;
  /** The current time (ms or Date); Date.now() when not given. */
  now?: number | Date;
  log?: Logger;
}

export interface PruneResult {
  /** Jobs deleted, with the state they had. */
  removed: { id: string; state: PublicState; finishedAt: string; bytes: number }[];
  /** Finished jobs past the retention whose BullMQ jobs a worker still held: tried again next time. */
  busy: string[];
  errors: { id: string; error: string }[];
  /** Jobs looked at. */
  scanned: number;
}

/** One pass: deletes every finished job that finished more than `retentionDays` before `now`. No-op for 0. */
export async function pruneFinishedJobs(queue: EncodeQueue, o: PruneOptions): Promise<PruneResult> {
  const out: PruneResult = { removed: [], busy: [], errors: [], scanned: 0 };
  if (!(o.retentionDays > 0)) return out;
  const now = o.now === undefined ? Date.now() : typeof o.now === 'number' ? o.now : o.now.getTime();
  const cutoff = now - o.retentionDays * DAY_MS;
  for (const id of await queue.jobIds()) {
    out.scanned++;
    try {
      const v = await queue.view(id);
      if (!v || !FINISHED.includes(v.state) || !v.finishedAt) continue;
      const finished = Date.parse(v.finishedAt);
      if (!(finished < cutoff)) continue;
      const r = await queue.removeFinished(id);
      if (r && 'queueJobs' in r) {
        out.removed.push({ id, state: r.state, finishedAt: v.finishedAt, bytes: r.bytes });
        o.log?.info({ jobId: id, state: r.state, finishedAt: v.finishedAt, files: r.files, bytes: r.bytes }, 'finished job removed (JOB_RETENTION_DAYS)');
      }
    } catch (err) {
      if (err instanceof JobBusyError) { out.busy.push(id); continue; }
      out.errors.push({ id, error: (err as Error).message });
      o.log?.warn({ jobId: id, err: (err as Error).message }, 'could not remove an expired job');
    }
  }
  return out;
}

export interface JobPruner {
  /** Runs one pass now (waits for a pass already running instead of starting a second). */
  runNow(now?: number | Date): Promise<PruneResult>;
  /** Stops the timer and waits for a running pass. */
  stop(): Promise<void>;
}

/** Prunes every `intervalMs` (first pass after min(intervalMs, 10 s)); unref'd timers, so it never keeps a process alive. */
export function startJobPruner(queue: EncodeQueue, o: { retentionDays: number; intervalMs: number; log?: Logger }): JobPruner {
  let running: Promise<PruneResult> | null = null;
  let stopped = false;
  const runNow = (now?: number | Date): Promise<PruneResult> => {
    running ??= pruneFinishedJobs(queue, { retentionDays: o.retentionDays, now, log: o.log })
      .then((r) => {
        if (r.removed.length || r.errors.length) o.log?.info({ removed: r.removed.length, busy: r.busy.length, errors: r.errors.length, scanned: r.scanned }, 'job retention pass');
        return r;
      })
      .finally(() => { running = null; });
    return running;
  };
  const tick = () => {
    if (stopped) return;
    runNow().catch((err: Error) => o.log?.warn({ err: err.message }, 'job retention pass failed'));
  };
  const first = setTimeout(tick, Math.min(o.intervalMs, 10_000));
  first.unref();
  const timer = setInterval(tick, o.intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
