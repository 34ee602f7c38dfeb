// Segments of a random-access rate point: the frames cut at intra-period boundaries so that child jobs encode them
// apart (nnvvc-enc --first-frame) and the parent joins them (nnvvc-join) into the stream one encode would write.
// Segment k + 1 starts on the CRA picture segment k ends with (that frame is encoded twice, kept once).
import { defaultIntraPeriod } from '../quality/anchors.js';
import { ratePoints } from './rate-points.js';
import type { JobRequest } from './types.js';

export interface Segment { index: number; firstFrame: number; frames: number }

/** The intra period a request's ra encode uses (its own, else the multiple of its GOP size nearest to one second). */
export function intraPeriodOf(req: Pick<JobRequest, 'intraPeriod' | 'gopSize'>, fps: number): number {
  return req.intraPeriod ?? defaultIntraPeriod(fps, req.gopSize);
}

/**
 * The intra period of the anchor a request is compared with: the one its own encode uses (the anchor is encoded with
 * the same intra period); undefined for all-intra.
 */
export function anchorIntraPeriod(req: Pick<JobRequest, 'config' | 'intraPeriod' | 'gopSize'>, fps: number): number | undefined {
  return req.config === 'ra' ? intraPeriodOf(req, fps) : undefined;
}

/**
 * Segments of `frames` frames, `periodsPerSegment` intra periods each; one segment (no cut) when the request does
 * not ask for segments or the frames do not reach past one segment.
 */
export function segmentsOf(frames: number, intraPeriod: number, periodsPerSegment?: number): Segment[] {
  const len = periodsPerSegment ? periodsPerSegment * intraPeriod : 0;
  if (!len || frames - 1 <= len) return [{ index: 0, firstFrame: 0, frames }];
  const out: Segment[] = [];
  for (let first = 0; first < frames - 1; first += len) {
    out.push({ index: out.length, firstFrame: first, frames: Math.min(len, frames - 1 - first) + 1 });
  }
  return out;
}

/** The segments a job's rate points are cut into (the same for every point). */
export function jobSegments(req: JobRequest, sequence: { frames: number; fps: number }): Segment[] {
  if (req.config !== 'ra' || !req.segmentIntraPeriods) return segmentsOf(req.frames ?? sequence.frames, 1);
  return segmentsOf(req.frames ?? sequence.frames, intraPeriodOf(req, sequence.fps), req.segmentIntraPeriods);
}

/** One flow child: a rate point, or one segment of it when the job is cut into segments. */
export interface ChildWork { point: number; segment?: number }

export function childWork(req: JobRequest, sequence?: { frames: number; fps: number }): ChildWork[] {
  // (a record without its sequence snapshot predates segments: one child per rate point)
  const segs = sequence ? jobSegments(req, sequence) : [];
  return ratePoints(req).flatMap((_, point) => (segs.length > 1 ? segs.map((s) => ({ point, segment: s.index })) : [{ point }]));
}
