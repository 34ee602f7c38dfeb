// Stage 3: encode every rate point with the requested encoder.
// Fixed QPs: one encode per QP, files qp<Q>.*. kind=anchor: always VTM-23.2 at the anchor QPs (22/27/32/37 unless
// qps given); the report stage stores the table.
// targetKbps: per target, a QP search (src/quality/rate-match.ts) encodes trials rp<i>.qp<Q>.* and keeps the
// closest as rp<i>.*; every trial is recorded in the report.
// Both cases go through encodeAt, the one place that sets up a rate point's files and calls the encoder.
// Jobs cut into segments (segmentIntraPeriods, ra, fixed QPs): each segment k is encoded as qp<Q>.s<k>.* (a flow
// child encodes one: ctx.segmentIndex) and the segments are joined into qp<Q>.* (./join.ts).
import path from 'node:path';
import { rename, rm } from 'node:fs/promises';
import { BadInputError, CancelledError, throwIfAborted } from '../errors.js';
import { noSpaceCode, StorageFullError, toolFailedForSpace } from '../../storage.js';
import type { EncodeResult, EncoderAdapter } from '../tool-adapter.js';
import { matchRate } from '../../quality/rate-match.js';
import { bitrateKbps } from '../../quality/bitrate.js';
import { anchorPointFor, findAnchor } from '../../quality/anchors.js';
import { ratePoints } from '../../queue/rate-points.js';
import type { StageContext } from '../context.js';
import type { PreparedInput } from './prepare.js';
import type { SplitPrediction } from './predict-splits.js';
import { anchorIntraPeriod, jobSegments, type Segment } from '../../queue/segments.js';
import { qpLabel, segmentLabel, type EncodedPoint } from './encoded-point.js';
import { joinPoint } from './join.js';

export type { EncodedPoint } from './encoded-point.js';

interface PointFiles { bitstream: string; recon: string; stats: string; logFile: string }

function filesFor(ctx: StageContext, label: string): PointFiles {
  return {
    bitstream: path.join(ctx.dir, `${label}.266`),
    recon: path.join(ctx.dir, `${label}.recon.yuv`),
    stats: path.join(ctx.dir, `${label}.stats.json`),
    logFile: path.join(ctx.logsDir, `encode-${label}.log`),
  };
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
  const allPoints = ratePoints(req);
  // A flow child encodes only its own point(s); progress counts positions within this run's list.
  const indices = ctx.pointIndices ?? allPoints.map((_, i) => i);
  const points = indices.map((i) => allPoints[i]);
  const rateMatched = Boolean(req.targetKbps) && req.kind !== 'anchor';

  /** Encodes the input (or one segment of it) once at `qp` into the files named by `label` (a retried attempt starts them afresh). */
  const encodeAt = async (pointIndex: number, label: string, qp: number, position: number, seg?: Segment): Promise<{ result: EncodeResult; files: PointFiles }> => {
    const frames = seg?.frames ?? input.frames;
    throwIfAborted(ctx.signal);
    ctx.progress({ stage: 'encode', ratePoint: pointIndex, stagePointsDone: position, pointFramesDone: 0 });
    const files = filesFor(ctx, label);
    await Promise.all([rm(files.bitstream, { force: true }), rm(files.recon, { force: true }), rm(files.stats, { force: true }), rm(files.logFile, { force: true })]);
    ctx.log.info({ stage: 'encode', qp, label, encoder: encoder.name }, 'encoding');
    let result: EncodeResult;
    try {
      result = await encoder.encode({
        input: input.input, width: input.width, height: input.height, bitDepth: input.bitDepth, fps: input.fps,
        frames, ...(seg ? { firstFrame: seg.firstFrame } : {}), qp, config: req.config, intraPeriod: req.intraPeriod,
        ...(req.gopSize !== undefined ? { gopSize: req.gopSize } : {}), preset: req.preset,
        bitstream: files.bitstream, recon: files.recon, stats: which === 'nnvvc' ? files.stats : undefined,
        splitHints: splits.hintsForQp ? await splits.hintsForQp(qp) : splits.splitHints,
        logFile: files.logFile, signal: ctx.signal, timeoutMs: ctx.cfg.toolTimeoutMs,
        onFrame: (n) => ctx.progress({ pointFramesDone: Math.min(n, frames) }),
      });
    } catch (err) {
      // A failed or cancelled encode leaves no half-written bitstream / reconstruction behind (its log stays). A full
      // disk is said so (checked before the partial files are removed, which frees space).
      // (a Node file error, e.g. on the encoder's log, already names its file: the worker reports it as it is)
      const full = err instanceof CancelledError || err instanceof StorageFullError || noSpaceCode(err) ? null : await toolFailedForSpace(err, ctx.dir);
      await Promise.all([rm(files.bitstream, { force: true }), rm(files.recon, { force: true }), rm(files.stats, { force: true })]);
      if (full) {
        throw new StorageFullError(`the ${label} bitstream / reconstruction`, path.relative(ctx.cfg.dataDir, path.join(ctx.dir, `${label}.*`)), full,
          `the encoder failed: ${(err as Error).message}`);
      }
      throw err;
    }
    ctx.progress({ pointFramesDone: frames });
    ctx.log.info({ stage: 'encode', qp, label, bits: result.bits, seconds: result.encodeSeconds }, 'encoded');
    return { result, files };
  };

  const out: EncodedPoint[] = [];
  const segments = jobSegments(req, input);
  if (segments.length > 1) {
    if (rateMatched || which !== 'nnvvc') throw new BadInputError('segments need fixed QPs and the nnvvc encoder');
    for (const [pos, qp] of points.entries()) {
      const parts: EncodedPoint[] = [];
      for (const seg of segments) {
        if (ctx.segmentIndex !== undefined && seg.index !== ctx.segmentIndex) continue;
        const label = segmentLabel(qp, seg.index);
        const { result, files } = await encodeAt(indices[pos], label, qp, pos, seg);
        parts.push({ label, qp, stats: files.stats, logFile: files.logFile, result, segment: seg });
      }
      // a flow child hands its one segment to the parent, which joins them all
      out.push(...(ctx.segmentIndex !== undefined ? parts : [await joinPoint(ctx, qpLabel(qp), qp, parts)]));
    }
  } else if (!rateMatched) {
    for (const [pos, qp] of points.entries()) {
      const { result, files } = await encodeAt(indices[pos], `qp${qp}`, qp, pos);
      out.push({ label: `qp${qp}`, qp, stats: files.stats, logFile: files.logFile, result });
    }
  } else {
    // Rate matching: per target, search the QP (integer steps: both our CLI and VTM take integer QPs), starting from
    // the anchor QP with the nearest rate when an anchor exists (same QP scale for VTM-like encoders).
    const anchor = await findAnchor(ctx.cfg.dataDir, { sha256: input.sequence.sha256, config: req.config, frames: input.frames, fps: input.fps, intraPeriod: anchorIntraPeriod(req, input.fps) });
    for (const [pos, target] of points.entries()) {
      const i = indices[pos];
      const label = `rp${i}`;
      const trials = new Map<number, { result: EncodeResult; files: PointFiles }>();
      const trialKbps = async (qp: number): Promise<number> => {
        const trial = await encodeAt(i, `${label}.qp${qp}`, qp, pos);
        trials.set(qp, trial);
        const kbps = bitrateKbps(trial.result.bits / 8, input.frames, input.fps);
        ctx.log.info({ stage: 'encode', target, qp, kbps }, 'rate-match trial');
        return kbps;
      };
      const startQp = anchor ? anchorPointFor(anchor, { targetKbps: target, kbps: target })?.qp : undefined;
      const m = await matchRate({ targetKbps: target, encodeAt: trialKbps, startQp: startQp ?? 32, qpMin: 0, qpMax: 63, qpStep: 1 });
      const chosen = trials.get(m.qp)!;
      // Keep the chosen trial under the rate point's label; drop the other trials' big files (their logs stay).
      const final = { ...filesFor(ctx, label), logFile: chosen.files.logFile };
      await rename(chosen.files.bitstream, final.bitstream);
      await rename(chosen.files.recon, final.recon);
      await rename(chosen.files.stats, final.stats).catch(() => undefined);
      for (const [qp, t] of trials) {
        if (qp !== m.qp) await Promise.all([rm(t.files.bitstream, { force: true }), rm(t.files.recon, { force: true }), rm(t.files.stats, { force: true })]);
      }
      out.push({
        label, qp: m.qp, stats: final.stats, logFile: final.logFile,
        result: { ...chosen.result, bitstream: final.bitstream, recon: final.recon },
        targetKbps: target,
        rateSearch: { targetKbps: target, matched: m.matched, ...(m.reason ? { reason: m.reason } : {}), trials: m.trials },
      });
    }
  }
  ctx.progress({ stagePointsDone: points.length });
  return out;
}
