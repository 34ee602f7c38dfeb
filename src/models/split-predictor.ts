// CNN split predictor (models/splitnet.py, exported to models/splitnet-v1.onnx (all-intra default),
// models/splitnet-v4.onnx (I and B slices, random-access default), splitnet-v3.onnx and splitnet-v2.onnx (its
// predecessors)) run with
// onnxruntime-node, and the writer of the encoder's split-hints file (codec/README.md, "Split hints").
// The model sees one 128x128 CTU at a time (v1: luma/1023-0.5 and a QP plane; v2 and v3 also a temporal plane --
// v2 the difference to the references, v3 the motion-compensated residual -- and a slice-type / temporal-layer
// vector, so they predict B pictures of random-access jobs too) and predicts, per
// 8x8 cell, the QT depth (0..4) and MTT depth (0..3) of the CU covering it. All CTUs of a frame run as one batch.
// v4 (splitnet-v4.onnx) takes the slice QP in its cond vector instead of an input plane: one run predicts a picture
// at all the QPs of a job (predictFrameQps, writeSplitHintsForQps), its stem shared.
// Hints from the predictions: fixed ranges around the argmax (aggressiveness 0/1/2) or, with a confidence
// threshold tau (NNVVC_SPLIT_THRESHOLD), the smallest ranges that hold probability mass tau.
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOnnxEp, type OnnxEp } from './onnx-ep.js';
import type { FeatureFile } from './feature-file.js';
import { mcTemporalFeature, planFrames, temporalFeature, topTemporalLayer, type PlannedFrame } from './temporal.js';
import { RA_GOP_SIZE } from '../quality/anchors.js';
import { writeFileAtomic } from '../storage.js';

export const CTU = 128;
export const GRID = 8;
export const CELLS = CTU / GRID;
export const QT_CLASSES = 5;
export const MTT_CLASSES = 4;
/** Split-direction outputs of models that have them (channels 9, 10): P(vertical) at MTT depth 0 and 1. */
export const DIRECTIONS = 2;
export const MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');
/** The all-intra model v1: the default for all-intra jobs (it beats v2 there: models/README.md "Metrics"). */
export const V1_MODEL = path.join(MODELS_DIR, 'splitnet-v1.onnx');
/** v2 (I and B slices, the zero-motion temporal difference): v3's predecessor. */
export const V2_MODEL = path.join(MODELS_DIR, 'splitnet-v2.onnx');
/** v3 (v2's network on the motion-compensated temporal feature): the default for random-access jobs until v4. */
export const V3_MODEL = path.join(MODELS_DIR, 'splitnet-v3.onnx');
/** v4 (v3 with the slice QP in the cond vector: one stem run per picture for all QPs of a job): the default for
 * random-access jobs since the twenty-eighth session. */
export const V4_MODEL = path.join(MODELS_DIR, 'splitnet-v4.onnx');
/** What loadSplitModel() loads without a file: the all-intra default. */
export const DEFAULT_MODEL = V1_MODEL;
/** The chroma coding tree's predictor (c1, thirty-third session): the partition of the chroma tree that dual-tree I
 * slices search after each 64x64 luma area, from luma, QP and both chroma planes (models/README.md "Thirty-third
 * session"). */
export const C1_MODEL = path.join(MODELS_DIR, 'splitnet-c1.onnx');
export const DEFAULT_RA_MODEL = V4_MODEL;
/** Random access `medium`'s thresholds in temporal layers 0-4 (layer 5, the pictures nothing references, is pruned
 * harder). */
const RA_MEDIUM_LAYER: LayerThresholds = { qtSplit: 0.12, qtEnd: 0.3, mtt: 0.12, dir: 0.2, fallback: 32 };
/**
 * The hint operating point of each search preset, per configuration, chosen with bench:cnn on held-out BasketballPass
 * and Cactus (models/README.md "Operating points per preset"); used when none of NNVVC_SPLIT_NODE_THRESHOLDS /
 * NNVVC_SPLIT_THRESHOLD / NNVVC_SPLIT_AGGRESSIVENESS is set. Random access: per-node thresholds (version 2 hints).
 * All-intra: per-node thresholds up to `medium` (there with the split direction since the twenty-second session:
 * 42-45 % saved within +0.8 % on BasketballPass and Cactus), v1's conservative ranges
 * (aggressiveness 0) at `slow` / `exhaustive`, where they cost less (and `slow` with them beats VTM-23.2).
 * Random access `medium`: the direction 0.2 acts on the intra pictures the all-intra v1 predicts (intraModelFileFor;
 * v3 and v4's B-picture tokens carry no direction); the fallback 32 (bits; since the twenty-seventh session) lets the encoder
 * try a removed split where the leaf it coded is uneven across it (models/README.md "Twenty-seventh session"); with
 * v4 (the twenty-eighth session) 0.12 / 0.3 / 0.12 is the point of most work saved within +1.5 % on both held-out
 * sequences, and since the twenty-ninth session temporal layer 5 (the pictures nothing references) is pruned harder
 * at 0.3 / 0.45 / 0.3. `fast` (twenty-ninth session): the points with which hinted `fast` beats unhinted `faster` in
 * BD-rate at less time on both held-out sequences (the issue's preset rule; models/README.md "Twenty-ninth session"):
 * all-intra with the split direction, random access 0.25 / 0.45 / 0.25 with the fallback. `faster` takes `fast`'s point
 * and `exhaustive` `slow`'s. All-intra `medium` (thirty-third session) also prunes the chroma coding tree, predicted
 * by c1, at 0.05 / 0.05 / 0.05 (C1_MODEL; models/README.md "Thirty-third session"): 2.7-4.6 points more time saved at
 * +0.12 % on both held-out sequences.
 */
export const PRESET_OPERATING_POINTS: Record<'ai' | 'ra', Record<string, HintPolicy>> = {
  ai: {
    faster: { node: { qtSplit: 0.1, qtEnd: 0.3, mtt: 0.1, dir: 0.2 } },
    fast: { node: { qtSplit: 0.1, qtEnd: 0.3, mtt: 0.1, dir: 0.2 } },
    medium: { node: { qtSplit: 0.15, qtEnd: 0.35, mtt: 0.15, dir: 0.2, chroma: { qtSplit: 0.05, qtEnd: 0.05, mtt: 0.05 } } },
    slow: 0,
    exhaustive: 0,
  },
  ra: {
    faster: { node: { qtSplit: 0.25, qtEnd: 0.45, mtt: 0.25, fallback: 32 } },
    fast: { node: { qtSplit: 0.25, qtEnd: 0.45, mtt: 0.25, fallback: 32 } },
    medium: { node: { ...RA_MEDIUM_LAYER, layers: [RA_MEDIUM_LAYER, RA_MEDIUM_LAYER, RA_MEDIUM_LAYER, RA_MEDIUM_LAYER, { qtSplit: 0.3, qtEnd: 0.45, mtt: 0.3, dir: 0.2, fallback: 32 }] } },
    slow: { node: { qtSplit: 0.05, qtEnd: 0.25, mtt: 0.05 } },
    exhaustive: { node: { qtSplit: 0.05, qtEnd: 0.25, mtt: 0.05 } },
  },
};

/** The hints policy a job of `config` and search `preset` gets by default (PRESET_OPERATING_POINTS), its per-layer
 * sets (random access) fitted to a GOP of `gopSize` (fitLayersToGop). */
export function defaultPolicyFor(config: string, preset: string, gopSize = RA_GOP_SIZE): HintPolicy {
  const points = PRESET_OPERATING_POINTS[config === 'ra' ? 'ra' : 'ai'];
  const policy = points[preset] ?? points.medium;
  return typeof policy === 'object' && 'node' in policy ? { node: fitLayersToGop(policy.node, gopSize) } : policy;
}

/** The model a job of `config` uses when NNVVC_SPLIT_MODEL is not set. */
export function defaultModelFor(config: string): string {
  return config === 'ra' ? DEFAULT_RA_MODEL : DEFAULT_MODEL;
}

/**
 * The model of a random-access job's intra pictures when it is not the job's model (`modelFile`): env
 * NNVVC_SPLIT_INTRA_MODEL (a file; `same`: the job's model for every picture), unset: the all-intra v1 where the job's
 * model is the default v4 (v1, trained on intra pictures only and with split directions, predicts them better:
 * models/README.md "Intra pictures of random-access jobs"), none where NNVVC_SPLIT_MODEL names another. Undefined:
 * the job's model predicts them.
 */
export function intraModelFileFor(config: string, env: NodeJS.ProcessEnv, modelFile: string): string | undefined {
  if (config !== 'ra') return undefined;
  const v = (env.NNVVC_SPLIT_INTRA_MODEL ?? '').trim();
  const file = v === 'same' ? undefined : v ? path.resolve(v) : env.NNVVC_SPLIT_MODEL ? undefined : DEFAULT_MODEL;
  return file && file !== path.resolve(modelFile) ? file : undefined;
}

/**
 * The chroma-tree model of a job (HintsJob.chromaModel): env NNVVC_SPLIT_CHROMA_MODEL (a file; `none`: no chroma
 * hints), unset: c1 for all-intra jobs (random-access jobs by the variable only: their intra pictures are one in 16
 * or 32). Undefined: the chroma tree is searched without hints. `explicit`: the variable named the file.
 */
export function chromaModelFileFor(config: string, env: NodeJS.ProcessEnv): { file: string; explicit: boolean } | undefined {
  const v = (env.NNVVC_SPLIT_CHROMA_MODEL ?? '').trim();
  if (v === 'none') return undefined;
  if (v) return { file: path.resolve(v), explicit: true };
  return config === 'ai' ? { file: C1_MODEL, explicit: false } : undefined;
}

/**
 * Test-time flips of a random-access job's intra-picture model (intraModelFileFor): env NNVVC_SPLIT_INTRA_FLIPS, else
 * what NNVVC_SPLIT_FLIPS says for the job's model (loadSplitModel). Undefined: loadSplitModel's default.
 */
export const intraFlipsFor = (env: NodeJS.ProcessEnv): string | undefined => (env.NNVVC_SPLIT_INTRA_FLIPS ?? '').trim() || undefined;

/** v2 inputs: cond vector length and the temporal plane's normalisation (metadata temporal_clip / temporal_scale). */
export const COND = 7;
export const LAYERS = 6;

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

export class SplitModelError extends Error {
  constructor(message: string) { super(message); this.name = 'SplitModelError'; }
}

/** A bad test-time flips setting (NNVVC_SPLIT_FLIPS, or the `flips` given to loadSplitModel): the job's settings are
 * wrong, not the model. */
export class TestTimeFlipsError extends SplitModelError {
  constructor(message: string) { super(message); this.name = 'TestTimeFlipsError'; }
}

export interface SplitModel {
  file: string;
  /** "splitnet v1" from the ONNX metadata (file name when absent). */
  name: string;
  version: string;
  /** Slice types the model was trained for (metadata slice_types; v1: I only). */
  sliceTypes: ('I' | 'B')[];
  /** v2 layout: inputs ctu [n,3,128,128] + cond [n,7]; v1: ctu [n,2,128,128]. */
  temporalInputs: boolean;
  /** v4 layout (metadata qp_in_cond): ctu [n,2,128,128] (luma, temporal; no QP plane) + cond [q,n,8] (the slice QP
   * last): one run predicts a picture at every QP of a job, sharing the stem (predictFrameQps). */
  qpInCond: boolean;
  temporalClip: number; temporalScale: number;
  /** Split-direction outputs (metadata directions): 2 = P(vertical) at MTT depth 0 and 1 in the hints, else 0. */
  directions: number;
  /** Which temporal feature the model was trained on (metadata temporal_feature): `zero` |y - reference mean| (v2),
   * `mc16` the motion-compensated residual per 16x16 block (v3, temporal.ts mcTemporalFeature). */
  temporalFeature: 'zero' | 'mc16';
  /** Execution provider actually used. */
  ep: 'cpu' | 'webgpu' | 'cuda';
  /** What NNVVC_ONNX_EP (or opts.ep) asked for. */
  requestedEp: OnnxEp;
  /** Why `ep` is not what `auto` prefers (webgpu), e.g. no adapter on this host. */
  epNote?: string;
  /** True for the first load in this process that found the reason (log it once). */
  epNoteFirst?: boolean;
  session: Session;
  ort: Ort;
  /** predictFrame's input buffer, kept for the next frame, and whether a pending run holds it. */
  inputScratch?: Float32Array;
  inputScratchBusy?: boolean;
  /** Test-time flips (NNVVC_SPLIT_FLIPS): 1 = the picture as it is; 2 = also mirrored left-right; 4 = also upside
   * down and both; each CTU flipped in place and its outputs flipped back, the probabilities averaged (2x / 4x the
   * model's work). `auto` (the default): 4 on a GPU execution provider, 1 on the CPU, where four runs per picture
   * would cost more encode time than the better hints save (models/README.md "Test-time flips"). */
  flips: 1 | 2 | 4;
  /** Cells (8 samples each) of the neighbouring CTUs around each CTU's input window (metadata halo; 0: the CTU
   * alone): the window is `windowOf(model)` samples square, edge-replicated outside the picture, and the outputs are
   * the CTU's own 16x16 cells. */
  halo: number;
  /** Which coding tree the model predicts (metadata tree): `luma` (every model before c1), or `chroma`: the chroma
   * tree of dual-tree I slices, from ctu [n,4,S,S] = luma, QP, Cb, Cr (PictureInfo.chroma); its outputs go into the
   * hints' chroma digits. */
  tree: 'luma' | 'chroma';
  /** Members of an ensemble file (models/ensemble_onnx.py, metadata ensemble): its output is their mean probability;
   * each member is one run of the model's size per CTU. 1 for a single model. */
  ensemble: number;
}

/** Per-cell predictions for one frame: row-major ceil(H/8) x ceil(W/8). */
export interface FramePrediction {
  cols: number; rows: number;
  qt: Uint8Array; mtt: Uint8Array;
  /** Probability of the predicted QT class (confidence), per cell. */
  qtConf: Float32Array;
  /** Softmax probabilities per cell: QT_CLASSES (resp. MTT_CLASSES) values per cell, cell-major. Absent in hand-made predictions. */
  qtProb?: Float32Array; mttProb?: Float32Array;
  /** The chroma tree's probabilities per cell (a chroma-tree model's run on the same picture), as qtProb / mttProb. */
  chromaQtProb?: Float32Array; chromaMttProb?: Float32Array;
  /** Models with split-direction outputs, 2 values per cell: P(vertical) of the MTT split at MTT depth 0, P(the split at
   * MTT depth 1 divides the node across its longer side). */
  dirProb?: Float32Array;
  seconds: number;
}

/** What the model is told about the picture (v2): slice type, temporal layer (GOP-32 scale) and temporal feature. */
export interface PictureInfo {
  sliceType: 'I' | 'B';
  layer?: number;
  /** The model's temporal feature in 10-bit units (temporal.ts temporalFeature or mcTemporalFeature), B pictures only. */
  temporal?: Uint16Array;
  /** Both chroma planes (ceil(W/2) x ceil(H/2), 10-bit units, readChroma): a chroma-tree model's input. */
  chroma?: ChromaPlanes;
}

export interface ChromaPlanes { cb: Uint16Array; cr: Uint16Array }

/** The execution provider asked for cannot be used on this host (explicit webgpu/cuda, or a bad value). */
export class ExecutionProviderError extends SplitModelError {
  constructor(message: string) { super(message); this.name = 'ExecutionProviderError'; }
}

/** onnxruntime's native errors start with a source path and an assertion; keep the sentence that says why. */
export function shortOrtError(e: unknown): string {
  const msg = String((e as Error)?.message ?? e).trim();
  const why = /was false\.\s*([^\n]+)/.exec(msg)?.[1] ?? msg.split('\n')[0];
  return why.length > 300 ? `${why.slice(0, 300)}…` : why;
}

/**
 * Per process: why WebGPU is not used under NNVVC_ONNX_EP=auto (undefined: not probed yet, or it works). Probed
 * once: later loads go straight to the CPU and `epNoteFirst` is false, so the reason is logged once.
 */
let autoWebgpuUnavailable: string | undefined;

/** For tests: forget the auto probe's result. */
export function resetExecutionProviderProbe(): void { autoWebgpuUnavailable = undefined; }

async function createSession(ort: Ort, file: string, ep: 'cpu' | 'webgpu' | 'cuda'): Promise<Session> {
  // logSeverityLevel 4 (fatal only): a failed GPU EP is reported by us, not by onnxruntime's own red log line
  return ort.InferenceSession.create(file, { executionProviders: [ep], intraOpNumThreads: 1, logSeverityLevel: ep === 'cpu' ? 2 : 4 });
}

/**
 * Loads the model on the execution provider chosen by `opts.ep` / env NNVVC_ONNX_EP (src/models/onnx-ep.ts):
 * auto -> webgpu where onnxruntime-node lists it and a session can be created, else cpu (with `epNote` saying
 * why); an explicit webgpu or cuda that cannot be used throws ExecutionProviderError (no silent CPU fallback).
 */
export async function loadSplitModel(file = DEFAULT_MODEL, opts: { ep?: string; flips?: string } = {}): Promise<SplitModel> {
  if (!existsSync(file)) throw new SplitModelError(`split model not found: ${file} (train/export it: see models/README.md)`);
  const flipsText = (opts.flips ?? process.env.NNVVC_SPLIT_FLIPS ?? '').trim() || 'auto';
  if (!['1', '2', '4', 'auto'].includes(flipsText)) throw new TestTimeFlipsError(`${opts.flips !== undefined ? 'test-time flips' : 'NNVVC_SPLIT_FLIPS'}=${flipsText}: expected 1, 2, 4 or auto (test-time flips)`);
  let requested: OnnxEp;
  try {
    requested = parseOnnxEp(opts.ep ?? process.env.NNVVC_ONNX_EP);
  } catch (e) {
    throw new ExecutionProviderError((e as Error).message);
  }
  let ort: Ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    throw new SplitModelError(`onnxruntime-node is not installed (npm install onnxruntime-node): ${(e as Error).message}`);
  }
  const backends = ort.listSupportedBackends().map((b) => b.name);
  let session: Session | undefined;
  let ep: SplitModel['ep'] = 'cpu';
  let epNote: string | undefined;
  let epNoteFirst = false;
  if (requested === 'webgpu' || requested === 'cuda') {
    if (!backends.includes(requested)) {
      throw new ExecutionProviderError(`NNVVC_ONNX_EP=${requested}: this onnxruntime-node build has no ${requested} backend (it lists ${backends.join(', ')}); use auto or cpu`);
    }
    try {
      session = await createSession(ort, file, requested);
      ep = requested;
    } catch (e) {
      throw new ExecutionProviderError(`NNVVC_ONNX_EP=${requested}: cannot create a ${requested === 'webgpu' ? 'WebGPU' : 'CUDA'} session for the split model `
        + `(${shortOrtError(e)}); no usable GPU on this worker? Set NNVVC_ONNX_EP=auto (falls back to the CPU) or cpu`);
    }
  } else if (requested === 'auto') {
    if (autoWebgpuUnavailable === undefined && !backends.includes('webgpu')) {
      autoWebgpuUnavailable = `this onnxruntime-node build has no WebGPU backend (it lists ${backends.join(', ')})`;
      epNoteFirst = true;
    } else if (autoWebgpuUnavailable === undefined) {
      try {
        session = await createSession(ort, file, 'webgpu');
        ep = 'webgpu';
      } catch (e) {
        autoWebgpuUnavailable = `no WebGPU adapter (${shortOrtError(e)})`;
        epNoteFirst = true;
      }
    }
    if (!session) epNote = `NNVVC_ONNX_EP=auto: CPU, because ${autoWebgpuUnavailable}`;
  }
  try {
    session ??= await createSession(ort, file, 'cpu');
  } catch (e) {
    throw new SplitModelError(`cannot load split model ${file}: ${(e as Error).message}`);
  }
  const meta = onnxMetadata(await readFile(file));
  const temporalInputs = session.inputNames.length === 2 && session.inputNames.includes('cond');
  const sliceTypes = (meta.slice_types ?? (temporalInputs ? 'I,B' : 'I')).split(',').map((t) => t.trim()).filter((t): t is 'I' | 'B' => t === 'I' || t === 'B');
  return {
    file, name: meta.name ?? path.basename(file, '.onnx'), version: meta.version ?? 'unknown', sliceTypes, temporalInputs, qpInCond: temporalInputs && meta.qp_in_cond === '1',
    temporalClip: Number(meta.temporal_clip ?? 512), temporalScale: Number(meta.temporal_scale ?? 256),
    temporalFeature: meta.temporal_feature === 'mc16' ? 'mc16' : 'zero', tree: meta.tree === 'chroma' ? 'chroma' : 'luma', directions: Number(meta.directions ?? 0) || 0, halo: haloOf(meta.halo, file), ensemble: Math.max(1, Number(meta.ensemble ?? 1) || 1), ep, requestedEp: requested,
    ...(epNote ? { epNote, epNoteFirst } : {}), session, ort, flips: flipsText === 'auto' ? (ep === 'cpu' ? 1 : 4) : Number(flipsText) as 1 | 2 | 4,
  };
}

/** The metadata's halo (cells around the CTU): a whole number 0..8. */
function haloOf(v: string | undefined, file: string): number {
  if (v === undefined) return 0;
  const h = Number(v);
  if (!Number.isInteger(h) || h < 0 || h > 8) throw new SplitModelError(`split model ${file}: metadata halo=${v}, expected a whole number of cells 0..8`);
  return h;
}

/** The side of a model's square input window in samples: the CTU and its halo on each side. */
export function windowOf(model: Pick<SplitModel, 'halo'>): number { return CTU + 2 * GRID * model.halo; }

/**
 * The model's metadata_props (ModelProto field 14: StringStringEntryProto {1: key, 2: value}), read from the
 * protobuf directly: onnxruntime-node does not expose custom metadata.
 */
export function onnxMetadata(buf: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  const varint = (b: Uint8Array, end: number): number => {
    let v = 0, mul = 1;
    while (pos < end) { const c = b[pos++]; v += (c & 127) * mul; mul *= 128; if (!(c & 128)) return v; }
    throw new SplitModelError('truncated ONNX protobuf');
  };
  const fields = (b: Uint8Array, start: number, end: number, f: (field: number, s: number, e: number) => void) => {
    pos = start;
    while (pos < end) {
      const tag = varint(b, end), field = Math.floor(tag / 8), wt = tag & 7;
      if (wt === 0) varint(b, end);
      else if (wt === 1) pos += 8;
      else if (wt === 5) pos += 4;
      else if (wt === 2) { const len = varint(b, end); const s = pos; pos += len; const save = pos; f(field, s, s + len); pos = save; }
      else throw new SplitModelError(`unexpected protobuf wire type ${wt} in ONNX file`);
    }
  };
  const dec = new TextDecoder();
  fields(buf, 0, buf.length, (field, s, e) => {
    if (field !== 14) return;
    let k = '', v = '';
    fields(buf, s, e, (f2, s2, e2) => { if (f2 === 1) k = dec.decode(buf.subarray(s2, e2)); else if (f2 === 2) v = dec.decode(buf.subarray(s2, e2)); });
    out[k] = v;
  });
  return out;
}

/** `count` samples of frame `index` of a raw planar 4:2:0 file from sample `at` of the frame (luma first, then Cb and
 * Cr), as 10-bit samples (8-bit input shifted left by 2). */
async function readFrameSamples(file: string, width: number, height: number, bitDepth: 8 | 10, index: number, at: number, count: number): Promise<Uint16Array> {
  const bps = bitDepth > 8 ? 2 : 1;
  const frameBytes = (width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2)) * bps;
  const buf = Buffer.alloc(count * bps);
  const fh = await open(file, 'r');
  try {
    const { bytesRead } = await fh.read(buf, 0, buf.length, index * frameBytes + at * bps);
    if (bytesRead !== buf.length) throw new SplitModelError(`${file}: frame ${index} is beyond the end of the file`);
  } finally {
    await fh.close();
  }
  const out = new Uint16Array(count);
  if (bps === 1) for (let i = 0; i < count; i++) out[i] = buf[i] << 2;
  else for (let i = 0; i < count; i++) out[i] = buf.readUInt16LE(2 * i) & 1023;
  return out;
}

/** Luma of frame `index` from a raw planar 4:2:0 file, as 10-bit samples (8-bit input shifted left by 2). */
export async function readLuma(file: string, width: number, height: number, bitDepth: 8 | 10, index: number): Promise<Uint16Array> {
  return readFrameSamples(file, width, height, bitDepth, index, 0, width * height);
}

/** Both chroma planes of frame `index` from a raw planar 4:2:0 file, as 10-bit samples (as readLuma). */
export async function readChroma(file: string, width: number, height: number, bitDepth: 8 | 10, index: number): Promise<ChromaPlanes> {
  const nc = Math.ceil(width / 2) * Math.ceil(height / 2);
  const both = await readFrameSamples(file, width, height, bitDepth, index, width * height, 2 * nc);
  return { cb: both.subarray(0, nc), cr: both.subarray(nc) };
}

/** Input planes per CTU: v1 luma, QP; v2/v3 and the temporal plane; v4 luma, temporal; a chroma-tree model luma, QP,
 * Cb, Cr. */
const planesOf = (model: Pick<SplitModel, 'temporalInputs' | 'qpInCond' | 'tree'>): number =>
  model.tree === 'chroma' ? 4 : model.temporalInputs && !model.qpInCond ? 3 : 2;

/** Runs the model on every CTU of one frame (edge-replicated padding, as in training). `pic` (v2): slice type,
 * layer and temporal feature; default an I picture. A B picture needs a model trained for B slices. */
export async function predictFrame(model: SplitModel, luma: Uint16Array, width: number, height: number, qp: number, pic: PictureInfo = { sliceType: 'I' }): Promise<FramePrediction> {
  return (await predictFrameQps(model, luma, width, height, [qp], pic))[0];
}

/** predictFrame at several QPs (one per rate point of a job: qps[i] the picture's slice QP at that point), in the
 * same order. A v4 model (qpInCond) runs once, its stem shared by the QPs, and each prediction's `seconds` is an equal
 * share of that run; other models run once per QP. */
export async function predictFrameQps(model: SplitModel, luma: Uint16Array, width: number, height: number, qps: number[], pic: PictureInfo = { sliceType: 'I' }): Promise<FramePrediction[]> {
  if (qps.length === 0) throw new SplitModelError('no QP to predict for');
  if (!model.qpInCond && qps.length > 1) {
    const out: FramePrediction[] = [];
    for (const qp of qps) out.push(...await predictFrameQps(model, luma, width, height, [qp], pic));
    return out;
  }
  if (luma.length !== width * height) throw new SplitModelError(`luma has ${luma.length} samples, expected ${width}x${height}`);
  if (!model.sliceTypes.includes(pic.sliceType)) throw new SplitModelError(`model ${model.name} v${model.version} is not trained for ${pic.sliceType} slices (it has ${model.sliceTypes.join(',')})`);
  if (pic.temporal && pic.temporal.length !== luma.length) throw new SplitModelError(`temporal feature has ${pic.temporal.length} samples, expected ${width}x${height}`);
  const nc = Math.ceil(width / 2) * Math.ceil(height / 2);
  if (model.tree === 'chroma' && !(pic.chroma && pic.chroma.cb.length === nc && pic.chroma.cr.length === nc)) {
    throw new SplitModelError(`model ${model.name} v${model.version} predicts the chroma tree: it needs both chroma planes of ${Math.ceil(width / 2)}x${Math.ceil(height / 2)} samples`);
  }
  const t0 = performance.now();
  const nx = Math.ceil(width / CTU), ny = Math.ceil(height / CTU), n = nx * ny;
  const plane = windowOf(model) ** 2;
  const planes = planesOf(model);
  const V = model.flips;
  // one input buffer per model, reused: a fresh 1.5 MB (416x240) to 50 MB (1080p) array per frame costs its
  // allocation, zeroing and a garbage collection later, as much as a third of the model's own run on small pictures
  // (a call made while another one's run is pending takes a buffer of its own)
  const size = V * n * planes * plane;
  const reuse = !model.inputScratchBusy;
  if (reuse && (!model.inputScratch || model.inputScratch.length < size)) model.inputScratch = new Float32Array(size);
  const input = reuse ? model.inputScratch!.subarray(0, size) : new Float32Array(size);
  if (reuse) model.inputScratchBusy = true;
  try {
    const feeds = frameFeeds(model, input, luma, width, height, qps, pic, nx, ny);
    const out = (await model.session.run(feeds))[model.session.outputNames[0]];
    const preds = qps.map((_, i) => decodeFramePrediction(out, n, nx, width, height, t0, V, i, qps.length));
    const share = (performance.now() - t0) / 1000 / qps.length;
    for (const p of preds) p.seconds = share;
    return preds;
  } finally {
    if (reuse) model.inputScratchBusy = false;
  }
}

/** The model's inputs for one frame: `input` (V x n CTUs x planes x S x S, S = windowOf(model): the CTU and its halo,
 * every value written; variant v's CTUs flipped by flipOf(v)) and the cond vector. */
function frameFeeds(model: SplitModel, input: Float32Array, luma: Uint16Array, width: number, height: number, qps: number[], pic: PictureInfo, nx: number, ny: number): Record<string, import('onnxruntime-node').Tensor> {
  const v4 = model.qpInCond;
  const S = windowOf(model), hs = (S - CTU) / 2;
  const n = nx * ny, plane = S * S, planes = planesOf(model), V = model.flips;
  const qpv = qps[0] / 63;
  const tPlane = v4 ? 1 : 2;  // the temporal plane's index (v4 has no QP plane)
  const tv = model.temporalInputs && pic.temporal ? pic.temporal : undefined;
  const clip = model.temporalClip, scale = model.temporalScale;
  // a chroma-tree model: Cb and Cr in planes 2 and 3, each chroma sample on its 2x2 luma samples
  const ch = model.tree === 'chroma' ? pic.chroma : undefined, cw = Math.ceil(width / 2);
  for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const base = (j * nx + i) * planes * plane;
    for (let y = 0; y < S; y++) {
      const yy = Math.min(Math.max(j * CTU - hs + y, 0), height - 1), sy = yy * width, syc = (yy >> 1) * cw;
      for (let x = 0; x < S; x++) {
        const xx = Math.min(Math.max(i * CTU - hs + x, 0), width - 1), k = sy + xx;
        input[base + y * S + x] = luma[k] / 1023 - 0.5;
        if (tv) input[base + tPlane * plane + y * S + x] = Math.min(tv[k], clip) / scale;
        if (ch) {
          input[base + 2 * plane + y * S + x] = ch.cb[syc + (xx >> 1)] / 1023 - 0.5;
          input[base + 3 * plane + y * S + x] = ch.cr[syc + (xx >> 1)] / 1023 - 0.5;
        }
      }
    }
    if (!v4) input.fill(qpv, base + plane, base + 2 * plane);
    if (model.temporalInputs && !tv) input.fill(0, base + tPlane * plane, base + (tPlane + 1) * plane);
    for (let v = 1; v < V; v++) flipCtu(input, base, v * n * planes * plane, planes, S, flipOf(v));
  }
  const feeds: Record<string, import('onnxruntime-node').Tensor> = { ctu: new model.ort.Tensor('float32', input, [V * n, planes, S, S]) };
  if (model.temporalInputs) {
    // v4: [q, V*n, 8], the slice QP last; v2/v3: [V*n, 7]
    const size = v4 ? COND + 1 : COND, q = v4 ? qps.length : 1;
    const cond = new Float32Array(q * V * n * size);
    const layer = Math.min(Math.max(Math.round(pic.layer ?? 0), 0), LAYERS - 1);
    for (let k = 0; k < q * V * n; k++) {
      if (pic.sliceType === 'B') { cond[k * size] = 1; cond[k * size + 1 + layer] = 1; }
      if (v4) cond[k * size + COND] = qps[Math.floor(k / (V * n))] / 63;
    }
    feeds.cond = new model.ort.Tensor('float32', cond, v4 ? [q, V * n, size] : [V * n, size]);
  } else {
    feeds[model.session.inputNames[0]] = feeds.ctu;
    if (model.session.inputNames[0] !== 'ctu') delete feeds.ctu;
  }
  return feeds;
}

/** Test-time flip variant v (0..3): bit 0 mirrors left-right, bit 1 upside down. */
const flipOf = (v: number) => ({ x: (v & 1) !== 0, y: (v & 2) !== 0 });

/** Copies the CTU's window at `src` (planes x S x S, its halo around it on every side) to `src + offset`, flipped. A
 * flip keeps a split's depth and its direction (a vertical split of a mirrored block is vertical), so the outputs need
 * only their cells flipped back. */
function flipCtu(buf: Float32Array, src: number, offset: number, planes: number, S: number, f: { x: boolean; y: boolean }): void {
  for (let p = 0; p < planes; p++) {
    const s0 = src + p * S * S;
    for (let y = 0; y < S; y++) {
      const from = s0 + (f.y ? S - 1 - y : y) * S, to = s0 + offset + y * S;
      if (f.x) for (let x = 0; x < S; x++) buf[to + x] = buf[from + S - 1 - x];
      else buf.copyWithin(to, from, from + S);
    }
  }
}

/** predictFrame's outputs: per-cell softmax probabilities, most likely depths, directions (the mean over V flips). */
function decodeFramePrediction(out: import('onnxruntime-node').Tensor, n: number, nx: number, width: number, height: number, t0: number, V = 1, qi = 0, q = 1): FramePrediction {
  const dims = out.dims;
  // 9 channels (depths), or 11 with the split directions (DIRECTIONS logits of P(vertical) at MTT depth 0, 1); a v4's
  // output holds q QPs' (QP-major), this decodes the qi-th
  const channels = dims[1];
  if (dims.length !== 4 || dims[0] !== q * V * n || (channels !== QT_CLASSES + MTT_CLASSES && channels !== QT_CLASSES + MTT_CLASSES + DIRECTIONS) ||
      dims[2] !== CELLS || dims[3] !== CELLS) {
    throw new SplitModelError(`model output has shape [${dims.join(',')}], expected [${q * V * n},${QT_CLASSES + MTT_CLASSES} or ${QT_CLASSES + MTT_CLASSES + DIRECTIONS},${CELLS},${CELLS}]`);
  }
  const withDirections = channels === QT_CLASSES + MTT_CLASSES + DIRECTIONS;
  const logits = out.data as Float32Array;
  const cols = Math.ceil(width / GRID), rows = Math.ceil(height / GRID);
  const cells = cols * rows;
  const qt = new Uint8Array(cells), mtt = new Uint8Array(cells), qtConf = new Float32Array(cells);
  const qtProb = new Float32Array(cells * QT_CLASSES), mttProb = new Float32Array(cells * MTT_CLASSES);
  const dirProb = withDirections ? new Float32Array(cells * DIRECTIONS) : undefined;
  const cplane = CELLS * CELLS;
  // softmax of one variant's logits, added (weighted 1 / V) to dst
  const e = new Float64Array(Math.max(QT_CLASSES, MTT_CLASSES));
  const softmaxAdd = (off: number, first: number, count: number, dst: Float32Array, at: number) => {
    let bestV = -Infinity, sum = 0;
    for (let q = 0; q < count; q++) bestV = Math.max(bestV, logits[off + (first + q) * cplane]);
    for (let q = 0; q < count; q++) { e[q] = Math.exp(logits[off + (first + q) * cplane] - bestV); sum += e[q]; }
    for (let q = 0; q < count; q++) dst[at + q] += e[q] / sum / V;
  };
  const flips = Array.from({ length: V }, (_, v) => flipOf(v));
  const argmax = (p: Float32Array, at: number, count: number) => {
    let best = 0;
    for (let q = 1; q < count; q++) if (p[at + q] > p[at + best]) best = q;
    return best;
  };
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = Math.floor(r / CELLS) * nx + Math.floor(c / CELLS);
    const cell = r * cols + c;
    for (let v = 0; v < V; v++) {
      const f = flips[v];
      const rr = f.y ? CELLS - 1 - (r % CELLS) : r % CELLS, cc = f.x ? CELLS - 1 - (c % CELLS) : c % CELLS;
      const off = ((qi * V + v) * n + k) * channels * cplane + rr * CELLS + cc;
      softmaxAdd(off, 0, QT_CLASSES, qtProb, cell * QT_CLASSES);
      softmaxAdd(off, QT_CLASSES, MTT_CLASSES, mttProb, cell * MTT_CLASSES);
      if (dirProb) {
        for (let d = 0; d < DIRECTIONS; d++) dirProb[cell * DIRECTIONS + d] += 1 / (1 + Math.exp(-logits[off + (QT_CLASSES + MTT_CLASSES + d) * cplane])) / V;
      }
    }
    const best = argmax(qtProb, cell * QT_CLASSES, QT_CLASSES);
    qt[cell] = best; mtt[cell] = argmax(mttProb, cell * MTT_CLASSES, MTT_CLASSES); qtConf[cell] = qtProb[cell * QT_CLASSES + best];
  }
  return { cols, rows, qt, mtt, qtConf, qtProb, mttProb, ...(dirProb ? { dirProb } : {}), seconds: (performance.now() - t0) / 1000 };
}

/**
 * How far the hints narrow the search (the 'aggressiveness'):
 *  0 conservative: QT depth in [p-1, p+1], MTT depth <= p+1
 *  1 balanced:     QT depth in [p-1, p+1] (only [p, p] when the model is >= 90% sure), MTT depth <= p+1
 *  2 aggressive:   QT depth in [p, p+1],  MTT depth <= p
 */
export type Aggressiveness = 0 | 1 | 2;

export function cellToken(qt: number, mtt: number, conf: number, a: Aggressiveness): string {
  let lo = qt - 1, hi = qt + 1, m = mtt + 1;
  if (a === 1 && conf >= 0.9) { lo = qt; hi = qt; }
  if (a === 2) { lo = qt; m = mtt; }
  lo = Math.max(lo, 0); hi = Math.min(hi, QT_CLASSES - 1);
  // the deepest QT class (8x8) still lets the search end the QT higher up through `lo`; hi caps at 8x8
  return `${lo === hi ? lo : `${lo}-${hi}`}:${Math.min(m, 3)}`;
}

/**
 * Confidence threshold tau (0 < tau <= 1): per cell, the QT range [lo, hi] grown from the most likely depth one
 * class at a time towards the likelier neighbour until its probability mass reaches tau, and the smallest MTT max
 * depth whose cumulative probability reaches tau. Larger tau = wider ranges = safer and slower. Same rule as
 * models/train.py threshold_ranges (its metrics report the coverage per tau).
 */
export function thresholdToken(qtProb: ArrayLike<number>, mttProb: ArrayLike<number>, tau: number, at = 0): string {
  const pq = (q: number) => qtProb[at * QT_CLASSES + q], pm = (m: number) => mttProb[at * MTT_CLASSES + m];
  let lo = 0;
  for (let q = 1; q < QT_CLASSES; q++) if (pq(q) > pq(lo)) lo = q;
  let hi = lo, mass = pq(lo);
  const eps = 1e-6;
  while (mass < tau - eps && (lo > 0 || hi < QT_CLASSES - 1)) {
    const below = lo > 0 ? pq(lo - 1) : -1, above = hi < QT_CLASSES - 1 ? pq(hi + 1) : -1;
    if (below > above) { lo--; mass += below; } else { hi++; mass += above; }
  }
  let m = 0, cdf = pm(0);
  while (cdf < tau - eps && m < MTT_CLASSES - 1) { m++; cdf += pm(m); }
  return `${lo === hi ? lo : `${lo}-${hi}`}:${m}`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Version 2 (probability) cell token: 'p' + 7 base64url digits (0..63 = probability x 63): P(QT depth > q) for
 * q = 0..3, then P(MTT depth > m) for m = 0..2, the cumulative tails of the cell's predicted distributions; with
 * `dirProb` 2 more: P(vertical) of the MTT split at MTT depth 0, P(across the node's longer side) at MTT depth 1. The
 * encoder turns them into per-node split decisions at its thresholds (codec/README.md "Split hints", version 2).
 */
export function probabilityToken(qtProb: ArrayLike<number>, mttProb: ArrayLike<number>, at = 0, dirProb?: ArrayLike<number>,
  chroma?: { qtProb: ArrayLike<number>; mttProb: ArrayLike<number> }): string {
  const digit = (p: number): string => BASE64URL[Math.min(63, Math.max(0, Math.round(p * 63)))];
  // digits of P(depth > d) for d = 0 .. n-2: the sums of the classes above d (tails, below)
  let dirs = '';
  if (dirProb) for (let d = 0; d < DIRECTIONS; d++) dirs += digit(dirProb[at * DIRECTIONS + d]);
  // the chroma tree's tails after a 'c' (split_hints.h)
  const c = chroma ? `c${tails(chroma.qtProb, QT_CLASSES)}${tails(chroma.mttProb, MTT_CLASSES)}` : '';
  return `p${tails(qtProb, QT_CLASSES)}${tails(mttProb, MTT_CLASSES)}${dirs}${c}`;
  function tails(prob: ArrayLike<number>, n: number): string {
    let s = '';
    for (let d = 0; d < n - 1; d++) {
      let tail = 0;
      for (let k = d + 1; k < n; k++) tail += prob[at * n + k];
      s += digit(tail);
    }
    return s;
  }
}

/** Per-node decision thresholds of version 2 hints: a QT split is tried when its predicted probability reaches
 * `qtSplit`, the QT's end when 1 - that reaches `qtEnd`, an MTT split when its probability reaches `mtt`, and (with a
 * model that predicts split directions; `dir` <= 0.5, 0 = off) a vertical / horizontal MTT split at MTT depth 0-1 when
 * the probability of its direction reaches `dir`. `fallback` (bits, 0 = off): the encoder tries a removed split after
 * all where the leaf CU it coded has a luma distortion uneven across that split by at least fallback x lambda
 * (codec/README.md "Fallback"). */
export interface LayerThresholds {
  qtSplit: number; qtEnd: number; mtt: number; dir?: number; fallback?: number;
  /** The chroma tree's QT split, QT end and MTT thresholds (hints with chroma digits; default: the luma ones). */
  chroma?: { qtSplit: number; qtEnd: number; mtt: number };
  /** The luma tree's QT split and MTT thresholds at small nodes, whose longer side is at most 16 samples (default:
   * qtSplit / mtt). A small CU's search costs more time than its area suggests, so pruning there pays more. */
  small?: { qtSplit: number; mtt: number };
}
/** `layers` (random access): the sets of temporal layers 1, 2, ... (the thresholds above are layer 0's; the last set
 * serves the layers above it too). The upper layers' pictures are referenced by few others or none, so their search
 * can be pruned harder for the same loss (codec/README.md "Split hints"). */
export interface NodeThresholds extends LayerThresholds { layers?: LayerThresholds[] }
/** At most this many sets (TemporalId 0..6), as the encoder takes them. */
export const MAX_THRESHOLD_LAYERS = 7;

/**
 * A preset's per-layer sets (PRESET_OPERATING_POINTS, written for GOP 32: TemporalId 0-5, the last set for the top
 * layer) fitted to a GOP of `gopSize`: where the GOP has fewer layers, the last set moves down to its top layer and the
 * sets just below it are dropped, so that the pictures nothing references keep the harder set (with GOP 16 the last of
 * six sets would otherwise serve no picture). One set, or no more sets than the GOP has layers: unchanged.
 */
export function fitLayersToGop(node: NodeThresholds, gopSize: number): NodeThresholds {
  const { layers } = node;
  const top = topTemporalLayer(gopSize);
  // layers[k] is TemporalId k + 1's set: keep those of layers 1 .. top - 1, then the last one for the top layer
  return !layers || layers.length <= top ? node : { ...node, layers: [...layers.slice(0, top - 1), layers[layers.length - 1]] };
}

/** How hints are made from predictions: a fixed aggressiveness (0/1/2, v1's ranges), a confidence threshold on
 * per-cell ranges, or per-node decisions (version 2 hints: the probabilities, decided by the encoder). */
export type HintPolicy = Aggressiveness | { threshold: number } | { node: NodeThresholds };

/** Whether a set of thresholds decides the chroma tree too (a `chroma` set in some layer): only then are the chroma
 * digits written (and the chroma-tree model run); the operating points carry one where it was measured. */
export const hasChromaThresholds = (t: NodeThresholds): boolean => [t, ...(t.layers ?? [])].some((l) => l.chroma !== undefined);

/** The thresholds as the encoder's list ("0.05/0.25/0.1", "…/0.2", "…/0.2/32", "…/32/cS/cE/cM", "…/cM/sS/sM"; `sep`
 * between them; a small-node set without a chroma set writes the chroma three as 0: the luma ones). */
export const formatNodeThresholds = (t: NodeThresholds, sep = '/'): string =>
  [t, ...(t.layers ?? [])].map((l) => {
    const tail = l.chroma || l.small;
    return [l.qtSplit, l.qtEnd, l.mtt, ...(l.dir || l.fallback || tail ? [l.dir ?? 0] : []), ...(l.fallback || tail ? [l.fallback ?? 0] : []),
      ...(tail ? (l.chroma ? [l.chroma.qtSplit, l.chroma.qtEnd, l.chroma.mtt] : [0, 0, 0]) : []),
      ...(l.small ? [l.small.qtSplit, l.small.mtt] : [])].join(sep);
  }).join(sep === ' ' ? ' | ' : '|');

export function describePolicy(p: HintPolicy): string {
  return typeof p === 'number' ? `aggressiveness ${p}` : 'threshold' in p ? `threshold ${p.threshold}` : `node thresholds ${formatNodeThresholds(p.node)}`;
}

/** Hints file text for the frames' predictions (one entry per input frame, in order). */
export function hintsText(width: number, height: number, frames: FramePrediction[], policy: HintPolicy): string {
  const node = typeof policy !== 'number' && 'node' in policy;
  const lines = [`nnvvc-split-hints ${node ? 2 : 1}`, `# written by the CNN split predictor, ${describePolicy(policy)}`,
    `picture ${width} ${height}`, `ctu ${CTU}`, `grid ${GRID}`,
    ...(node ? [`threshold ${formatNodeThresholds(policy.node, ' ')}`] : []),
    `frames ${frames.length}`];
  frames.forEach((p, f) => {
    if (p.cols !== Math.ceil(width / GRID) || p.rows !== Math.ceil(height / GRID)) {
      throw new SplitModelError(`frame ${f} prediction is ${p.cols}x${p.rows} cells, expected ${Math.ceil(width / GRID)}x${Math.ceil(height / GRID)}`);
    }
    if (typeof policy !== 'number' && !(p.qtProb && p.mttProb)) throw new SplitModelError(`frame ${f}: a threshold needs the predicted probabilities`);
    lines.push(`frame ${f}`);
    for (let r = 0; r < p.rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < p.cols; c++) {
        const k = r * p.cols + c;
        row.push(typeof policy === 'number' ? cellToken(p.qt[k], p.mtt[k], p.qtConf[k], policy)
          : 'threshold' in policy ? thresholdToken(p.qtProb!, p.mttProb!, policy.threshold, k)
            : probabilityToken(p.qtProb!, p.mttProb!, k, p.dirProb, p.chromaQtProb && p.chromaMttProb ? { qtProb: p.chromaQtProb, mttProb: p.chromaMttProb } : undefined));
      }
      lines.push(row.join(' '));
    }
  });
  return lines.join('\n') + '\n';
}

export interface HintsResult {
  file: string; frames: number; inferenceSeconds: number; readSeconds: number;
  /** Frames predicted as B pictures (random access). */
  framesB: number;
}

/** The temporal plane `model` was trained on (its metadata temporal_feature) for picture `luma` and its references. */
export function temporalInputOf(model: Pick<SplitModel, 'temporalFeature'>, luma: Uint16Array, refs: Uint16Array[], width: number, height: number): Uint16Array {
  return model.temporalFeature === 'mc16' ? mcTemporalFeature(luma, refs, width, height) : temporalFeature(luma, refs);
}

/** What writeSplitHints and writeSplitHintsForQps are given (`qp` / `out`: writeSplitHints' one QP). */
interface HintsJob {
  model: SplitModel; input: string; width: number; height: number; bitDepth: 8 | 10; frames: number;
  aggressiveness?: Aggressiveness; policy?: HintPolicy; lumaCache?: Uint16Array[];
  config?: 'ai' | 'ra'; intraPeriod?: number; gopSize?: number;
  /** B pictures' temporal features by POC, kept across the QPs of a job (they depend on the source only). */
  featureCache?: Map<number, Uint16Array>;
  /** The features nnvvc-feature computed for the job (feature-file.ts; a model on `mc16` only): read, not computed. */
  featureFile?: FeatureFile;
  /** Random access: the model for the intra pictures (default `model`), e.g. the all-intra v1 beside v4. */
  intraModel?: SplitModel;
  /** A chroma-tree model (tree `chroma`, e.g. c1): run on the intra pictures too, its probabilities written as the
   * hints' chroma digits, where the policy's per-node thresholds have a chroma set (hasChromaThresholds). */
  chromaModel?: SplitModel;
}

/**
 * Predicts every frame of a raw YUV file at base QP `qp` and writes the hints file. All-intra (default): every frame
 * an I picture at `qp`. Random access (`config: 'ra'`, needs a model trained for B slices): each frame as the
 * encoder codes it (temporal.ts planFrames: intra pictures at qp - 3 on the I path, B pictures with their layer,
 * slice QP and the temporal feature from the source frames they are compared with).
 */
export async function writeSplitHints(o: HintsJob & { qp: number; out: string; predictions?: FramePrediction[] }): Promise<HintsResult> {
  const { qp, out, predictions, ...job } = o;
  return (await writeSplitHintsForQps({ ...job, qps: [qp], outs: [out], ...(predictions ? { predictions: [predictions] } : {}) }))[0];
}

/**
 * writeSplitHints for several base QPs of one job at once (qps[i] -> outs[i]; predictions[i] gets QP i's): each
 * picture is read, its temporal feature made and the model run once for all of them (predictFrameQps: a v4 shares
 * its stem across the QPs). The time is shared equally: each result's inferenceSeconds is total / qps.length.
 */
export async function writeSplitHintsForQps(o: HintsJob & { qps: number[]; outs: string[]; predictions?: FramePrediction[][] }): Promise<HintsResult[]> {
  if (o.qps.length === 0 || o.outs.length !== o.qps.length) throw new SplitModelError(`${o.qps.length} QPs and ${o.outs.length} hints files`);
  const preds: FramePrediction[][] = o.qps.map(() => []);
  let inferenceSeconds = 0, readSeconds = 0, framesB = 0;
  const plans: PlannedFrame[][] = o.qps.map((qp) => planFrames({ config: o.config ?? 'ai', frames: o.frames, baseQp: qp, intraPeriod: o.intraPeriod, gopSize: o.gopSize }));
  const plan = plans[0];
  // the chroma tree's model runs where the thresholds decide the chroma tree (hasChromaThresholds)
  const chromaOn = o.chromaModel !== undefined && o.policy !== undefined && typeof o.policy === 'object' && 'node' in o.policy && hasChromaThresholds(o.policy.node);
  // Without the caller's whole-input cache, a frame read as a picture or a reference stays in `window` until the
  // last picture that uses it (references lie within a GOP), so no frame is read twice.
  const lastUse = new Map<number, number>();
  plan.forEach((pic, i) => { for (const f of [pic.poc, ...pic.refs]) lastUse.set(f, i); });
  const window = new Map<number, Uint16Array>();
  const lumaOf = async (f: number): Promise<Uint16Array> => {
    const t0 = performance.now();
    const luma = o.lumaCache?.[f] ?? window.get(f) ?? await readLuma(o.input, o.width, o.height, o.bitDepth, f);
    if (o.lumaCache) o.lumaCache[f] = luma;
    else window.set(f, luma);
    readSeconds += (performance.now() - t0) / 1000;
    return luma;
  };
  for (const [i, pic] of plan.entries()) {
    for (const [f, last] of lastUse) if (last < i) { window.delete(f); lastUse.delete(f); }
    const luma = await lumaOf(pic.poc);
    let info: PictureInfo = { sliceType: 'I' };
    if (!pic.intra) {
      let temporal = o.featureCache?.get(pic.poc);
      if (!temporal && o.featureFile && o.model.temporalFeature === 'mc16' && o.featureFile.has(pic.poc)) {
        // computed before, by the caller's nnvvc-feature run (its time is the caller's to count): a read
        const t0 = performance.now();
        temporal = await o.featureFile.read(pic.poc);
        readSeconds += (performance.now() - t0) / 1000;
      }
      if (!temporal) {
        const refs = await Promise.all(pic.refs.map(lumaOf));
        const t0 = performance.now();
        temporal = temporalInputOf(o.model, luma, refs, o.width, o.height);
        inferenceSeconds += (performance.now() - t0) / 1000;
      }
      o.featureCache?.set(pic.poc, temporal);
      info = { sliceType: 'B', layer: pic.layer, temporal };
      framesB++;
    }
    const qpsOf = plans.map((pl) => pl[i].qp);
    const ps = await predictFrameQps(pic.intra && o.intraModel ? o.intraModel : o.model, luma, o.width, o.height, qpsOf, info);
    if (pic.intra && chromaOn) {
      const t0 = performance.now();
      const chroma = await readChroma(o.input, o.width, o.height, o.bitDepth, pic.poc);
      readSeconds += (performance.now() - t0) / 1000;
      const cs = await predictFrameQps(o.chromaModel!, luma, o.width, o.height, qpsOf, { sliceType: 'I', chroma });
      cs.forEach((c, q) => { inferenceSeconds += c.seconds; ps[q].chromaQtProb = c.qtProb; ps[q].chromaMttProb = c.mttProb; });
    }
    ps.forEach((p, q) => { inferenceSeconds += p.seconds; preds[q].push(p); });
  }
  const q = o.qps.length;
  const out: HintsResult[] = [];
  for (const [k, file] of o.outs.entries()) {
    o.predictions?.[k]?.push(...preds[k]);
    // whole or not at all: the flow children of a segmented job write the same QP's file while an encoder may be reading it
    await writeFileAtomic(file, hintsText(o.width, o.height, preds[k], o.policy ?? o.aggressiveness ?? 0));
    out.push({ file, frames: o.frames, inferenceSeconds: inferenceSeconds / q, readSeconds: readSeconds / q, framesB });
  }
  return out;
}

/**
 * The hints policy of a job from the environment, in this precedence: NNVVC_SPLIT_NODE_THRESHOLDS,
 * NNVVC_SPLIT_THRESHOLD, NNVVC_SPLIT_AGGRESSIVENESS, else the preset's operating point (`presetPoint` true). A bad
 * value throws SplitModelError naming the variable.
 */
export function hintPolicyFromEnv(env: NodeJS.ProcessEnv, config: string, preset: string, gopSize = RA_GOP_SIZE): { policy: HintPolicy; presetPoint: boolean } {
  const named = <T>(name: string, parse: (v: string | undefined) => T): T => {
    try {
      return parse(env[name]);
    } catch (e) {
      throw new SplitModelError(`${name}: ${(e as Error).message}`);
    }
  };
  const aggressiveness = named('NNVVC_SPLIT_AGGRESSIVENESS', (v) => (v === undefined || v === '' ? undefined : parseAggressiveness(v)));
  const threshold = named('NNVVC_SPLIT_THRESHOLD', parseThreshold);
  const node = named('NNVVC_SPLIT_NODE_THRESHOLDS', parseNodeThresholds);
  if (node !== undefined) return { policy: { node }, presetPoint: false };
  if (threshold !== undefined) return { policy: { threshold }, presetPoint: false };
  if (aggressiveness !== undefined) return { policy: aggressiveness, presetPoint: false };
  return { policy: defaultPolicyFor(config, preset, gopSize), presetPoint: true };
}

/** NNVVC_SPLIT_NODE_THRESHOLDS: undefined when unset/empty, else "t" (the first three), "qtSplit,qtEnd,mtt",
 * "qtSplit,qtEnd,mtt,dir" or "qtSplit,qtEnd,mtt,dir,fallback" as the encoder takes them: the first three in (0, 1),
 * dir in [0, 0.5] (0 = off), fallback in bits, [0, 1000] (0 = off); or several such sets separated by '|', one per
 * temporal layer from 0 (the last serves the layers above). */
export function parseNodeThresholds(v: string | undefined): NodeThresholds | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const sets = v.split('|');
  if (sets.length > MAX_THRESHOLD_LAYERS) {
    throw new SplitModelError(`split-hints node thresholds '${v}': ${sets.length} sets, at most ${MAX_THRESHOLD_LAYERS} (one per temporal layer)`);
  }
  // one set, or one per temporal layer from 0 (the last serves the layers above); an error names the set's layer
  const parsed = sets.map((x, k) => {
    const t = nodeThresholdSet(x);
    if (typeof t === 'string') throw new SplitModelError(`split-hints node thresholds '${v}': ${sets.length > 1 ? `temporal layer ${k}: ` : ''}${t}`);
    return t;
  });
  return parsed.length === 1 ? parsed[0] : { ...parsed[0], layers: parsed.slice(1) };
}

/** One set of parseNodeThresholds ("t", "qtSplit,qtEnd,mtt[,dir[,fallback[,cQtSplit,cQtEnd,cMtt[,sQtSplit,sMtt]]]]",
 * ',' or '/' between): the set, or what is wrong with it. */
function nodeThresholdSet(v: string): LayerThresholds | string {
  if (v.trim() === '') return 'the set is empty';
  const parts = v.split(/[,/]/).map((x) => x.trim());
  const t = parts.map(Number);
  const inUnit = (x: number) => Number.isFinite(x) && x > 0 && x < 1;
  // with ten values the chroma and small-node thresholds may be 0: the luma / general ones
  const tailOk = t.length === 10 ? (x: number) => x === 0 || inUnit(x) : inUnit;
  if (![1, 3, 4, 5, 8, 10].includes(t.length) || parts.some((x) => x === '') || !t.slice(0, 3).every(inUnit) || !t.slice(5).every(tailOk)) {
    return 'expected one number, three (QT split, QT end, MTT) in (0, 1), four (and the split direction), five (and the fallback in bits), eight (and the chroma tree\'s QT split, QT end, MTT in (0, 1)) or ten (and the small nodes\' QT split, MTT; with ten, 0 in [0, 1) takes the luma or general threshold), e.g. 0.05,0.3,0.05';
  }
  const chroma = t.length >= 8 && t.slice(5, 8).some((x) => x > 0);
  if (chroma && !t.slice(5, 8).every(inUnit)) return `the chroma tree's thresholds ${parts.slice(5, 8).join(',')} are set in part: give all three in (0, 1) or all 0`;
  const small = t.length === 10 && (t[8] > 0 || t[9] > 0);
  if (t.length >= 4 && !(t[3] >= 0 && t[3] <= 0.5)) return `the direction threshold ${parts[3]} is ${t[3] > 0.5 ? 'above 0.5' : 'not in [0, 0.5]'}`;
  if (t.length >= 5 && !(t[4] >= 0 && t[4] <= 1000)) return `the fallback ${parts[4]} is not a number of bits in [0, 1000]`;
  return t.length === 1 ? { qtSplit: t[0], qtEnd: t[0], mtt: t[0] }
    : { qtSplit: t[0], qtEnd: t[1], mtt: t[2], ...(t.length >= 4 && t[3] > 0 ? { dir: t[3] } : {}), ...(t.length >= 5 && t[4] > 0 ? { fallback: t[4] } : {}),
      ...(chroma ? { chroma: { qtSplit: t[5], qtEnd: t[6], mtt: t[7] } } : {}),
      ...(small ? { small: { qtSplit: t[8] || t[0], mtt: t[9] || t[2] } } : {}) };
}

/** NNVVC_SPLIT_THRESHOLD: undefined when unset/empty, else a number 0 < tau <= 1. */
export function parseThreshold(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = Number(v);
  if (!Number.isFinite(t) || t <= 0 || t > 1) throw new SplitModelError(`split-hints threshold '${v}': expected a number in (0, 1], e.g. 0.9`);
  return t;
}

export function parseAggressiveness(v: string | undefined, fallback: Aggressiveness = 0): Aggressiveness {
  if (v === undefined || v === '') return fallback;
  if (v === '0' || v === '1' || v === '2') return Number(v) as Aggressiveness;
  throw new SplitModelError(`split-hints aggressiveness '${v}': expected 0, 1 or 2`);
}
