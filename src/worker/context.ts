// What every pipeline stage receives. Stages are plain async functions (input -> output) in ./stages/.
import type { Logger } from '../log.js';
import type { Config } from '../config/index.js';
import type { JobData, JobProgress } from '../queue/types.js';
import type { DecoderAdapter, EncoderAdapter } from './tool-adapter.js';

export interface Tools {
  encoders: Record<'nnvvc' | 'vtm', EncoderAdapter>;
  /** Every decoder we try in verify; those not available are reported as skipped. */
  decoders: DecoderAdapter[];
}

export interface StageContext {
  cfg: Config;
  log: Logger;
  jobId: string;
  data: JobData;
  /** DATA_DIR/jobs/<jobId> */
  dir: string;
  logsDir: string;
  signal: AbortSignal;
  tools: Tools;
  /** Flow child jobs: the rate point indices this run encodes (all of the job's points when absent). */
  pointIndices?: number[];
  /** Flow child jobs of a job cut into segments: the one segment of its point this run encodes (no join). */
  segmentIndex?: number;
  /** Merge into the job's progress (throttled before it reaches Redis). */
  progress(p: Partial<JobProgress>): void;
}
