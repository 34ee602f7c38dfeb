// Stage 3: encode every rate point (one QP each) with the requested encoder.
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { BadInputError, throwIfAborted } from '../errors.js';
import type { EncodeResult } from '../encoders.js';
import type { StageContext } from '../context.js';
import type { PreparedInput } from './prepare.js';
import type { SplitPrediction } from './predict-splits.js';

export const DEFAULT_QPS = [22, 27, 32, 37];

export interface EncodedPoint {
  label: string;       // e.g. "qp22": prefix of every file of this rate point
  qp: number;
  stats: string;
  logFile: string;
  result: EncodeResult;
}

export function ratePoints(ctx: StageContext): number[] {
  return ctx.data.request.qps ?? DEFAULT_QPS;
}

export async function encode(ctx: StageContext, input: PreparedInput, splits: SplitPrediction): Promise<EncodedPoint[]> {
  const req = ctx.data.request;
  const which = req.encoder ?? 'nnvvc';
  const encoder = ctx.tools.encoders[which];
  if (!(await encoder.available())) {
    const hint = which === 'nnvvc'
      ? `${ctx.cfg.nnvvcEnc} (set NNVVC_ENC or run npm run build:codec)`
      : 'VTM_ENCODER_APP (not set or not executable)';
    throw new BadInputError(`encoder ${encoder.name} is not available: ${hint}`);
  }
  const qps = ratePoints(ctx);
  const out: EncodedPoint[] = [];
  for (let i = 0; i < qps.length; i++) {
    throwIfAborted(ctx.signal);
    const qp = qps[i];
    const label = `qp${qp}`;
    ctx.progress({ stage: 'encode', ratePoint: i, ratePointsTotal: qps.length, framesDone: 0, framesTotal: input.frames });
    const files = {
      bitstream: path.join(ctx.dir, `${label}.266`),
      recon: path.join(ctx.dir, `${label}.recon.yuv`),
      stats: path.join(ctx.dir, `${label}.stats.json`),
      logFile: path.join(ctx.logsDir, `encode-${label}.log`),
    };
    // A retried attempt starts this rate point from scratch.
    await Promise.all([rm(files.bitstream, { force: true }), rm(files.recon, { force: true }), rm(files.logFile, { force: true })]);
    const log = ctx.log.child({ stage: 'encode', qp });
    log.info({ encoder: encoder.name }, 'encoding');
    const result = await encoder.encode({
      input: input.input, width: input.width, height: input.height, bitDepth: input.bitDepth, fps: input.fps,
      frames: input.frames, qp, config: req.config, intraPeriod: req.intraPeriod, preset: req.preset,
      bitstream: files.bitstream, recon: files.recon, stats: which === 'nnvvc' ? files.stats : undefined,
      splitHints: splits.splitHints, logFile: files.logFile, signal: ctx.signal, timeoutMs: ctx.cfg.toolTimeoutMs,
      onFrame: (framesDone) => ctx.progress({ framesDone: Math.min(framesDone, input.frames) }),
    });
    ctx.progress({ framesDone: input.frames });
    log.info({ bits: result.bits, seconds: result.encodeSeconds }, 'encoded');
    out.push({ label, qp, stats: files.stats, logFile: files.logFile, result });
  }
  return out;
}
