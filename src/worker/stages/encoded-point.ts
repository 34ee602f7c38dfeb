// What the encode stage hands on for one rate point (or, in a flow child of a job cut into segments, for one
// segment of it); its own module so that the join step (./join.ts), which the encode stage calls, can use it too.
import type { RateSearchRecord } from '../../quality/report.js';
import type { Segment } from '../../queue/segments.js';
import type { EncodeResult } from '../tool-adapter.js';

export interface EncodedPoint {
  label: string;       // e.g. "qp22" or "rp0": prefix of every file of this rate point
  qp: number;
  stats: string;
  logFile: string;
  result: EncodeResult;
  /** Rate-matched points: the target and every trial of the QP search. */
  targetKbps?: number;
  rateSearch?: RateSearchRecord;
  /** One segment of a point cut into segments (a flow child's result, before the parent joins them). */
  segment?: Segment;
  /** A point joined from segments: how many, and the frames encoded twice (each segment's first CRA). */
  joined?: { segments: number; framesEncodedTwice: number };
}

/** The label (file prefix) of a fixed-QP rate point, and of one segment of it. */
export const qpLabel = (qp: number): string => `qp${qp}`;
export const segmentLabel = (qp: number, segment: number): string => `${qpLabel(qp)}.s${segment}`;
