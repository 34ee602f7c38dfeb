// EncodeWorker: takes jobs from `nnvvc-encode` and runs the stage pipeline on each.
// - bad input / verification failures -> UnrecoverableError (no retry); tool crashes -> retried with backoff
// - cancel: API sets a key + publishes on a channel; we abort the job's AbortSignal, which kills the encoder
// - SIGTERM: stop taking jobs, let the running one finish within the grace period, else hand it back to the queue
// - a worker that dies (SIGKILL) loses its lock; another worker's stalled check re-queues the job
import path from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { cancelChannel, cancelKey, type Config } from '../config/index.js';
import { jobDir } from '../config/layout.js';
import { bullConnection, createRedis } from '../queue/redis.js';
import { readJobRecord, updateJobRecord } from '../queue/job-record.js';
import { AGGREGATE_JOB, POINT_JOB } from '../queue/flow.js';
import { CANCELLED_PREFIX, type JobData, type JobProgress, type JobResultSummary, type Stage } from '../queue/types.js';
import { BadInputError, CancelledError, VerificationError } from './errors.js';
import { noSpaceCode, StorageFullError } from '../storage.js';
import { NnvvcDecoder, NnvvcEncoder } from './encoders.js';
import type { DecoderAdapter } from './tool-adapter.js';
import { VtmDecoder, VtmEncoder } from '../../vtm/adapter.js';
import type { Tools } from './context.js';
import { runAggregatePipeline, runPipeline, runPointPipeline, type PointResultSummary } from './pipeline.js';
import { writeFailureReport } from './stages/report.js';

/** Progress is written to Redis at most this often (plus every stage change). */
const PROGRESS_MIN_INTERVAL_MS = 250;

export function defaultTools(cfg: Config): Tools {
  const decoders: DecoderAdapter[] = [new NnvvcDecoder(cfg.nnvvcDec)];
  if (cfg.vtmDecoderApp) decoders.push(new VtmDecoder(cfg.vtmDecoderApp));
  return {
    encoders: { nnvvc: new NnvvcEncoder(cfg.nnvvcEnc), vtm: new VtmEncoder(cfg.vtmEncoderApp) },
    decoders,
  };
}

/** A disk-full error of any stage as a StorageFullError naming the file (relative to DATA_DIR), else null. */
function storageFull(e: Error, dataDir: string): StorageFullError | null {
  if (e instanceof StorageFullError) return e;
  const code = noSpaceCode(e);
  if (!code) return null;
  const p = (e as NodeJS.ErrnoException).path;
  // a temporary name (file.<pid>.<random>.tmp) is shown as the file it was to become
  const file = p ? path.relative(dataDir, p).replace(/\.\d+\.[a-z0-9]+\.tmp$/, '') : 'a file in the job folder';
  return new StorageFullError('a job file', file, code);
}

export class EncodeWorker {
  readonly worker: Worker<JobData, JobResultSummary>;
  private readonly sub: Redis;
  private readonly redis: Redis;
  private handingBack = false;
  /** BullMQ id -> the service job id it works for (a flow child works for its parent's id). */
  private readonly running = new Map<string, string>();
  private closing: Promise<void> | null = null;

  constructor(private readonly cfg: Config, private readonly log: Logger, private readonly tools: Tools = defaultTools(cfg)) {
    // (flow jobs: POINT_JOB children encode one rate point each; AGGREGATE_JOB parents measure and report)
    if (!cfg.redisUrl) throw new Error('EncodeWorker needs cfg.redisUrl');
    const onError = (err: Error) => this.log.warn({ err: err.message }, 'redis connection error');
    this.redis = createRedis(cfg.redisUrl, { onError });
    this.sub = createRedis(cfg.redisUrl, { onError });
    this.worker = new Worker<JobData, JobResultSummary>(cfg.queueName, (job, token, signal) => this.process(job, token, signal), {
      connection: bullConnection(cfg.redisUrl),
      prefix: cfg.queuePrefix,
      concurrency: cfg.workerConcurrency,
      lockDuration: cfg.lockDurationMs,
      stalledInterval: cfg.stalledIntervalMs,
      maxStalledCount: cfg.maxStalledCount,
      autorun: true,
    });
    this.worker.on('error', (err) => this.log.error({ err: err.message }, 'worker error'));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      this.log.warn({ jobId: job.id, attemptsMade: job.attemptsMade, final, err: err.message }, 'job attempt failed');
      if (final && job.id) {
        const cancelled = err.message.startsWith(CANCELLED_PREFIX);
        // a flow child's final failure fails its parent (failParentOnFailure): the parent's job.json says so
        updateJobRecord(this.cfg.dataDir, job.data.jobId ?? job.id, {
          state: cancelled ? 'cancelled' : 'failed', finishedAt: new Date().toISOString(), error: err.message, attempts: job.attemptsMade,
        }).catch((e: Error) => this.log.warn({ jobId: job.id, err: e.message }, 'could not update job.json')); // e.g. disk full
      }
    });
    void this.sub.subscribe(cancelChannel(cfg));
    this.sub.on('message', (_channel: string, jobId: string) => {
      for (const [bullId, serviceId] of this.running) {
        if (serviceId === jobId && this.worker.cancelJob(bullId, 'cancelled by user')) this.log.info({ jobId, bullId }, 'cancel signal delivered to running job');
      }
    });
  }

  waitUntilReady(): Promise<void> {
    return this.worker.waitUntilReady().then(() => undefined);
  }

  private async process(job: Job<JobData, JobResultSummary>, token: string | undefined, signal: AbortSignal | undefined): Promise<JobResultSummary> {
    // A flow child (POINT_JOB) works in its parent's folder and obeys its parent's cancel key.
    const jobId = job.data.jobId ?? job.id!;
    const isPoint = job.name === POINT_JOB;
    const log = this.log.child({ jobId, ...(isPoint ? { point: job.data.point } : {}), attempt: job.attemptsStarted ?? job.attemptsMade + 1 });
    this.running.set(job.id!, jobId);
    try {
      return await this.processJob(job, token, signal, jobId, isPoint, log);
    } finally {
      this.running.delete(job.id!);
    }
  }

  private async processJob(job: Job<JobData, JobResultSummary>, token: string | undefined, signal: AbortSignal | undefined, jobId: string, isPoint: boolean, log: Logger): Promise<JobResultSummary> {
    const dir = jobDir(this.cfg.dataDir, jobId);
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(signal.reason), { once: true });
    // The pub/sub message may have been missed (worker started after the cancel): the key is the source of truth.
    const pollCancel = setInterval(() => {
      void this.redis.exists(cancelKey(this.cfg, jobId)).then((n) => { if (n) abort.abort('cancelled by user'); }, () => {});
    }, 2000);
    // (a Redis that restarts just now is no reason to fail the attempt: the poll above checks again)
    if (await this.redis.exists(cancelKey(this.cfg, jobId)).catch(() => 0)) {
      clearInterval(pollCancel);
      throw new UnrecoverableError(`${CANCELLED_PREFIX} cancelled before start`);
    }
    log.info(isPoint ? 'rate point started' : 'job started');
    const rec = await readJobRecord(this.cfg.dataDir, jobId);
    if (!isPoint || rec?.state === 'waiting') {
      try {
        await updateJobRecord(this.cfg.dataDir, jobId, { state: 'active', startedAt: rec?.startedAt ?? new Date().toISOString(), attempts: job.attemptsStarted ?? job.attemptsMade + 1 });
      } catch (err) {
        clearInterval(pollCancel);
        const full = storageFull(err as Error, this.cfg.dataDir);
        if (full) throw new UnrecoverableError(full.message);
        throw err;
      }
    }

    let stage: Stage = 'prepare';
    let lastSent = 0;
    let pending: JobProgress | null = null;
    let timer: NodeJS.Timeout | null = null;
    let lastStage: Stage | null = null;
    const prior = job.progress as JobProgress | number;
    const firstStartedAt = (typeof prior === 'object' && prior !== null ? prior.firstStartedAt : undefined) ?? Date.now();
    const send = (p: JobProgress) => {
      lastSent = Date.now();
      pending = null;
      job.updateProgress(isPoint ? { ...p, firstStartedAt } : p).catch((err: Error) => log.warn({ err: err.message }, 'progress update failed'));
    };
    const onProgress = (p: JobProgress) => {
      const stageChanged = p.stage !== lastStage;
      lastStage = p.stage;
      if (stageChanged || Date.now() - lastSent >= PROGRESS_MIN_INTERVAL_MS) {
        if (timer) { clearTimeout(timer); timer = null; }
        send({ ...p });
      } else {
        pending = { ...p };
        timer ??= setTimeout(() => { timer = null; if (pending) send(pending); }, PROGRESS_MIN_INTERVAL_MS);
      }
    };

    try {
      const base = { cfg: this.cfg, log, jobId, data: job.data, dir, logsDir: path.join(dir, 'logs'), signal: abort.signal, tools: this.tools };
      const hooks = { onProgress, onStage: (s: Stage) => { stage = s; } };
      if (isPoint) {
        const r = await runPointPipeline(base, hooks, job.data.point ?? -1);
        if (timer) clearTimeout(timer);
        if (pending) send(pending);
        log.info({ label: r.encoded.label, seconds: r.encoded.result.encodeSeconds }, 'rate point done');
        return r as unknown as JobResultSummary; // the parent reads it with getChildrenValues()
      }
      const result = job.name === AGGREGATE_JOB
        ? await runAggregatePipeline(base, hooks, Object.values(await job.getChildrenValues<PointResultSummary>()))
        : await runPipeline(base, hooks);
      if (timer) clearTimeout(timer);
      if (pending) send(pending);
      await updateJobRecord(this.cfg.dataDir, jobId, { state: 'completed', finishedAt: new Date().toISOString() });
      log.info({ ratePoints: result.ratePoints.length }, 'job completed');
      return result;
    } catch (err) {
      if (timer) clearTimeout(timer);
      const e = err as Error;
      if (abort.signal.aborted || e instanceof CancelledError) {
        if (this.handingBack && token) {
          // Shutdown grace period is over: give the job back untouched so another worker runs it.
          log.warn('shutting down: job handed back to the queue');
          await job.moveToWait(token);
          if (!isPoint) await updateJobRecord(this.cfg.dataDir, jobId, { state: 'waiting' });
          throw new WaitingError();
        }
        log.info({ stage }, 'job cancelled');
        await writeFailureReport(dir, jobId, stage, 'cancelled by user', job.attemptsMade + 1).catch(() => {});
        throw new UnrecoverableError(`${CANCELLED_PREFIX} cancelled by user during ${stage}`);
      }
      const full = storageFull(e, this.cfg.dataDir);
      if (full) {
        // Disk full: the job fails now, with what could not be written (retrying on a full disk only fails again).
        log.error({ stage, err: full.message }, 'job failed: disk full');
        await writeFailureReport(dir, jobId, stage, full.message, job.attemptsMade + 1).catch(() => {});
        throw new UnrecoverableError(full.message);
      }
      log.error({ stage, err: e.message }, 'job attempt failed');
      await writeFailureReport(dir, jobId, stage, e.message, job.attemptsMade + 1).catch(() => {});
      if (e instanceof BadInputError || e instanceof VerificationError) throw new UnrecoverableError(e.message);
      throw e; // crash of a tool or of ours: retried with exponential backoff
    } finally {
      clearInterval(pollCancel);
    }
  }

  /** Graceful stop: wait for the running job up to the grace period, then hand it back. Never loses a job. */
  close(graceMs = this.cfg.shutdownGraceMs): Promise<void> {
    this.closing ??= (async () => {
      const timer = setTimeout(() => {
        this.handingBack = true;
        this.log.warn({ graceMs }, 'grace period over: handing running jobs back to the queue');
        this.worker.cancelAllJobs('shutdown');
      }, graceMs);
      try {
        await this.worker.close();
      } finally {
        clearTimeout(timer);
        this.sub.disconnect();
        this.redis.disconnect();
      }
    })();
    return this.closing;
  }
}
