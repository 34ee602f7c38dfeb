// Shapes shared by API, queue and worker.
import type { SequenceMeta } from '../config/layout.js';

export type EncoderName = 'nnvvc' | 'vtm';

export interface JobRequest {
  sequenceId: string;
  config: 'ra' | 'ai';
  qps?: number[];
  targetKbps?: number[];
  frames?: number;
  intraPeriod?: number;
  preset?: string;
  encoder?: EncoderName;
  kind?: 'encode' | 'anchor';
}

/** What the queue carries: the request plus the sequence snapshot taken at submission. */
export interface JobData {
  jobId: string;
  request: JobRequest;
  sequence: SequenceMeta;
  createdAt: string;
}

export type Stage = 'queued' | 'prepare' | 'predictSplits' | 'encode' | 'verify' | 'measure' | 'report' | 'done';

export interface JobProgress {
  stage: Stage;
  ratePoint: number;        // 0-based index of the rate point being worked on
  ratePointsTotal: number;
  framesDone: number;       // frames finished in the current rate point
  framesTotal: number;
  percent: number;          // 0..100 over the whole job
}

export type PublicState = 'waiting' | 'active' | 'completed' | 'failed' | 'cancelled';

export interface JobView {
  id: string;
  state: PublicState;
  request: JobRequest;
  sequence?: SequenceMeta;
  progress: JobProgress;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error?: string;
  attempts: number;
}

/** Returned by the worker's processor; kept small (BullMQ stores it in Redis). */
export interface JobResultSummary {
  reportFile: string;
  ratePoints: { label: string; kbps: number; psnrYuv: number; encodeSeconds: number; verified: boolean }[];
}

export const CANCELLED_PREFIX = 'cancelled:';

export function initialProgress(ratePointsTotal: number, framesTotal: number): JobProgress {
  return { stage: 'queued', ratePoint: 0, ratePointsTotal, framesDone: 0, framesTotal, percent: 0 };
}
