// CNN split predictor benchmark (npm run bench:cnn): on held-out content (BasketballPass, not in the training
// set), encode at QP 22/27/32/37 with nnvvc-enc at the same preset with and without CNN split hints, and print
// encode CPU time, bits, PSNR, BD-rate (src/quality bdRate), prediction accuracy against the unhinted encoder's
// own partition, model inference time (per frame of the bench sequence and of a 1080p frame), and whether
// every hinted bitstream decodes bit-exactly (nnvvc-dec, and VTM DecoderApp when VTM_DECODER_APP is set).
// Env: CNN_BENCH_SEQ (file in the shared sequences), CNN_BENCH_CONFIG (ai | ra, default ai), CNN_BENCH_GOP (ra: 32 or 16), CNN_BENCH_FRAMES
// (2 for ai, 33 for ra), CNN_BENCH_PRESET (medium), CNN_BENCH_AGGR ("0,1,2": aggressiveness levels; "" for none),
// CNN_BENCH_THRESHOLDS (confidence thresholds, e.g. "0.9,0.95"; default none), CNN_BENCH_NODE (per-node decision
// thresholds of version 2 hints, entries separated by ';', each "t", "qtSplit,qtEnd,mtt" or "qtSplit,qtEnd,mtt,dir" (dir: the
// split-direction threshold, models with direction outputs), e.g. "0.1;0.05,0.3,0.05;0.05,0.25,0.1,0.2";
// default none), CNN_BENCH_ORACLE (oracle rows: hints
// written from the full search's own partition at the same QP, e.g. "qt1m1,m1,exact": QT exact or +-1, MTT maximum
// exact or +1; what a perfect predictor of the same form would save and cost), NNVVC_SPLIT_MODEL (another .onnx, as
// the worker takes it), NNVVC_SPLIT_INTRA_MODEL (ra: the intra pictures' model, as the worker takes it: default v1
// beside the default v3, `same` for the job's model), NNVVC_ENC/NNVVC_DEC/NNVVC_FEATURE, VTM_DECODER_APP,
// SHARED_SEQUENCES, CNN_BENCH_TAG (a suffix for the result file), CNN_BENCH_KEEP=1 (keep the work folder: streams,
// hints, --stats; to profile or re-run one encode with its hints), CNN_BENCH_REPEAT=N (each encode N times, 1-9, in N
// rounds over all the encodes, so that the machine's drift in speed falls on all alike: its CPU time the median, the
// streams checked equal; the machine's speed drifts by several % between minutes).
// With VTM_ENCODER_APP set (ra only), every row also gets its BD-rate against VTM-23.2's RA anchor and T1/T2: the
// Pareto table of preset x hints. The anchor is bench:codec's (bench/.cache/vtm-ra/, same key), encoded when absent;
// CNN_BENCH_REUSE_VTM=0 encodes it again in this run.
// Random access: GOP 32 (CNN_BENCH_GOP=16: GOP 16, the preset points' per-layer sets fitted to its layers), the
// encoder's default intra period for the sequence's frame rate; hints for every input
// frame as the worker writes them (writeSplitHints config 'ra': I pictures on the I path, B pictures with their
// temporal layer, slice QP and temporal feature); needs a model trained for B slices (v2).
// Writes bench/cnn-results-<preset>.json (ai) or bench/cnn-results-ra-<preset>.json (ra), per preset; with
// CNN_BENCH_SEQ set, the sequence's name is appended (cnn-results-ra-medium-Cactus.json), then CNN_BENCH_TAG if set.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bdRate, bitrateKbps } from '../src/quality/index.js';
import { chromaModelFileFor, readChroma, defaultModelFor, intraFlipsFor, intraModelFileFor, defaultPolicyFor, describePolicy, PRESET_OPERATING_POINTS, formatNodeThresholds, parseNodeThresholds, loadSplitModel, predictFrame, predictFrameQps, readLuma, temporalInputOf, writeSplitHintsForQps, type Aggressiveness, type HintsResult, type FramePrediction, type HintPolicy, type PictureInfo, type SplitModel } from '../src/models/split-predictor.js';
import { defaultIntraPeriod, RA_GOP_SIZE, RA_GOP_SIZES } from '../src/quality/anchors.js';
import { AccuracyCounter, cellTargets, describeOracle, oracleHints, type OracleSlack } from '../src/models/labels.js';
import { vtmAnchor, type RaRun } from './codec-ra.js';
import { readManifest } from '../test/conformance/lib.js';
import { FeatureFile, featurePictures, nnvvcFeatureArgs } from '../src/models/feature-file.js';
import { median, runCpuTimed } from './cpu-time.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEQ_DIR = process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences');
const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
// the B pictures' temporal features, as the worker computes them (once per job; without the tool: in JavaScript)
const FEATURE = process.env.NNVVC_FEATURE ?? path.join(path.dirname(ENC), 'nnvvc-feature');
const VTM_DEC = process.env.VTM_DECODER_APP ?? '';
const SEQ = process.env.CNN_BENCH_SEQ ?? 'BasketballPass_416x240_50fps_8bit_101f.yuv';
const CONFIG = (process.env.CNN_BENCH_CONFIG ?? 'ai') as 'ai' | 'ra';
if (CONFIG !== 'ai' && CONFIG !== 'ra') throw new Error(`CNN_BENCH_CONFIG=${CONFIG}: expected ai or ra`);
const FRAMES = Number(process.env.CNN_BENCH_FRAMES ?? (CONFIG === 'ra' ? 33 : 2));
// random access: the GOP size (nnvvc-enc --gop-size), 32 or 16
const GOP = Number(process.env.CNN_BENCH_GOP ?? RA_GOP_SIZE);
// each encode this many times, its CPU time the median (1..9)
const REPEAT = Number(process.env.CNN_BENCH_REPEAT ?? 1);
if (!Number.isInteger(REPEAT) || REPEAT < 1 || REPEAT > 9) throw new Error(`CNN_BENCH_REPEAT=${process.env.CNN_BENCH_REPEAT}: expected a whole number of runs from 1 to 9`);
if (!(RA_GOP_SIZES as readonly number[]).includes(GOP)) throw new Error(`CNN_BENCH_GOP=${process.env.CNN_BENCH_GOP}: expected one of ${RA_GOP_SIZES.join(', ')}`);
// one preset or several ("fast,medium,slow"): each is run without hints, with its operating point
// (PRESET_OPERATING_POINTS, unless CNN_BENCH_POINT=0) and with the variants below; then a Pareto table that also sets
// each hinted row against the next faster preset's unhinted run (the issue's preset rule)
const PRESETS = (process.env.CNN_BENCH_PRESET ?? 'medium').split(',').map((x) => x.trim()).filter(Boolean);
const WITH_POINT = process.env.CNN_BENCH_POINT !== '0';
const list = (v: string | undefined, dflt: string) => (v ?? dflt).split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number);
const AGGR = list(process.env.CNN_BENCH_AGGR, '0,1,2') as Aggressiveness[];
const THRESHOLDS = list(process.env.CNN_BENCH_THRESHOLDS, '');
for (const t of THRESHOLDS) if (!(t > 0 && t <= 1)) throw new Error(`CNN_BENCH_THRESHOLDS: ${t} is not in (0, 1]`);
// per-node thresholds: entries separated by ';', each "t" or "qtSplit,qtEnd,mtt"
const NODE_THRESHOLDS = (process.env.CNN_BENCH_NODE ?? '').split(';').map((x) => x.trim()).filter(Boolean).map((x) => parseNodeThresholds(x)!);
const ORACLES: Record<string, OracleSlack> = { exact: { qt: 0, mtt: 0 }, m1: { qt: 0, mtt: 1 }, qt1: { qt: 1, mtt: 0 }, qt1m1: { qt: 1, mtt: 1 } };
const ORACLE = (process.env.CNN_BENCH_ORACLE ?? '').split(',').map((t) => t.trim()).filter(Boolean);
for (const o of ORACLE) if (!(o in ORACLES)) throw new Error(`CNN_BENCH_ORACLE: '${o}' is not one of ${Object.keys(ORACLES).join(', ')}`);
const VTM_ENC = process.env.VTM_ENCODER_APP ?? '';
const COMMON_VARIANTS: { label: string; policy?: HintPolicy; oracle?: OracleSlack }[] = [
  ...AGGR.map((a) => ({ label: `a${a}`, policy: a as HintPolicy })), ...THRESHOLDS.map((t) => ({ label: `t${t}`, policy: { threshold: t } })),
  ...NODE_THRESHOLDS.map((t) => ({ label: `n${formatNodeThresholds(t).replaceAll('/', '-').replaceAll('|', '_')}`, policy: { node: t } })),
  ...ORACLE.map((o) => ({ label: `oracle-${o}`, oracle: ORACLES[o] })),
];
const describeVariant = (v: { policy?: HintPolicy; oracle?: OracleSlack }) => (v.oracle ? describeOracle(v.oracle) : describePolicy(v.policy!));
const QPS = [22, 27, 32, 37];

/** One hinted variant's results (bench/cnn-results-*.json `variants`; the Pareto table reads the named fields). */
interface VariantSummary extends Record<string, unknown> {
  label: string; description: string; encodeSeconds: number; inferenceSeconds: number; timeSavedPct: number; leafWorkSavedPct: number; bdRatePct: number;
  bdRateVsVtmPct?: number; timeRatioVsVtm?: number;
}

interface Stats { total_bits: number; search?: { leaf_samples: number }; frames: { frame: number; psnr_y: number; psnr_u: number; psnr_v: number; time_s: number; cus: number[][] }[] }

async function main() {
  for (const f of [ENC, DEC]) if (!existsSync(f)) { console.error(`${f} missing: npm run build:codec`); process.exit(2); }
  const row = readManifest(SEQ_DIR).find((x) => x.file === SEQ);
  if (!row) throw new Error(`${SEQ} not in ${SEQ_DIR}/MANIFEST.tsv`);
  const m = row;
  const src = path.join(SEQ_DIR, SEQ);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-cnn-bench-'));
  const model = await loadSplitModel(process.env.NNVVC_SPLIT_MODEL || defaultModelFor(CONFIG));
  const luma0 = await readLuma(src, m.width, m.height, m.bitDepth, 0);
  // random access: the intra pictures' model, as the worker picks it (NNVVC_SPLIT_INTRA_MODEL; default v1 beside v3)
  const intraFile = intraModelFileFor(CONFIG, process.env, model.file);
  const intraModel = intraFile ? await loadSplitModel(intraFile, { flips: intraFlipsFor(process.env) }) : undefined;
  // the chroma tree's model, as the worker picks it (NNVVC_SPLIT_CHROMA_MODEL; default c1 for all-intra where the file
  // exists): it runs for the variants whose thresholds have a chroma set
  const chromaFile = chromaModelFileFor(CONFIG, process.env);
  const chromaModel = chromaFile && (chromaFile.explicit || existsSync(chromaFile.file)) ? await loadSplitModel(chromaFile.file, { flips: '1' }) : undefined;
  // onnxruntime's first run allocates and plans; a service worker pays it once per job (it is in report.json). The
  // first two runs at a new size are slow: both are warm-up, for each model
  const warmUp = async (mm: SplitModel, pic?: PictureInfo) => {
    const first = await predictFrame(mm, luma0, m.width, m.height, 32, pic);
    await predictFrame(mm, luma0, m.width, m.height, 32, pic);
    return first;
  };
  if (chromaModel) {
    await warmUp(chromaModel, { sliceType: 'I', chroma: await readChroma(src, m.width, m.height, m.bitDepth, 0) });
    console.log(`chroma tree: model ${chromaModel.name} ${chromaModel.version} (for thresholds with a chroma set)`);
  }
  if (intraModel) {
    await warmUp(intraModel);
    console.log(`intra pictures: model ${intraModel.name} v${intraModel.version}${intraModel.ensemble > 1 ? ` (ensemble of ${intraModel.ensemble})` : ''}, ${intraModel.flips} test-time flip(s)`);
  }
  const intraPeriod = CONFIG === 'ra' ? defaultIntraPeriod(m.fps, GOP) : undefined;
  console.log(`model ${model.name} v${model.version}${model.ensemble > 1 ? ` (ensemble of ${model.ensemble})` : ''} (${model.ep}, ${model.flips} test-time flip(s)${model.epNote ? `; ${model.epNote}` : ''}); ${SEQ} ${FRAMES} frames, ${CONFIG}${intraPeriod ? ` (GOP ${GOP}, intra period ${intraPeriod})` : ''}, presets ${PRESETS.join(', ')}; VTM decoder: ${VTM_DEC || 'not used (VTM_DECODER_APP not set)'}`);
  const lumaCache: Uint16Array[] = [];  // the source's luma, read once for every preset and QP
  const warm = await warmUp(model);
  console.log(`first inference (warm-up, not counted below): ${(warm.seconds * 1000).toFixed(0)} ms`);
  // inference time on a 1080p frame (135 CTUs)
  let hd: { file: string; secondsPerFrame: number; featureSecondsPerFrame?: number; featureToolSecondsPerFrame?: number; bSecondsPerFrame?: number; bSecondsPerFrameOf4?: number } | null = null;
  const featureTool = model.temporalFeature === 'mc16' && existsSync(FEATURE);
  const HD = 'BQTerrace_1920x1080_60fps_8bit_17f.yuv';
  if (existsSync(path.join(SEQ_DIR, HD))) {
    const luma = await readLuma(path.join(SEQ_DIR, HD), 1920, 1080, 8, 0);
    await predictFrame(model, luma, 1920, 1080, 32); // warm-up
    const t: number[] = [];
    for (let i = 0; i < 3; i++) t.push((await predictFrame(model, luma, 1920, 1080, 32)).seconds);
    hd = { file: HD, secondsPerFrame: Math.min(...t) };
    if (model.temporalInputs) {
      // a B picture: its temporal feature (once per frame and job, whatever the QPs) and the model run
      const [r0, r1] = await Promise.all([0, 16].map((f) => readLuma(path.join(SEQ_DIR, HD), 1920, 1080, 8, f)));
      const b = await readLuma(path.join(SEQ_DIR, HD), 1920, 1080, 8, 8);
      const tf: number[] = [], tb: number[] = [], t4: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const temporal = temporalInputOf(model, b, [r0, r1], 1920, 1080);
        tf.push((performance.now() - t0) / 1000);
        tb.push((await predictFrame(model, b, 1920, 1080, 34, { sliceType: 'B', layer: 2, temporal })).seconds);
        // a job's four QPs at once (one run of a v4 model; four of any other), per QP
        t4.push((await predictFrameQps(model, b, 1920, 1080, [24, 29, 34, 39], { sliceType: 'B', layer: 2, temporal })).reduce((a, p) => a + p.seconds, 0) / 4);
      }
      hd = { ...hd, featureSecondsPerFrame: Math.min(...tf), bSecondsPerFrame: Math.min(...tb), bSecondsPerFrameOf4: Math.min(...t4) };
      if (featureTool) {
        // nnvvc-feature on that one picture, its process start and file I/O included
        const tt: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          await run(FEATURE, nnvvcFeatureArgs({ input: path.join(SEQ_DIR, HD), width: 1920, height: 1080, bitDepth: 8, pictures: [{ poc: 8, refs: [0, 16] }], out: path.join(tmp, 'hd.u16') }));
          tt.push((performance.now() - t0) / 1000);
        }
        hd.featureToolSecondsPerFrame = Math.min(...tt);
      }
    }
  }
  if (hd) console.log(`inference on a 1920x1080 frame (${model.ep}): ${(hd.secondsPerFrame * 1000).toFixed(0)} ms${hd.bSecondsPerFrame !== undefined ? `; a B picture ${(hd.bSecondsPerFrame * 1000).toFixed(0)} ms (${(hd.bSecondsPerFrameOf4! * 1000).toFixed(0)} ms per QP when a job's four QPs are predicted together) + its temporal feature (${model.temporalFeature}, once per frame for all QPs) ${(hd.featureSecondsPerFrame! * 1000).toFixed(0)} ms in JavaScript${hd.featureToolSecondsPerFrame !== undefined ? `, ${(hd.featureToolSecondsPerFrame * 1000).toFixed(0)} ms by nnvvc-feature` : ''}` : ''}`);
  // the job's B pictures' temporal features, computed once by nnvvc-feature as the worker does; each variant (a job)
  // is charged its time
  let featureFile: FeatureFile | undefined;
  if (CONFIG === 'ra' && featureTool) {
    const pictures = featurePictures({ frames: FRAMES, intraPeriod, gopSize: GOP });
    const out = path.join(tmp, 'features.u16');
    const t0 = performance.now();
    await run(FEATURE, nnvvcFeatureArgs({ input: src, width: m.width, height: m.height, bitDepth: m.bitDepth, pictures, out }));
    featureFile = new FeatureFile(out, m.width, m.height, pictures.map((p) => p.poc), (performance.now() - t0) / 1000);
    console.log(`temporal features of the ${pictures.length} B pictures (nnvvc-feature, charged to each variant once): ${(featureFile.seconds * 1000).toFixed(0)} ms`);
  } else if (CONFIG === 'ra' && model.temporalFeature === 'mc16') console.log(`${FEATURE} not found: temporal features in JavaScript`);
  // Pareto columns: each row against VTM-23.2's anchor (BD-rate, T1/T2 with T1 = encode + inference CPU time)
  let vtm: RaRun | undefined;
  if (VTM_ENC) {
    vtm = await vtmAnchor({ app: VTM_ENC, seq: m, frames: FRAMES, intraPeriod: intraPeriod ?? 0, qps: QPS, jobs: 1, reuse: process.env.CNN_BENCH_REUSE_VTM !== '0', work: tmp, timeoutMs: 4 * 3600_000, config: CONFIG });
    if (vtm.error) { console.log(`VTM anchor failed: ${vtm.error}`); vtm = undefined; }
  } else console.log('*** VTM_ENCODER_APP not set: no BD-rate against VTM-23.2 / T1/T2 columns ***');
  const t2 = vtm ? vtm.points.reduce((a, p) => a + p.seconds, 0) : 0;
  const vtmCurve = vtm ? QPS.map((qp) => { const p = vtm!.points.find((x) => x.qp === qp)!; return { kbps: p.kbps, psnr: p.psnr.yuv }; }) : [];
  const vsVtm = (pts: { kbps: number; psnr: number }[], secs: number) => {
    if (!vtm) return { text: '', bd: undefined as number | undefined, ratio: undefined as number | undefined };
    const bd = bdRate(vtmCurve, pts), ratio = secs / t2;
    return { text: ` ${bd >= 0 ? '+' : ''}${bd.toFixed(2)} % | ${ratio.toFixed(3)} |`, bd, ratio };
  };
  if (vtm) console.log(`VTM-23.2 anchor (${CONFIG}): ${t2.toFixed(1)} s CPU for the 4 QPs${vtm.points.some((p) => p.cached) ? ` (saved results of an earlier run, bench/.cache/${CONFIG === 'ra' ? 'vtm-ra' : 'vtm-ai-anchor'}: T2 not measured in this run)` : ' (measured in this run)'}`);
  const pareto: { preset: string; hints: string; bdVtm?: number; ratio?: number; saved?: number; bd?: number; secs: number; vsFaster?: number; rule?: boolean }[] = [];
  // the issue's preset rule: a hinted preset beats the next faster unhinted one in BD-rate at equal or lower time. The
  // presets run from fast to slow, and each hinted row is set against the unhinted run of the preset before it (its
  // BD-rate against that curve, and whether it is also no slower), with or without VTM-23.2.
  const order = Object.keys(PRESET_OPERATING_POINTS[CONFIG]);
  const presets = [...PRESETS].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  let faster: { preset: string; curve: { kbps: number; psnr: number }[]; secs: number } | undefined;
  for (const PRESET of presets) {
    const VARIANTS = [...(WITH_POINT ? [{ label: 'point', policy: defaultPolicyFor(CONFIG, PRESET, GOP) as HintPolicy, oracle: undefined as OracleSlack | undefined }] : []), ...COMMON_VARIANTS];
    const r = await benchPreset(PRESET, VARIANTS);
    const fasterBd = (curve: { kbps: number; psnr: number }[]) => (faster ? bdRate(faster.curve, curve) : undefined);
    pareto.push({ preset: PRESET, hints: 'none', secs: r.fullSeconds, bdVtm: r.fullVtm.bd, ratio: r.fullVtm.ratio, vsFaster: fasterBd(r.anchor) });
    for (const v of r.summary) {
      const secs = v.encodeSeconds + v.inferenceSeconds, vsFaster = fasterBd(r.curves[v.label]);
      pareto.push({ preset: PRESET, hints: `${v.label === 'point' ? 'operating point: ' : ''}${v.description}`, secs, saved: v.timeSavedPct, bd: v.bdRatePct, bdVtm: v.bdRateVsVtmPct, ratio: v.timeRatioVsVtm,
        vsFaster, rule: vsFaster === undefined ? undefined : vsFaster < 0 && secs <= faster!.secs });
    }
    faster = { preset: PRESET, curve: r.anchor, secs: r.fullSeconds };
  }
  if (PRESETS.length > 1 || vtm) {
    console.log(`\nPareto table (${CONFIG}, ${SEQ} ${FRAMES} frames; time = encode + inference CPU s${vtm ? '; T1/T2 against VTM-23.2' : ''}; against the next faster preset: BD-rate vs its unhinted run, and the preset rule: better and no slower):`);
    console.log(`| preset | hints | CPU s | time saved | BD-rate vs unhinted | vs next faster unhinted | preset rule |${vtm ? ' BD-rate vs VTM-23.2 | T1/T2 |' : ''}`);
    console.log(`|---|---|---|---|---|---|---|${vtm ? '---|---|' : ''}`);
    for (const r of pareto) {
      const pct = (x?: number) => (x === undefined ? '-' : `${x >= 0 && x !== 0 ? '+' : ''}${x.toFixed(2)} %`);
      console.log(`| ${r.preset} | ${r.hints} | ${r.secs.toFixed(2)} | ${r.saved === undefined ? '-' : `${r.saved.toFixed(1)} %`} | ${pct(r.bd)} | ${pct(r.vsFaster)} | ${r.rule === undefined ? '-' : r.rule ? 'met' : 'not met'} |${vtm ? ` ${pct(r.bdVtm)} | ${r.ratio?.toFixed(3) ?? '-'} |` : ''}`);
    }
  }
  // CNN_BENCH_KEEP=1 keeps the streams, hints and logs (e.g. to profile one encode with its hints)
  if (process.env.CNN_BENCH_KEEP) console.log(`work folder kept: ${tmp}`);
  else await rm(tmp, { recursive: true, force: true });

  async function benchPreset(PRESET: string, VARIANTS: { label: string; policy?: HintPolicy; oracle?: OracleSlack }[]) {
  console.log(`\n== preset ${PRESET} ==${REPEAT > 1 ? ` (each encode ${REPEAT} times, the median CPU time)` : ''}`);

  // One run of the encoder; its CPU time (user + sys) and wall time.
  async function encodeOnce(qp: number, b: string, o: string, s: string, hints?: string) {
    const t0 = performance.now();
    const { cpu } = await runCpuTimed(ENC, ['-i', src, '-s', `${m.width}x${m.height}`, '--fps', String(m.fps), '--frames', String(FRAMES),
      '--input-bitdepth', String(m.bitDepth), '--qp', String(qp), '--config', CONFIG, '--preset', PRESET, '-b', b, '-o', o, '--stats', s,
      ...(CONFIG === 'ra' ? ['--gop-size', String(GOP)] : []), ...(hints ? ['--split-hints', hints] : [])]);
    return { cpu, wall: (performance.now() - t0) / 1000 };
  }
  // CNN_BENCH_REPEAT: every encode (full search and variants, QP by QP) is run again in rounds 2..N after the first
  // round, in the same order (timed, below), so that the machine's drift in speed (several points between minutes here)
  // falls on all of them alike; each encode's median CPU time counts, and its streams must equal round 1's
  const timed: { qp: number; label: string; hints?: string; e: Encoded; cpus: number[]; walls: number[]; point?: { encSeconds: number; wall: number } }[] = [];
  async function encode(qp: number, label: string, hints?: string) {
    const b = path.join(tmp, `${label}.266`), o = path.join(tmp, `${label}.rec.yuv`), s = path.join(tmp, `${label}.json`);
    const { cpu, wall } = await encodeOnce(qp, b, o, s, hints);
    const st = JSON.parse(await readFile(s, 'utf8')) as Stats;
    const y = st.frames.reduce((a, f) => a + f.psnr_y, 0) / FRAMES, u = st.frames.reduce((a, f) => a + f.psnr_u, 0) / FRAMES, v = st.frames.reduce((a, f) => a + f.psnr_v, 0) / FRAMES;
    const e = { b, o, st, wall, encSeconds: cpu, cpuRuns: [+cpu.toFixed(2)], kbps: bitrateKbps(st.total_bits / 8, FRAMES, m.fps), psnr: (6 * y + u + v) / 8, psnrY: y, cus: st.frames.reduce((a, f) => a + f.cus.length, 0),
      leafSamples: st.search?.leaf_samples ?? NaN };
    timed.push({ qp, label, hints, e, cpus: [cpu], walls: [wall] });
    return e;
  }
  async function repeatRounds() {
    for (let k = 1; k < REPEAT; ++k) {
      console.log(`round ${k + 1} of ${REPEAT}: every encode again`);
      for (const t of timed) {
        const bk = path.join(tmp, `${t.label}.r${k}.266`);
        const r = await encodeOnce(t.qp, bk, path.join(tmp, `${t.label}.r${k}.rec.yuv`), path.join(tmp, `${t.label}.r${k}.json`), t.hints);
        if (!(await readFile(bk)).equals(await readFile(t.e.b))) throw new Error(`${t.label}: run ${k + 1} of ${REPEAT} wrote another bitstream than run 1 (the encoder must be deterministic)`);
        t.cpus.push(r.cpu);
        t.walls.push(r.wall);
        t.e.cpuRuns.push(+r.cpu.toFixed(2));
      }
    }
    for (const t of timed) {
      t.e.encSeconds = median(t.cpus);
      t.e.wall = median(t.walls);
      if (t.point) { t.point.encSeconds = t.e.encSeconds; t.point.wall = t.e.wall; }
    }
  }
  async function decodeChecks(b: string, recon: string) {
    const out: Record<string, boolean | null> = {};
    const d = b + '.dec.yuv';
    try { await run(DEC, ['-b', b, '-o', d]); out.nnvvcDec = (await readFile(d)).equals(await readFile(recon)); } catch { out.nnvvcDec = false; }
    if (VTM_DEC) {
      const dv = b + '.vtm.yuv';
      try {
        const r = await run(VTM_DEC, ['-b', b, '-o', dv, '-d', '10'], { maxBuffer: 1 << 24 });
        out.vtmDec = (await readFile(dv)).equals(await readFile(recon)) && !/MD5 check failed|\*\*\*ERROR/i.test(r.stdout);
      } catch { out.vtmDec = false; }
    } else out.vtmDec = null;
    return out;
  }

  type Encoded = Awaited<ReturnType<typeof encode>>;
  // a variant's point of encode e; repeatRounds gives it e's median time
  const pointOf = (qp: number, e: Encoded, decode: Record<string, boolean | null>) => {
    const p = { qp, kbps: e.kbps, psnr: e.psnr, psnrY: e.psnrY, encSeconds: e.encSeconds, ...(REPEAT > 1 ? { cpuRuns: e.cpuRuns } : {}), wall: e.wall, cus: e.cus, leafSamples: e.leafSamples, decode };
    timed.find((t) => t.e === e)!.point = p;
    return p;
  };
  const base: Encoded[] = [];
  const acc = new AccuracyCounter();
  // featureCache: each variant is one job of 4 QPs, and a job computes the B pictures' temporal features once (as the
  // worker's predictSplits stage does), shared by its QPs
  const variants: Record<string, { points: ReturnType<typeof pointOf>[]; inferenceSeconds: number; framesPredicted: number; featureCache: Map<number, Uint16Array> }> = {};
  for (const v of VARIANTS) variants[v.label] = { points: [], inferenceSeconds: featureFile?.seconds ?? 0, framesPredicted: 0, featureCache: new Map() };
  // each variant's hints for the 4 QPs in one pass, as the worker's predictSplits stage writes a job's (a v4 model runs
  // its stem once per picture for all of them; writeSplitHintsForQps shares the time equally)
  const hintsOf: Record<string, { results: HintsResult[]; preds: FramePrediction[][] }> = {};
  for (const { label, policy, oracle } of VARIANTS) {
    if (oracle) continue;
    const preds: FramePrediction[][] = QPS.map(() => []);
    const results = await writeSplitHintsForQps({ model, input: src, width: m.width, height: m.height, bitDepth: m.bitDepth, frames: FRAMES, qps: QPS,
      outs: QPS.map((qp) => path.join(tmp, `qp${qp}.${label}.hints.txt`)), policy, predictions: preds, lumaCache,
      featureCache: variants[label].featureCache, featureFile, intraModel, chromaModel, ...(CONFIG === 'ra' ? { config: 'ra' as const, intraPeriod, gopSize: GOP } : {}) });
    hintsOf[label] = { results, preds };
  }
  for (const [qi, qp] of QPS.entries()) {
    const b0 = await encode(qp, `qp${qp}.full`);
    base.push(b0);
    console.log(`qp${qp} full search: ${b0.kbps.toFixed(1)} kbps, ${b0.psnr.toFixed(3)} dB, ${b0.encSeconds.toFixed(2)} s (${b0.cus} CUs)`);
    let accDone = false;
    for (const { label, policy, oracle } of VARIANTS) {
      const preds: FramePrediction[] = [];
      const hints = path.join(tmp, `qp${qp}.${label}.hints.txt`);
      if (oracle) {
        await writeFile(hints, oracleHints(b0.st.frames, m.width, m.height, oracle));
        const e = await encode(qp, `qp${qp}.${label}`, hints);
        const decode = await decodeChecks(e.b, e.o);
        variants[label].points.push(pointOf(qp, e, decode));
        console.log(`qp${qp} ${label}:    ${e.kbps.toFixed(1)} kbps, ${e.psnr.toFixed(3)} dB, ${e.encSeconds.toFixed(2)} s (${e.cus} CUs), decode ${JSON.stringify(decode)}`);
        continue;
      }
      const h = hintsOf[label].results[qi];
      preds.push(...hintsOf[label].preds[qi]);
      variants[label].inferenceSeconds += h.inferenceSeconds;
      variants[label].framesPredicted += h.frames;
      if (!accDone) preds.forEach((p, f) => acc.add(p, cellTargets(b0.st.frames[f].cus, m.width, m.height)));
      accDone = true;
      const e = await encode(qp, `qp${qp}.${label}`, hints);
      const decode = await decodeChecks(e.b, e.o);
      variants[label].points.push(pointOf(qp, e, decode));
      console.log(`qp${qp} hints ${label}:    ${e.kbps.toFixed(1)} kbps, ${e.psnr.toFixed(3)} dB, ${e.encSeconds.toFixed(2)} s (${e.cus} CUs), decode ${JSON.stringify(decode)}`);
    }
  }
  await repeatRounds();
  const anchor = base.map((p) => ({ kbps: p.kbps, psnr: p.psnr }));
  const fullSeconds = base.reduce((a, p) => a + p.encSeconds, 0);
  const summary: VariantSummary[] = [];
  const curves: Record<string, { kbps: number; psnr: number }[]> = {};
  console.log(`\n${CONFIG}, ${SEQ} ${FRAMES} frames, preset ${PRESET}, model ${model.name} v${model.version}:`);
  // leaf work: the luma samples of the leaves (CUs) the RD search evaluated (--stats "search"), a measure of its work
  // that timing noise does not move (the encode times of one variant vary by +-5 points across runs on this machine)
  const fullLeafSamples = base.reduce((a, p) => a + p.leafSamples, 0);
  console.log(`| hints | encode CPU s (sum 4 QPs) | time saved | leaf work saved | BD-rate (YUV) | CUs | inference ms/frame | inference / encode time | decodes bit-exact |${vtm ? ' BD-rate vs VTM-23.2 | T1/T2 |' : ''}`);
  console.log(`|---|---|---|---|---|---|---|---|---|${vtm ? '---|---|' : ''}`);
  const fullVtm = vsVtm(anchor, fullSeconds);
  console.log(`| none (full search, ${PRESET}) | ${fullSeconds.toFixed(2)} | - | - | - | ${base.reduce((a, p) => a + p.cus, 0)} | - | - | - |${fullVtm.text}`);
  for (const { label, policy, oracle } of VARIANTS) {
    const v = variants[label];
    const secs = v.points.reduce((s, p) => s + p.encSeconds, 0);
    const curve = v.points.map((p) => ({ kbps: p.kbps, psnr: p.psnr }));
    const bd = bdRate(anchor, curve);
    const allOk = v.points.every((p) => p.decode.nnvvcDec === true && p.decode.vtmDec !== false);
    const vtmRan = v.points.every((p) => p.decode.vtmDec !== null);
    const msPerFrame = 1000 * v.inferenceSeconds / Math.max(1, v.framesPredicted);
    const leafWorkSavedPct = 100 * (1 - v.points.reduce((s, p) => s + p.leafSamples, 0) / fullLeafSamples);
    const pv = vsVtm(curve, secs + v.inferenceSeconds);
    curves[label] = curve;
    summary.push({ variant: label, label, description: describeVariant({ policy, oracle }), ...(oracle ? { oracle } : typeof policy === 'number' ? { aggressiveness: policy } : 'threshold' in policy! ? { threshold: policy.threshold } : { nodeThresholds: policy!.node }), encodeSeconds: secs, timeSavedPct: 100 * (1 - secs / fullSeconds), leafWorkSavedPct, bdRatePct: bd,
      inferenceSeconds: v.inferenceSeconds, inferenceMsPerFrame: msPerFrame, inferenceShareOfEncode: v.inferenceSeconds / secs, decodeOk: allOk, vtmChecked: vtmRan, points: v.points,
      ...(pv.bd !== undefined ? { bdRateVsVtmPct: pv.bd, timeRatioVsVtm: pv.ratio } : {}) });
    if (label === 'point') console.log(`(operating point of preset ${PRESET}: the service's default for ${CONFIG} jobs)`);
    console.log(`| ${describeVariant({ policy, oracle })} | ${secs.toFixed(2)} | ${(100 * (1 - secs / fullSeconds)).toFixed(1)} % | ${leafWorkSavedPct.toFixed(1)} % | ${bd.toFixed(2)} % | ${v.points.reduce((s, p) => s + p.cus, 0)} | ${oracle ? '-' : msPerFrame.toFixed(1)} | ${oracle ? '-' : `${(100 * v.inferenceSeconds / secs).toFixed(2)} %`} | ${allOk ? 'yes' : 'NO'}${vtmRan ? ' (nnvvc-dec + VTM)' : ' (nnvvc-dec only)'} |${pv.text}`);
  }
  const accuracy = acc.result();
  console.log(`\nprediction accuracy vs the full search's partition (${accuracy.cells} cells): QT exact ${(100 * accuracy.qtExact).toFixed(1)} %, QT within 1 ${(100 * accuracy.qtWithin1).toFixed(1)} %, MTT exact ${(100 * accuracy.mttExact).toFixed(1)} %, MTT within 1 ${(100 * accuracy.mttWithin1).toFixed(1)} %`);
  const out = { sequence: SEQ, config: CONFIG, ...(intraPeriod ? { intraPeriod, gopSize: GOP } : {}), frames: FRAMES, preset: PRESET, model: `${model.name} v${model.version}`, modelFile: path.relative(REPO, model.file), ensemble: model.ensemble, flips: model.flips, ...(intraModel ? { intraModel: `${intraModel.name} v${intraModel.version}`, intraModelFile: path.relative(REPO, intraModel.file), intraEnsemble: intraModel.ensemble, intraFlips: intraModel.flips } : {}), ...(chromaModel ? { chromaModelFile: path.relative(REPO, chromaModel.file) } : {}), ep: model.ep, machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length }, full: base.map((p, i) => ({ qp: QPS[i], kbps: p.kbps, psnr: p.psnr, encSeconds: p.encSeconds, ...(REPEAT > 1 ? { cpuRuns: p.cpuRuns } : {}), cus: p.cus, leafSamples: p.leafSamples })),
    ...(vtm ? { vtm: { seconds: t2, cached: vtm.points.some((p) => p.cached), points: vtm.points, fullBdRateVsVtmPct: fullVtm.bd, fullTimeRatioVsVtm: fullVtm.ratio } } : {}), variants: summary, accuracy, inference1080p: hd };
  // (another sequence than the default BasketballPass: its name in the file's, e.g. cnn-results-ra-medium-Cactus.json)
  // (CNN_BENCH_TAG: a suffix of one's own, so that a run leaves the committed tables alone)
  const seqTag = `${process.env.CNN_BENCH_SEQ ? `-${SEQ.split('_')[0]}` : ''}${process.env.CNN_BENCH_TAG ? `-${process.env.CNN_BENCH_TAG}` : ''}`;
  await writeFile(path.join(REPO, `bench/cnn-results-${CONFIG === 'ra' ? 'ra-' : ''}${PRESET}${seqTag}.json`), JSON.stringify(out, null, 1) + '\n');
  return { fullSeconds, fullVtm, summary, anchor, curves };
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
