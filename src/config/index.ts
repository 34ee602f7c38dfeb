// Service configuration, read once from the environment. Every knob has a default that works on a
// fresh machine; tests and the embedded start command override them by passing their own env.
import path from 'node:path';
import { parseOnnxEp, type OnnxEp } from '../models/onnx-ep.js';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** undefined means "embedded": src/main.ts starts its own redis-server. */
  redisUrl?: string;
  queuePrefix: string;
  queueName: string;
  maxUploadBytes: number;
  /** BullMQ lock and stalled-check timing; short in tests so a killed worker's job is recovered fast. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  /** Attempts for crashed jobs (bad input is never retried). */
  jobAttempts: number;
  backoffMs: number;
  /** How long SIGTERM waits for the running job before handing it back to the queue. */
  shutdownGraceMs: number;
  /** Upper bound for one external program run (encoder / decoder). */
  toolTimeoutMs: number;
  workerConcurrency: number;
  /** Jobs as BullMQ flows: one child job per rate point, the parent measures and reports (JOB_FLOW=on|off). */
  flowJobs: boolean;
  /** Finished jobs (completed, failed, cancelled) older than this many days are removed; 0 keeps them for ever. */
  jobRetentionDays: number;
  /** How often the API process looks for finished jobs past JOB_RETENTION_DAYS. */
  jobPruneIntervalMs: number;
  nnvvcEnc: string;
  nnvvcDec: string;
  /** nnvvc-join (NNVVC_JOIN; default: beside nnvvc-enc): joins the segments of a job cut into segments. */
  nnvvcJoin: string;
  /** nnvvc-feature (NNVVC_FEATURE; default: beside nnvvc-enc): the split predictor's temporal feature of B pictures,
   * once per job; without it the worker computes the same values in JavaScript, 4-9x slower. */
  nnvvcFeature: string;
  vtmEncoderApp?: string;
  vtmDecoderApp?: string;
  /** Execution provider for the CNN split predictor (NNVVC_ONNX_EP; src/models/onnx-ep.ts). */
  onnxEp: OnnxEp;
  logLevel: string;
}

function int(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) throw new Error(`invalid ${name}=${JSON.stringify(raw)}: expected a non-negative number`);
  return Math.floor(v);
}

/** A number of days >= 0 (fractions allowed); unset or empty gives `def`. */
function days(env: NodeJS.ProcessEnv, name: string, def: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) {
    throw new Error(`invalid ${name}=${JSON.stringify(raw)}: expected a number of days >= 0 (e.g. 30 or 0.5; 0 or unset keeps finished jobs for ever)`);
  }
  return v;
}

function opt(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

function pruneInterval(env: NodeJS.ProcessEnv): number {
  const v = int(env, 'JOB_PRUNE_INTERVAL_MS', 3600_000);
  if (v < 1000) throw new Error(`invalid JOB_PRUNE_INTERVAL_MS=${JSON.stringify(env.JOB_PRUNE_INTERVAL_MS)}: expected at least 1000 (milliseconds between prunes; default 3600000 = hourly)`);
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const root = process.cwd();
  return {
    host: env.HOST ?? '0.0.0.0',
    port: int(env, 'PORT', 8080),
    dataDir: path.resolve(env.DATA_DIR ?? path.join(root, 'data')),
    redisUrl: opt(env, 'REDIS_URL'),
    queuePrefix: env.QUEUE_PREFIX || 'nnvvc',
    queueName: 'nnvvc-encode',
    maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', 2 * 1024 * 1024 * 1024),
    lockDurationMs: int(env, 'LOCK_DURATION_MS', 30_000),
    stalledIntervalMs: int(env, 'STALLED_INTERVAL_MS', 30_000),
    maxStalledCount: int(env, 'MAX_STALLED_COUNT', 2),
    jobAttempts: Math.max(1, int(env, 'JOB_ATTEMPTS', 3)),
    backoffMs: int(env, 'JOB_BACKOFF_MS', 5_000),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 20_000),
    toolTimeoutMs: int(env, 'TOOL_TIMEOUT_MS', 6 * 3600_000),
    workerConcurrency: Math.max(1, int(env, 'WORKER_CONCURRENCY', 1)),
    flowJobs: (env.JOB_FLOW ?? 'on').toLowerCase() !== 'off',
    jobRetentionDays: days(env, 'JOB_RETENTION_DAYS', 0),
    jobPruneIntervalMs: pruneInterval(env),
    nnvvcEnc: path.resolve(env.NNVVC_ENC ?? path.join(root, 'codec/build/nnvvc-enc')),
    nnvvcDec: path.resolve(env.NNVVC_DEC ?? path.join(root, 'codec/build/nnvvc-dec')),
    nnvvcJoin: path.resolve(env.NNVVC_JOIN ?? path.join(path.dirname(path.resolve(env.NNVVC_ENC ?? path.join(root, 'codec/build/nnvvc-enc'))), 'nnvvc-join')),
    nnvvcFeature: path.resolve(env.NNVVC_FEATURE ?? path.join(path.dirname(path.resolve(env.NNVVC_ENC ?? path.join(root, 'codec/build/nnvvc-enc'))), 'nnvvc-feature')),
    vtmEncoderApp: opt(env, 'VTM_ENCODER_APP'),
    vtmDecoderApp: opt(env, 'VTM_DECODER_APP'),
    onnxEp: parseOnnxEp(env.NNVVC_ONNX_EP),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}

/** Key names shared by API and worker; all live under the queue prefix so tests can clean up by prefix. */
export function cancelKey(cfg: Pick<Config, 'queuePrefix'>, jobId: string): string {
  return `${cfg.queuePrefix}:nnvvc:cancel:${jobId}`;
}
export function cancelChannel(cfg: Pick<Config, 'queuePrefix'>): string {
  return `${cfg.queuePrefix}:nnvvc:cancel`;
}
