// The rate points of a job, known from its request alone (API, queue and worker agree on the count).
import { ANCHOR_QPS } from '../quality/anchors.js';
import type { JobRequest } from './types.js';

/** QPs of an encode job that names neither qps nor targetKbps (the JVET common test conditions' QPs). */
export const DEFAULT_QPS = [22, 27, 32, 37];

/** One entry per rate point: the target rates when the job asks for targetKbps, else the QPs. */
export function ratePoints(req: JobRequest): number[] {
  if (req.targetKbps && req.kind !== 'anchor') return req.targetKbps;
  return req.qps ?? (req.kind === 'anchor' ? ANCHOR_QPS : DEFAULT_QPS);
}
