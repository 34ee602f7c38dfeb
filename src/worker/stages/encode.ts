// Stage 3: encode every rate point (one QP each) with the requested encoder.
// kind=anchor: always VTM-23.2 at the anchor QPs (22/27/32/37 unless qps given); the report stage stores the table.
// targetKbps: per target, a QP search (src/metrics/rate-match.ts) encodes trials rp<i>.qp<Q>.* and keeps the
// closest as rp<i>.*; every trial is recorded in the report.
import path from 'node:path';
import { rename, rm } from 'node:fs/promises';
import { BadInputError, throwIfAborted } from '../errors.js';
import type { EncodeResult, EncoderAdapter } from '../encoders.js';
import { matchRate } from '../../metrics/rate-match.js';
import { bitrateKbps } from '../../metrics/bitrate.js';
import { ANCHOR_QPS, anchorPointFor, findAnchor } from '../../metrics/anchors.js';
import type { RateSearchRecord } from '../../metrics/report.js';
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
  /** Rate-matched points: the target and every trial of the QP search. */
  targetKbps?: number;
  rateSearch?: RateSearchRecord;
}

/** One entry per rate point: the QPs, or the target rates when the job asks for targetKbps. */
export function ratePoints(ctx: StageContext): number[] {
  const req = ctx.data.request;
  if (req.targetKbps && req.kind !== 'anchor') return req.targetKbps;
  return req.qps ?? (req.kind === 'anchor' ? ANCHOR_QPS : DEFAULT_QPS);
}

export async function encode(ctx: StageContext, input: PreparedInput, splits: SplitPrediction): Promise<EncodedPoint[]> {
  const req = ctx.data.request;
  const which = req.kind === 'anchor' ? 'vtm' : req.encoder ?? 'nnvvc';
  const encoder = ctx.tools.encoders[which];
  if (!(await encoder.available())) {
    const hint = which === 'nnvvc'
      ? `${ctx.cfg.nnvvcEnc} (set NNVVC_ENC or run npm run build:codec)`
      : 'VTM_ENCODER_APP (not set or not executable)';
    throw new BadInputError(`encoder ${encoder.name} is not available: ${hint}`);
  }
  if (req.targetKbps && req.kind !== 'anchor') return encodeToRates(ctx, input, splits, encoder, which, req.targetKbps);
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
      splitHints: splits.hintsForQp ? await splits.hintsForQp(qp) : splits.splitHints, logFile: files.logFile, signal: ctx.signal, timeoutMs: ctx.cfg.toolTimeoutMs,
      onFrame: (framesDone) => ctx.progress({ framesDone: Math.min(framesDone, input.frames) }),
    });
    ctx.progress({ framesDone: input.frames });
    log.info({ bits: result.bits, seconds: result.encodeSeconds }, 'encoded');
    out.push({ label, qp, stats: files.stats, logFile: files.logFile, result });
  }
  return out;
}

/** Rate matching: for each target, search the QP (integer steps: both our CLI and VTM take integer QPs). */
async function encodeToRates(ctx: StageContext, input: PreparedInput, splits: SplitPrediction, encoder: EncoderAdapter,
  which: 'nnvvc' | 'vtm', targets: number[]): Promise<EncodedPoint[]> {
  const req = ctx.data.request;
  const anchor = await findAnchor(ctx.cfg.dataDir, { sha256: input.sequence.sha256, config: req.config, frames: input.frames, fps: input.fps, intraPeriod: req.intraPeriod });
  const out: EncodedPoint[] = [];
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i];
    const label = `rp${i}`;
    const trials = new Map<number, { result: EncodeResult; files: { bitstream: string; recon: string; stats: string; logFile: string } }>();
    const encodeAt = async (qp: number): Promise<number> => {
      throwIfAborted(ctx.signal);
      const t = `${label}.qp${qp}`;
      ctx.progress({ stage: 'encode', ratePoint: i, ratePointsTotal: targets.length, framesDone: 0, framesTotal: input.frames });
      const files = {
        bitstream: path.join(ctx.dir, `${t}.266`), recon: path.join(ctx.dir, `${t}.recon.yuv`),
        stats: path.join(ctx.dir, `${t}.stats.json`), logFile: path.join(ctx.logsDir, `encode-${t}.log`),
      };
      await Promise.all([rm(files.bitstream, { force: true }), rm(files.recon, { force: true }), rm(files.logFile, { force: true })]);
      const result = await encoder.encode({
        input: input.input, width: input.width, height: input.height, bitDepth: input.bitDepth, fps: input.fps,
        frames: input.frames, qp, config: req.config, intraPeriod: req.intraPeriod, preset: req.preset,
        bitstream: files.bitstream, recon: files.recon, stats: which === 'nnvvc' ? files.stats : undefined,
        splitHints: splits.hintsForQp ? await splits.hintsForQp(qp) : splits.splitHints, logFile: files.logFile, signal: ctx.signal, timeoutMs: ctx.cfg.toolTimeoutMs,
        onFrame: (framesDone) => ctx.progress({ framesDone: Math.min(framesDone, input.frames) }),
      });
      trials.set(qp, { result, files });
      const kbps = bitrateKbps(result.bits / 8, input.frames, input.fps);
      ctx.log.info({ stage: 'encode', target, qp, kbps }, 'rate-match trial');
      return kbps;
    };
    // Start from the anchor QP with the nearest rate when an anchor exists (same QP scale for VTM-like encoders).
    const startQp = anchor ? anchorPointFor(anchor, { targetKbps: target, kbps: target })?.qp : undefined;
    const m = await matchRate({ targetKbps: target, encodeAt, startQp: startQp ?? 32, qpMin: 0, qpMax: 63, qpStep: 1 });
    const chosen = trials.get(m.qp)!;
    // Keep the chosen trial under the rate point's label; drop the other trials' big files (their logs stay).
    const final = {
      bitstream: path.join(ctx.dir, `${label}.266`), recon: path.join(ctx.dir, `${label}.recon.yuv`),
      stats: path.join(ctx.dir, `${label}.stats.json`), logFile: chosen.files.logFile,
    };
    await rename(chosen.files.bitstream, final.bitstream);
    await rename(chosen.files.recon, final.recon);
    await rename(chosen.files.stats, final.stats).catch(() => undefined);
    for (const [qp, t] of trials) {
      if (qp !== m.qp) await Promise.all([rm(t.files.bitstream, { force: true }), rm(t.files.recon, { force: true }), rm(t.files.stats, { force: true })]);
    }
    ctx.progress({ framesDone: input.frames });
    out.push({
      label, qp: m.qp, stats: final.stats, logFile: final.logFile,
      result: { ...chosen.result, bitstream: final.bitstream, recon: final.recon },
      targetKbps: target,
      rateSearch: { targetKbps: target, matched: m.matched, ...(m.reason ? { reason: m.reason } : {}), trials: m.trials },
    });
  }
  return out;
}
