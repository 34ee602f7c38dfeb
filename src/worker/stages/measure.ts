// Stage 5: objective quality and rate per rate point (src/quality: PSNR of the recon against the source, kbps).
import { stat } from 'node:fs/promises';
import { psnrYuvFiles, bitrateKbps } from '../../quality/index.js';
import { throwIfAborted } from '../errors.js';
import type { StageContext } from '../context.js';
import type { PreparedInput } from './prepare.js';
import type { EncodedPoint } from './encode.js';
import type { RateSearchRecord } from '../../quality/report.js';

export interface MeasuredPoint {
  label: string;
  qp: number;
  bytes: number;
  bits: number;
  kbps: number;
  psnr: { y: number; u: number; v: number; yuv: number };
  encodeSeconds: number;
  encoderName: string;
  targetKbps?: number;
  rateSearch?: RateSearchRecord;
  /** Joined from segments encoded apart (jobs with segmentIntraPeriods). */
  joined?: EncodedPoint['joined'];
  /** CPU (user) seconds when the encoder reports them (VTM prints its own). */
  cpuSeconds?: number;
  /** Per-picture PSNR (display order), as VTM computes it. */
  perFrame: { y: number; u: number; v: number }[];
}

export async function measure(ctx: StageContext, input: PreparedInput, points: EncodedPoint[]): Promise<MeasuredPoint[]> {
  const out: MeasuredPoint[] = [];
  for (let i = 0; i < points.length; i++) {
    throwIfAborted(ctx.signal);
    const p = points[i];
    ctx.progress({ stage: 'measure', stagePointsDone: i });
    const bytes = (await stat(p.result.bitstream)).size;
    // PSNR of the encoder's reconstruction against the source; verify has already shown decoders reproduce it.
    const psnr = await psnrYuvFiles({
      source: input.input, sourceBitDepth: input.bitDepth, decoded: p.result.recon,
      width: input.width, height: input.height, frames: input.frames,
    });
    out.push({
      label: p.label, qp: p.qp, bytes, bits: bytes * 8, kbps: bitrateKbps(bytes, input.frames, input.fps),
      psnr: { y: psnr.y, u: psnr.u, v: psnr.v, yuv: psnr.yuv }, encodeSeconds: p.result.encodeSeconds,
      encoderName: p.result.encoderName, perFrame: psnr.perFrame,
      ...cpuOf(p.result),
      ...(p.targetKbps !== undefined ? { targetKbps: p.targetKbps } : {}), ...(p.rateSearch ? { rateSearch: p.rateSearch } : {}),
      ...(p.joined ? { joined: p.joined } : {}),
    });
  }
  ctx.progress({ stagePointsDone: points.length });
  return out;
}

function cpuOf(r: object): { cpuSeconds?: number } {
  const u = (r as { vtm?: { userSeconds?: number } }).vtm?.userSeconds;
  return typeof u === 'number' ? { cpuSeconds: u } : {};
}
