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
  /** ra: GOP size of our encoder, 16 or 32 (default 32, VTM-23.2's RA GOP); the intra period is a multiple of it.
   * VTM encodes (anchors) take the anchor's GOP for the intra period (anchorGopSize). */
  gopSize?: number;
  preset?: string;
  encoder?: EncoderName;
  kind?: 'encode' | 'anchor';
  /** ra with our encoder: cut each rate point into segments of this many intra periods, encoded by separate child
   * jobs (flows) and joined into one bitstream. */
  segmentIntraPeriods?: number;
}

/** What the queue carries: the request plus the sequence snapshot taken at submission. */
export interface JobData {
  jobId: string;
  request: JobRequest;
  sequence: SequenceMeta;
  createdAt: string;
  /** Flow child jobs only: the 0-based rate point this child encodes (the parent aggregates all of them). */
  point?: number;
  /** Flow child jobs of a job cut into segments: the 0-based segment of that rate point this child encodes. */
  segment?: number;
}

export type Stage = 'queued' | 'prepare' | 'predictSplits' | 'encode' | 'verify' | 'measure' | 'report' | 'done';

/**
 * Where a job stands. Rate points are the job's QPs (or targetKbps entries), in request order.
 * - ratePoint: 0-based index of the rate point being encoded, or encoded last. It only moves forward: after the
 *   encode stage it stays at ratePointsTotal - 1 through verify, measure and report.
 * - stagePointsDone: rate points the current stage has finished (encode, verify and measure each count
 *   0..ratePointsTotal; prepare, predictSplits and report, which do not go point by point, say 0; done says all).
 * - pointFramesDone: frames of the rate point being encoded that the encoder has finished, per rate point (not
 *   cumulative): 0..framesPerPoint, back to 0 when the next point (or rate-matching trial) starts, framesPerPoint
 *   once encoding is over.
 * - framesPerPoint: frames each rate point encodes (the job's `frames`, or every frame of the sequence).
 * - percent: 0..100 over the whole job (encode dominates).
 */
export interface JobProgress {
  stage: Stage;
  ratePoint: number;
  ratePointsTotal: number;
  stagePointsDone: number;
  pointFramesDone: number;
  framesPerPoint: number;
  percent: number;
  /** Flow children: when the first attempt of this rate point started (ms), kept across attempts. */
  firstStartedAt?: number;
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
  /** Flow jobs: one entry per rate-point child (state, attempts, progress), and a note while one is retried. */
  children?: ChildView[];
  note?: string;
}

export interface ChildView {
  id: string;
  point: number;
  /** Jobs cut into segments: the segment of the rate point this child encodes. */
  segment?: number;
  /** 'retrying'': the child was taken by a worker that died or crashed, and waits (or runs) for another attempt. */
  state: PublicState | 'retrying';
  attempts: number;
  stage: Stage;
  percent: number;
  startedAt: string | null;
  finishedAt: string | null;
  /** Seconds from the first attempt's start to the end (or now), across attempts. */
  elapsedSeconds: number | null;
  error?: string;
}

/** Returned by the worker's processor; kept small (BullMQ stores it in Redis). */
export interface JobResultSummary {
  reportFile: string;
  ratePoints: { label: string; kbps: number; psnrYuv: number; encodeSeconds: number; verified: boolean }[];
}

export const CANCELLED_PREFIX = 'cancelled:';

export function initialProgress(ratePointsTotal: number, framesPerPoint: number): JobProgress {
  return { stage: 'queued', ratePoint: 0, ratePointsTotal, stagePointsDone: 0, pointFramesDone: 0, framesPerPoint, percent: 0 };
}
