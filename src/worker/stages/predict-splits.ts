// Stage 2: CU-split prediction. For our encoder with an RD search preset (the encoder's default preset 'medium'
// included), all-intra or random access, the CNN split predictor (src/models/split-predictor.ts, model
// models/splitnet-v1.onnx for all-intra, models/splitnet-v4.onnx for random access) predicts per 8x8 cell the QT/MTT depth of each input frame at each rate point's QP and
// writes a split-hints file (qp<QP>.hints.txt, a job artifact the dashboard draws) that prunes the encoder's
// partition search (a job's fixed QPs are predicted in one pass over its pictures: a v4 model runs once per picture
// for all of them). In random access each frame is predicted as the encoder codes it (src/models/temporal.ts:
// intra pictures on the I path, B pictures with their temporal layer, slice QP and the temporal feature from the
// source frames); a model trained for I slices only (v1) passes RA jobs through. Otherwise (VTM, preset 'trivial',
// model off) it passes through and says why in `note`.
// Env: NNVVC_SPLIT_PREDICTOR=off disables it; NNVVC_SPLIT_MODEL=<file.onnx> picks another model (an explicit
// path that does not exist fails the job with that path); NNVVC_SPLIT_AGGRESSIVENESS=0|1|2 (default 0);
// NNVVC_SPLIT_THRESHOLD=tau (0 < tau <= 1): confidence-threshold hints instead of the aggressiveness ranges;
// NNVVC_SPLIT_NODE_THRESHOLDS="t" or "qtSplit,qtEnd,mtt" (each in (0, 1)): per-node decisions (version 2 hints, the
// predicted probabilities; the encoder decides each node). None of the three set: the preset's operating point
// (PRESET_OPERATING_POINTS, measured in models/README.md). Precedence: node thresholds, threshold, aggressiveness;
// NNVVC_ONNX_EP=auto|webgpu|cpu|cuda (cfg.onnxEp, src/models/onnx-ep.ts): auto uses WebGPU where an adapter exists,
// else the CPU (why: logged once per process, and in every report); an explicit webgpu/cuda that cannot be used
// fails this stage (not retried: it fails the same way on this worker) rather than running on the CPU unasked.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { StageContext } from '../context.js';
import { runTool } from '../exec.js';
import { isExecutable } from '../tool-adapter.js';
import { FeatureFile, featurePictures, nnvvcFeatureArgs } from '../../models/feature-file.js';
import type { PreparedInput } from './prepare.js';
import { ratePoints } from '../../queue/rate-points.js';
import { intraPeriodOf } from '../../queue/segments.js';
import { RA_GOP_SIZE } from '../../quality/anchors.js';
import { NNVVC_DEFAULT_PRESET, RD_PRESETS } from '../encoders.js';
import { BadInputError, throwIfAborted } from '../errors.js';
import {
  chromaModelFileFor, defaultModelFor, describePolicy, hasChromaThresholds, ExecutionProviderError, hintPolicyFromEnv, intraFlipsFor, intraModelFileFor, loadSplitModel, SplitModelError, TestTimeFlipsError, writeSplitHints,
  writeSplitHintsForQps, type HintsResult, type NodeThresholds, type SplitModel,
} from '../../models/split-predictor.js';

export interface SplitPredictionInfo {
  modelFile: string; modelVersion: string;
  /** Execution provider actually used (cpu | webgpu | cuda), what NNVVC_ONNX_EP asked for, and why they differ. */
  executionProvider: string; executionProviderRequested: string; executionProviderNote?: string;
  /** The aggressiveness when it made the hints (NNVVC_SPLIT_AGGRESSIVENESS or the preset's point), else null. */
  aggressiveness: number | null;
  /** Confidence threshold (NNVVC_SPLIT_THRESHOLD) when it made the hints, else null. */
  threshold: number | null;
  /** Per-node thresholds (NNVVC_SPLIT_NODE_THRESHOLDS or the preset's operating point) when they decide, else null. */
  nodeThresholds: NodeThresholds | null;
  /** The policy in words, e.g. "node thresholds 0.05/0.2/0.1 (preset medium's operating point)". */
  policy: string;
  /** Coding configuration predicted for (ai | ra), and of framesPredicted how many were B pictures. */
  config: string;
  framesPredictedB: number;
  /** The B pictures' temporal input the model takes (its metadata): `mc16` (v3, motion-compensated, computed once per
   * frame for all QPs) or `zero` (v2); null for a model without one (v1). */
  temporalFeature: 'mc16' | 'zero' | null;
  /** Random access: the model that predicted the intra pictures where it is not the job's (NNVVC_SPLIT_INTRA_MODEL;
   * by default the all-intra v1 beside v4), else null. */
  intraModel: string | null;
  /** The model that predicted the chroma coding tree of the intra pictures (NNVVC_SPLIT_CHROMA_MODEL; by default c1
   * for all-intra jobs with per-node thresholds), else null. */
  chromaModel?: string | null;
  /** Test-time flips (1, 2 or 4 runs per picture, averaged) of the job's model (NNVVC_SPLIT_FLIPS) and of the intra
   * pictures' model (NNVVC_SPLIT_INTRA_FLIPS), null without one. */
  flips: number;
  intraFlips: number | null;
  /** Members of the model (an ensemble file's count; 1 for one network) and of the intra pictures' model. */
  ensemble: number;
  intraEnsemble: number | null;
  /** Who computed the B pictures' temporal features: nnvvc-feature (once per job, its time in inferenceSeconds and
   * temporalFeatureSeconds) or javascript (per picture; why in temporalFeatureNote); null without B pictures. */
  temporalFeatureTool?: 'nnvvc-feature' | 'javascript' | null;
  temporalFeatureSeconds?: number;
  temporalFeatureNote?: string;
  /** The model's split-direction outputs (2: the hints carry P(vertical) at MTT depth 0 and 1), 0 without. */
  directions: number;
  /** A v4 model (the QP in its cond vector): the job's fixed QPs were predicted in one run per picture, the stem
   * shared (inferenceSeconds then holds one run per picture, not one per picture and QP). */
  qpInCond: boolean;
  loadSeconds: number;
  /** Model inference time summed over every frame and QP, the B pictures' temporal features included (reading luma
   * excluded). */
  inferenceSeconds: number;
  framesPredicted: number;
  hints: Record<string, string>;
}

export interface SplitPrediction {
  /** Path of a split-hints file for the encoder (same for every QP), or undefined when no model is used. */
  splitHints?: string;
  /** Per-QP hints (the model takes the QP as input): the encode stage asks for each rate point's QP. */
  hintsForQp?: (qp: number) => Promise<string | undefined>;
  model: string | null;
  note: string;
  /** Which model ran and how long it took (added to report.json's splitPrediction). */
  info?: SplitPredictionInfo;
  /** Removes what the stage kept for hintsForQp (the temporal features of a rate search): the pipeline calls it once
   * the encode stage is over. */
  release?: () => Promise<void>;
}

function skipReason(ctx: StageContext): string | null {
  const req = ctx.data.request;
  const which = req.kind === 'anchor' ? 'vtm' : req.encoder ?? 'nnvvc';
  if ((process.env.NNVVC_SPLIT_PREDICTOR ?? '').toLowerCase() === 'off') return 'split predictor disabled (NNVVC_SPLIT_PREDICTOR=off)';
  if (which !== 'nnvvc') return `encoder ${which} takes no split hints`;
  if (req.config !== 'ai' && req.config !== 'ra') return `no split model for config ${req.config}; it runs the full partition search`;
  // no preset: nnvvc-enc runs its default, 'medium' (codec/apps/nnvvc_enc.cpp)
  const preset = req.preset ?? NNVVC_DEFAULT_PRESET;
  if (!RD_PRESETS.includes(preset)) return `preset ${preset} has no partition search to prune`;
  return null;
}

export async function predictSplits(ctx: StageContext, input: PreparedInput): Promise<SplitPrediction> {
  const reason = skipReason(ctx);
  const explicit = process.env.NNVVC_SPLIT_MODEL;
  // default: v1 for all-intra, v4 (I and B slices) for random access; NNVVC_SPLIT_MODEL: that model for every job
  const file = path.resolve(explicit || defaultModelFor(ctx.data.request.config));
  if (reason) {
    ctx.log.info(reason);
    return { splitHints: undefined, model: null, note: reason };
  }
  const t0 = performance.now();
  let model: SplitModel;
  try {
    model = await loadSplitModel(file, { ep: ctx.cfg.onnxEp });
  } catch (e) {
    if (e instanceof ExecutionProviderError) throw new BadInputError(`split predictor: ${e.message}`);
    if (explicit) throw new BadInputError(`NNVVC_SPLIT_MODEL: ${(e as Error).message}`);
    if (e instanceof TestTimeFlipsError) throw new BadInputError(e.message);
    const note = `split model unavailable, full partition search: ${(e as Error).message}`;
    ctx.log.warn(note);
    return { splitHints: undefined, model: null, note };
  }
  const req = ctx.data.request;
  if (req.config === 'ra' && !model.sliceTypes.includes('B')) {
    const note = `model ${model.name} v${model.version} is trained for all-intra (slice types ${model.sliceTypes.join(',')}); config ra runs the full partition search`;
    ctx.log.info(note);
    return { splitHints: undefined, model: null, note };
  }
  if (model.epNote && model.epNoteFirst) ctx.log.warn({ executionProvider: model.ep }, `split predictor: ${model.epNote} (said once per worker process)`);
  const ra = req.config === 'ra';
  const preset = req.preset ?? NNVVC_DEFAULT_PRESET;
  const gopSize = req.gopSize ?? RA_GOP_SIZE;
  let resolved;
  try {
    resolved = hintPolicyFromEnv(process.env, req.config, preset, gopSize);
  } catch (e) {
    throw new BadInputError((e as SplitModelError).message);
  }
  const { policy, presetPoint } = resolved;
  const policyText = `${describePolicy(policy)}${presetPoint ? ` (preset ${preset}'s operating point)` : ''}`;
  const intraPeriod = ra ? intraPeriodOf(req, input.fps) : undefined;
  if (ra && (intraPeriod! <= 0 || intraPeriod! % gopSize !== 0)) {
    // (refused at submission; an older record: let the encoder say what is wrong)
    const note = `intra period ${intraPeriod} is not a multiple of the GOP size ${gopSize}: full partition search`;
    ctx.log.warn(note);
    return { splitHints: undefined, model: null, note };
  }
  // random access: the intra pictures' own model (by default v1 beside v4)
  let intraModel: SplitModel | undefined;
  const intraFile = intraModelFileFor(req.config, process.env, model.file);
  if (intraFile) {
    try {
      intraModel = await loadSplitModel(intraFile, { ep: ctx.cfg.onnxEp, flips: intraFlipsFor(process.env) });
    } catch (e) {
      if (e instanceof TestTimeFlipsError) throw new BadInputError(`NNVVC_SPLIT_INTRA_FLIPS: ${e.message}`);
      if (process.env.NNVVC_SPLIT_INTRA_MODEL) throw new BadInputError(`NNVVC_SPLIT_INTRA_MODEL: ${(e as Error).message}`);
      ctx.log.warn(`intra-picture split model unavailable, ${model.name} v${model.version} predicts them: ${(e as Error).message}`);
    }
  }
  // the chroma tree of dual-tree I slices: its own model, where the hints carry probabilities (per-node thresholds)
  let chromaModel: SplitModel | undefined;
  const chromaFile = typeof policy !== 'number' && 'node' in policy && hasChromaThresholds(policy.node) ? chromaModelFileFor(req.config, process.env) : undefined;
  if (chromaFile) {
    try {
      chromaModel = await loadSplitModel(chromaFile.file, { ep: ctx.cfg.onnxEp, flips: '1' });
      if (chromaModel.tree !== 'chroma') throw new SplitModelError(`${chromaFile.file} is a luma model (its metadata has no tree=chroma)`);
    } catch (e) {
      chromaModel = undefined;
      if (chromaFile.explicit) throw new BadInputError(`NNVVC_SPLIT_CHROMA_MODEL: ${(e as Error).message}`);
      ctx.log.warn(`chroma-tree split model unavailable, the chroma tree is searched in full: ${(e as Error).message}`);
    }
  }
  const info: SplitPredictionInfo = {
    modelFile: path.relative(process.cwd(), model.file) || model.file, modelVersion: model.version,
    intraModel: intraModel ? `${intraModel.name} v${intraModel.version}` : null,
    chromaModel: chromaModel ? `${chromaModel.name} ${chromaModel.version}` : null,
    flips: model.flips, intraFlips: intraModel ? intraModel.flips : null, ensemble: model.ensemble, intraEnsemble: intraModel ? intraModel.ensemble : null,
    executionProvider: model.ep, executionProviderRequested: model.requestedEp,
    ...(model.epNote ? { executionProviderNote: model.epNote } : {}), aggressiveness: typeof policy === 'number' ? policy : null, threshold: typeof policy !== 'number' && 'threshold' in policy ? policy.threshold : null,
    nodeThresholds: typeof policy !== 'number' && 'node' in policy ? policy.node : null, policy: policyText,
    config: req.config, framesPredictedB: 0, temporalFeature: model.temporalInputs ? model.temporalFeature : null, directions: model.directions, qpInCond: model.qpInCond, loadSeconds: (performance.now() - t0) / 1000,
    inferenceSeconds: 0, framesPredicted: 0, hints: {},
  };
  const featureFile = ra && model.temporalFeature === 'mc16' ? await computeFeatureFile(ctx, input, info, intraPeriod!, gopSize) : undefined;
  // Luma is read once for all QPs when it fits in ~64 MB; longer inputs are re-read per QP.
  const lumaCache: Uint16Array[] | undefined = input.frames * input.width * input.height <= 32 << 20 ? [] : undefined;
  // and so are the B pictures' temporal features (the same for every QP)
  const featureCache = lumaCache ? new Map<number, Uint16Array>() : undefined;
  const done = new Map<number, Promise<string>>();
  const job = {
    model, input: input.input, width: input.width, height: input.height, bitDepth: input.bitDepth,
    frames: input.frames, policy, lumaCache, featureCache, featureFile, intraModel, chromaModel,
    ...(ra ? { config: 'ra' as const, intraPeriod, gopSize } : {}),
  };
  const written = (qp: number, out: string, r: HintsResult): string => {
    info.inferenceSeconds += r.inferenceSeconds;
    info.framesPredicted += r.frames;
    info.framesPredictedB += r.framesB;
    info.hints[`qp${qp}`] = path.basename(out);
    ctx.log.info({ qp, inferenceSeconds: r.inferenceSeconds, frames: r.frames }, 'split hints written');
    return out;
  };
  const hintsForQp = (qp: number): Promise<string> => {
    let p = done.get(qp);
    if (!p) {
      throwIfAborted(ctx.signal);
      const out = path.join(ctx.dir, `qp${qp}.hints.txt`);
      p = writeSplitHints({ ...job, qp, out }).then((r) => written(qp, out, r));
      done.set(qp, p);
    }
    return p;
  };
  // Fixed QPs: predict now, all of them in one pass over the pictures (a v4 model runs its stem once per picture for
  // every QP), so this stage's timing holds the inference; rate matching predicts per trial QP.
  // (a flow child predicts only for its own point)
  const qps = ratePoints(ctx.data.request);
  if (!ctx.data.request.targetKbps) {
    try {
      const fixed = [...new Set((ctx.pointIndices ?? qps.map((_, k) => k)).map((i) => qps[i]))];
      throwIfAborted(ctx.signal);
      const outs = fixed.map((qp) => path.join(ctx.dir, `qp${qp}.hints.txt`));
      const all = writeSplitHintsForQps({ ...job, qps: fixed, outs });
      fixed.forEach((qp, k) => done.set(qp, all.then((rs) => written(qp, outs[k], rs[k]))));
      await Promise.all(done.values());
    } finally {
      // every hints file is written (or the stage failed): the features are not needed again (a rate search keeps
      // them for its trial QPs)
      if (featureFile) await rm(featureFile.file, { force: true });
    }
  }
  const name = `${model.name} v${model.version}`;
  const note = `CNN split predictor ${name} (${model.ep}${model.epNote ? ', auto: WebGPU unavailable' : ''}), ${policyText}${ra ? `, random access (I and B pictures${intraModel ? `; intra pictures by ${info.intraModel}` : ''})` : ''}${chromaModel ? `, chroma tree by ${info.chromaModel}` : ''}`;
  ctx.log.info({ model: name, inferenceSeconds: info.inferenceSeconds }, note);
  return { splitHints: undefined, hintsForQp, model: name, note, info, ...(featureFile ? { release: () => rm(featureFile.file, { force: true }) } : {}) };
}

/**
 * The B pictures' temporal features of a random-access job, computed by nnvvc-feature (cfg.nnvvcFeature) in one run
 * into the job's folder; undefined (the predictor then computes them in JavaScript) when the tool is not there or
 * the job has no B picture. Records which in `info`.
 */
async function computeFeatureFile(ctx: StageContext, input: PreparedInput, info: SplitPredictionInfo, intraPeriod: number, gopSize: number): Promise<FeatureFile | undefined> {
  const pictures = featurePictures({ frames: input.frames, intraPeriod, gopSize });
  if (pictures.length === 0) { info.temporalFeatureTool = null; return undefined; }
  const tool = ctx.cfg.nnvvcFeature;
  if (!(await isExecutable(tool))) {
    info.temporalFeatureTool = 'javascript';
    info.temporalFeatureNote = `${tool} not found (NNVVC_FEATURE; npm run build:codec builds it): computed in JavaScript, 4-9x slower`;
    ctx.log.warn(info.temporalFeatureNote);
    return undefined;
  }
  // a name of its own: the flow children of a job share its folder and run at once (one's removal must not hit another)
  const out = path.join(ctx.dir, `temporal-features-${randomUUID()}.u16`);
  throwIfAborted(ctx.signal);
  const { seconds } = await runTool({
    file: tool, args: nnvvcFeatureArgs({ input: input.input, width: input.width, height: input.height, bitDepth: input.bitDepth, pictures, out }),
    logFile: path.join(ctx.logsDir, 'temporal-feature.log'), signal: ctx.signal, timeoutMs: ctx.cfg.toolTimeoutMs,
  }).catch(async (e) => { await rm(out, { force: true }); throw e; });
  info.temporalFeatureTool = 'nnvvc-feature';
  info.temporalFeatureSeconds = seconds;
  info.inferenceSeconds += seconds;
  ctx.log.info({ pictures: pictures.length, seconds }, 'temporal features computed (nnvvc-feature)');
  return new FeatureFile(out, input.width, input.height, pictures.map((p) => p.poc), seconds);
}

/** report.json's splitPrediction: model, note, SplitPredictionInfo and the mean inference time per predicted frame. */
export function splitPredictionReport(s: Pick<SplitPrediction, 'model' | 'note' | 'info'>): Record<string, unknown> {
  const i = s.info;
  if (!i) return { model: s.model, note: s.note };
  // a frame predicted at one QP (framesPredicted counts frame x QP); includes the first, slower call
  const inferenceMsPerFrame = i.framesPredicted > 0 ? Math.round((i.inferenceSeconds * 1000 / i.framesPredicted) * 100) / 100 : null;
  return { model: s.model, note: s.note, ...i, inferenceMsPerFrame };
}
