// Pipeline: a job with our encoder and an RD-search preset runs the CNN split predictor, passes per-QP hints
// to nnvvc-enc, and report.json records which model/version ran and its inference time. A job with the
// 'trivial' preset passes through and says why. Needs Redis and the built codec (skips loudly).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FOREMAN, REPO, json, startStack, submit, upload, waitForState } from '../service/helpers.js';
import { fitLayersToGop, formatNodeThresholds, PRESET_OPERATING_POINTS, V1_MODEL, type NodeThresholds } from '../../src/models/split-predictor.js';

// a text for a RegExp: thresholds hold '.' and, per temporal layer, '|'
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The per-node thresholds of a preset's operating point (those the tests use are per-node). */
const nodePoint = (config: 'ai' | 'ra', preset: string): NodeThresholds => (PRESET_OPERATING_POINTS[config][preset] as { node: NodeThresholds }).node;

const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
const skip = !(existsSync(ENC) && existsSync(DEC)) ? `${ENC} or ${DEC} not built (npm run build:codec)`
  : !existsSync(FOREMAN) ? `${FOREMAN} missing (set SHARED_SEQUENCES)` : false;
if (skip) console.log(`SKIPPED: split predictor pipeline test: ${skip}`);

type Stack = Awaited<ReturnType<typeof startStack>>;
/** Submits a job, waits for it to complete (asserted) and returns its id, report and report.splitPrediction. */
async function completedJob(s: Stack, body: Record<string, unknown>, timeoutMs: number) {
  const { id } = await json(await submit(s.base, body));
  const v = await waitForState(s.base, id, ['completed', 'failed'], timeoutMs);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
  return { id, report, sp: report.splitPrediction ?? report.extra?.splitPrediction };
}

test('job with nnvvc + preset runs predictSplits and reports the model and its inference time', { skip, timeout: 180_000 }, async () => {
  const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, JOB_ATTEMPTS: '1' } });
  try {
    const FRAME = 176 * 144 * 3 / 2;
    const up = await upload(s.base, (await readFile(FOREMAN)).subarray(0, FRAME), { width: 176, height: 144, fps: 30, name: 'foreman' });
    const { id: seqId } = await json(up);
    const { id, report, sp } = await completedJob(s, { sequenceId: seqId, config: 'ai', qps: [32, 37], preset: 'faster' }, 170_000);
    assert.ok(sp, `report has splitPrediction: ${Object.keys(report).join(',')}`);
    assert.equal(sp.model, 'splitnet v1');   // all-intra default (v4 is the random-access default)
    assert.equal(sp.modelVersion, '1');
    assert.equal(sp.temporalFeature, null);
    assert.equal(sp.config, 'ai');
    assert.equal(sp.framesPredictedB, 0);
    assert.equal(sp.threshold, null);
    assert.deepEqual(sp.nodeThresholds, nodePoint('ai', 'faster'));   // the preset's operating point
    assert.match(sp.policy, /^node thresholds [\d./]+ \(preset faster's operating point\)$/);
    // NNVVC_ONNX_EP unset = auto: webgpu where an adapter exists, else cpu and the report says why
    assert.equal(sp.executionProviderRequested, 'auto');
    assert.ok(['cpu', 'webgpu'].includes(sp.executionProvider), sp.executionProvider);
    if (sp.executionProvider === 'cpu') assert.match(sp.executionProviderNote, /^NNVVC_ONNX_EP=auto: CPU, because /);
    assert.ok(Math.abs(sp.inferenceMsPerFrame - sp.inferenceSeconds * 1000 / sp.framesPredicted) < 0.01, `inferenceMsPerFrame ${sp.inferenceMsPerFrame}`);
    assert.ok(sp.inferenceSeconds > 0 && sp.inferenceSeconds < 10, `inference ${sp.inferenceSeconds} s`);
    assert.equal(sp.framesPredicted, 2);
    assert.deepEqual(Object.keys(sp.hints).sort(), ['qp32', 'qp37']);
    const jobDir = path.join(s.cfg.dataDir, 'jobs', id);
    const hints = await readFile(path.join(jobDir, sp.hints.qp32), 'utf8');
    assert.match(hints, /^nnvvc-split-hints 2\n/);
    assert.ok(report.ratePoints.every((p: { decodeOk: boolean }) => p.decodeOk), JSON.stringify(report.ratePoints.map((p: { decoders: unknown }) => p.decoders)));
  } finally {
    await s.close();
  }
});

test('job with preset trivial (no partition search) passes through predictSplits and says why', { skip, timeout: 120_000 }, async () => {
  const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, JOB_ATTEMPTS: '1' } });
  try {
    const up = await upload(s.base, (await readFile(FOREMAN)).subarray(0, 176 * 144 * 3 / 2), { width: 176, height: 144, fps: 30, name: 'foreman' });
    const { id: seqId } = await json(up);
    const { sp } = await completedJob(s, { sequenceId: seqId, config: 'ai', qps: [37], preset: 'trivial' }, 110_000);
    assert.equal(sp.model, null);
    assert.match(sp.note, /no partition search to prune/);
  } finally {
    await s.close();
  }
});

test('random-access job: v4 (the RA default) predicts every frame (I and B pictures): with a confidence threshold, by default the preset\'s per-node operating point, or set node thresholds; NNVVC_SPLIT_MODEL=v1 passes RA through', { skip, timeout: 240_000 }, async () => {
  const saved = { model: process.env.NNVVC_SPLIT_MODEL, thr: process.env.NNVVC_SPLIT_THRESHOLD, aggr: process.env.NNVVC_SPLIT_AGGRESSIVENESS };
  process.env.NNVVC_SPLIT_THRESHOLD = '0.95';
  delete process.env.NNVVC_SPLIT_AGGRESSIVENESS;
  const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, JOB_ATTEMPTS: '1' } });
  try {
    const FRAME = 176 * 144 * 3 / 2, FRAMES = 5;
    const up = await upload(s.base, (await readFile(FOREMAN)).subarray(0, FRAMES * FRAME), { width: 176, height: 144, fps: 30, name: 'foreman' });
    const { id: seqId } = await json(up);
    const { id, report, sp } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster' }, 200_000);
    assert.equal(sp.model, 'splitnet v4');
    assert.equal(sp.temporalFeature, 'mc16');
    assert.equal(sp.qpInCond, true);
    // the B pictures' features came from nnvvc-feature, once for the job, and its file is gone once the hints are
    assert.equal(sp.temporalFeatureTool, 'nnvvc-feature');
    assert.ok(sp.temporalFeatureSeconds > 0 && sp.temporalFeatureSeconds <= sp.inferenceSeconds, `${sp.temporalFeatureSeconds} of ${sp.inferenceSeconds} s`);
    assert.deepEqual((await readdir(path.join(s.cfg.dataDir, 'jobs', id))).filter((f) => f.startsWith('temporal-features')), []);
    assert.match(await readFile(path.join(s.cfg.dataDir, 'jobs', id, 'logs', 'temporal-feature.log'), 'utf8'), /nnvvc-feature -i .* 1:0,2 /);
    assert.equal(sp.config, 'ra');
    assert.equal(sp.threshold, 0.95);
    assert.match(sp.note, /threshold 0\.95, random access/);
    assert.equal(sp.framesPredicted, FRAMES);
    assert.equal(sp.framesPredictedB, FRAMES - 1);   // POC 0 is the only intra picture
    assert.ok(sp.inferenceMsPerFrame > 0);
    const hints = await readFile(path.join(s.cfg.dataDir, 'jobs', id, sp.hints.qp37), 'utf8');
    assert.match(hints, /^nnvvc-split-hints 1\n# written by the CNN split predictor, threshold 0\.95\n/);
    assert.equal(hints.match(/^frame \d+$/gm)?.length, FRAMES);
    assert.ok(report.ratePoints.every((p: { decodeOk: boolean }) => p.decodeOk), JSON.stringify(report.ratePoints.map((p: { decoders: unknown }) => p.decoders)));

    // none set: the preset's operating point, as version 2 (probability) hints the encoder decides per node;
    // an aggressiveness set: that one; node thresholds set: those
    delete process.env.NNVVC_SPLIT_THRESHOLD;
    const point = nodePoint('ra', 'faster');
    {
      // two QPs: v4 predicts each picture for both in one run; each gets its own hints file
      const { id: idn, sp: spn, report: rn } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [32, 37], preset: 'faster', frames: 3 }, 200_000);
      assert.equal(spn.framesPredicted, 6);
      assert.deepEqual(Object.keys(spn.hints).sort(), ['qp32', 'qp37']);
      const h32 = await readFile(path.join(s.cfg.dataDir, 'jobs', idn, spn.hints.qp32), 'utf8');
      assert.notEqual(h32, await readFile(path.join(s.cfg.dataDir, 'jobs', idn, spn.hints.qp37), 'utf8'));
      assert.deepEqual(spn.nodeThresholds, point);
      assert.equal(spn.threshold, null);
      assert.match(spn.note, new RegExp(`node thresholds ${escapeRe(formatNodeThresholds(point))} \\(preset faster's operating point\\), random access`));
      const h2 = await readFile(path.join(s.cfg.dataDir, 'jobs', idn, spn.hints.qp37), 'utf8');
      assert.match(h2, new RegExp(`^nnvvc-split-hints 2\n[^]*\nthreshold ${escapeRe(formatNodeThresholds(point, ' '))}\nframes 3\n`));
      // the intra picture by the all-intra v1 (its tokens carry the 2 direction digits), the B pictures by v4
      assert.equal(spn.intraModel, 'splitnet v1');
      // on the CPU one run per picture (test-time flips `auto`)
      assert.equal(spn.intraFlips, 1);
      assert.equal(spn.flips, 1);
      // single networks, not ensembles (models/ensemble_onnx.py)
      assert.deepEqual([spn.ensemble, spn.intraEnsemble], [1, 1]);
      assert.match(spn.note, /intra pictures by splitnet v1/);
      assert.match(h2, /^frame 0\n(p[A-Za-z0-9_-]{9} ){21}p[A-Za-z0-9_-]{9}\n/m);
      assert.match(h2, /^frame 1\n(p[A-Za-z0-9_-]{7} ){21}p[A-Za-z0-9_-]{7}\n/m);
      assert.ok(rn.ratePoints.every((p: { decodeOk: boolean }) => p.decodeOk));
    }
    // random access `medium` (a set per temporal layer, written for GOP 32) with GOP 16: the last set moves down to
    // layer 4, GOP 16's top layer (the pictures nothing references), and layer 4's own set is dropped
    {
      const fitted = fitLayersToGop(nodePoint('ra', 'medium'), 16);
      assert.equal(fitted.layers?.length, 4);
      assert.deepEqual(fitted.layers!.at(-1), nodePoint('ra', 'medium').layers!.at(-1));
      const { id: idg, sp: spg, report: rg } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'medium', frames: 3, gopSize: 16 }, 200_000);
      assert.deepEqual(spg.nodeThresholds, fitted);
      assert.match(spg.note, new RegExp(`node thresholds ${escapeRe(formatNodeThresholds(fitted))} \\(preset medium's operating point\\), random access`));
      const hg = await readFile(path.join(s.cfg.dataDir, 'jobs', idg, spg.hints.qp37), 'utf8');
      assert.match(hg, new RegExp(`\nthreshold ${escapeRe(formatNodeThresholds(fitted, ' '))}\nframes 3\n`));
      assert.ok(rg.ratePoints.every((p: { decodeOk: boolean }) => p.decodeOk));
    }
    // a rate search predicts per trial QP from the features kept for it, and they go once the encode stage is over
    {
      const { id: idr, sp: spr } = await completedJob(s, { sequenceId: seqId, config: 'ra', targetKbps: [150], preset: 'faster', frames: 3 }, 200_000);
      assert.equal(spr.temporalFeatureTool, 'nnvvc-feature');
      assert.ok(Object.keys(spr.hints).length >= 1, JSON.stringify(spr.hints));
      assert.deepEqual((await readdir(path.join(s.cfg.dataDir, 'jobs', idr))).filter((f) => f.startsWith('temporal-features')), []);
    }
    // NNVVC_SPLIT_INTRA_MODEL=same: v4 for every picture; a file that is not there fails the job, naming it
    process.env.NNVVC_SPLIT_INTRA_MODEL = 'same';
    {
      const { id: ids, sp: sps } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster', frames: 3 }, 200_000);
      assert.equal(sps.intraModel, null);
      assert.match(await readFile(path.join(s.cfg.dataDir, 'jobs', ids, sps.hints.qp37), 'utf8'), /^frame 0\n(p[A-Za-z0-9_-]{7} ){21}p[A-Za-z0-9_-]{7}\n/m);
    }
    process.env.NNVVC_SPLIT_INTRA_MODEL = '/nonexistent/intra.onnx';
    {
      const r = await submit(s.base, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster', frames: 3 });
      const { id: idf } = await json(r);
      const failed = await waitForState(s.base, idf, ['failed', 'completed'], 120_000);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error, /NNVVC_SPLIT_INTRA_MODEL: split model not found: \/nonexistent\/intra\.onnx/);
    }
    delete process.env.NNVVC_SPLIT_INTRA_MODEL;
    process.env.NNVVC_SPLIT_INTRA_FLIPS = '3';
    {
      const { id: idf } = await json(await submit(s.base, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster', frames: 3 }));
      const failed = await waitForState(s.base, idf, ['failed', 'completed'], 120_000);
      assert.equal(failed.state, 'failed');
      assert.match(failed.error, /NNVVC_SPLIT_INTRA_FLIPS: test-time flips=3: expected 1, 2, 4 or auto/);
    }
    delete process.env.NNVVC_SPLIT_INTRA_FLIPS;
    process.env.NNVVC_SPLIT_AGGRESSIVENESS = '2';
    const { sp: spa } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster', frames: 3 }, 200_000);
    assert.equal(spa.nodeThresholds, null);
    assert.equal(spa.aggressiveness, 2);
    assert.match(spa.note, /aggressiveness 2, random access/);
    delete process.env.NNVVC_SPLIT_AGGRESSIVENESS;
    process.env.NNVVC_SPLIT_NODE_THRESHOLDS = '0.2,0.3,0.4';
    const { sp: spt } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster', frames: 3 }, 200_000);
    assert.deepEqual(spt.nodeThresholds, { qtSplit: 0.2, qtEnd: 0.3, mtt: 0.4 });
    assert.equal(spt.aggressiveness, null);
    assert.match(spt.note, /node thresholds 0\.2\/0\.3\/0\.4, random access/);
    delete process.env.NNVVC_SPLIT_NODE_THRESHOLDS;
    // NNVVC_SPLIT_MODEL pointing at the all-intra v1: RA runs the full search and says why; all-intra still uses v1
    process.env.NNVVC_SPLIT_MODEL = V1_MODEL;
    const { sp: sp1 } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [37], preset: 'faster', frames: 3 }, 200_000);
    assert.equal(sp1.model, null);
    assert.match(sp1.note, /splitnet v1 is trained for all-intra \(slice types I\); config ra runs the full partition search/);
    const { sp: sp2 } = await completedJob(s, { sequenceId: seqId, config: 'ai', qps: [37], preset: 'faster', frames: 1 }, 200_000);
    assert.equal(sp2.model, 'splitnet v1');
    assert.match(sp2.note, new RegExp(`node thresholds ${escapeRe(formatNodeThresholds(nodePoint('ai', 'faster')))} \\(preset faster's operating point\\)$`));
  } finally {
    delete process.env.NNVVC_SPLIT_INTRA_MODEL;
    delete process.env.NNVVC_SPLIT_NODE_THRESHOLDS;
    for (const [k, v] of [['NNVVC_SPLIT_MODEL', saved.model], ['NNVVC_SPLIT_THRESHOLD', saved.thr], ['NNVVC_SPLIT_AGGRESSIVENESS', saved.aggr]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    await s.close();
  }
});

test('without nnvvc-feature the worker computes the temporal feature in JavaScript, says so, and writes the same hints', { skip, timeout: 240_000 }, async () => {
  const FRAME = 176 * 144 * 3 / 2, FRAMES = 5;
  const hintsOf = async (env: Record<string, string>) => {
    const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, JOB_ATTEMPTS: '1', ...env } });
    try {
      const up = await upload(s.base, (await readFile(FOREMAN)).subarray(0, FRAMES * FRAME), { width: 176, height: 144, fps: 30, name: 'foreman' });
      const { id: seqId } = await json(up);
      const { id, sp } = await completedJob(s, { sequenceId: seqId, config: 'ra', qps: [32], preset: 'faster' }, 200_000);
      return { sp, hints: await readFile(path.join(s.cfg.dataDir, 'jobs', id, sp.hints.qp32), 'utf8') };
    } finally {
      await s.close();
    }
  };
  const tool = await hintsOf({});
  const js = await hintsOf({ NNVVC_FEATURE: '/nonexistent/nnvvc-feature' });
  assert.equal(tool.sp.temporalFeatureTool, 'nnvvc-feature');
  assert.equal(js.sp.temporalFeatureTool, 'javascript');
  assert.match(js.sp.temporalFeatureNote, /\/nonexistent\/nnvvc-feature not found \(NNVVC_FEATURE/);
  assert.equal(js.sp.temporalFeatureSeconds, undefined);
  assert.equal(js.hints, tool.hints);
});

test('all-intra medium: c1 predicts the chroma tree (chroma digits in the hints, decoded bit-exactly); NNVVC_SPLIT_CHROMA_MODEL none leaves it out, a luma model there fails the job', { skip, timeout: 240_000 }, async () => {
  const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, JOB_ATTEMPTS: '1' } });
  try {
    const FRAME = 176 * 144 * 3 / 2;
    const { id: seqId } = await json(await upload(s.base, (await readFile(FOREMAN)).subarray(0, FRAME), { width: 176, height: 144, fps: 30, name: 'foreman' }));
    const point = nodePoint('ai', 'medium');
    const { id, report, sp } = await completedJob(s, { sequenceId: seqId, config: 'ai', qps: [37], preset: 'medium' }, 200_000);
    assert.ok(point.chroma, 'all-intra medium\'s point has a chroma set');
    assert.equal(sp.chromaModel, 'splitnet c1');
    assert.match(sp.note, /, chroma tree by splitnet c1$/);
    const hints = await readFile(path.join(s.cfg.dataDir, 'jobs', id, sp.hints.qp37), 'utf8');
    // 176 / 8 = 22 cells a row, each 'p' + 9 digits (v1's directions) + 'c' + 7 digits; the threshold line's 8 values
    assert.match(hints, /^frame 0\n(p[A-Za-z0-9_-]{9}c[A-Za-z0-9_-]{7} ){21}p[A-Za-z0-9_-]{9}c[A-Za-z0-9_-]{7}\n/m);
    assert.match(hints, new RegExp(`^threshold ${escapeRe(formatNodeThresholds(point, ' '))}$`, 'm'));
    assert.ok(report.ratePoints.every((p: { decodeOk: boolean }) => p.decodeOk), JSON.stringify(report.ratePoints.map((p: { decoders: unknown }) => p.decoders)));
    process.env.NNVVC_SPLIT_CHROMA_MODEL = 'none';
    const { id: idn, sp: spn } = await completedJob(s, { sequenceId: seqId, config: 'ai', qps: [37], preset: 'medium' }, 200_000);
    assert.equal(spn.chromaModel, null);
    assert.doesNotMatch(await readFile(path.join(s.cfg.dataDir, 'jobs', idn, spn.hints.qp37), 'utf8'), /^p[A-Za-z0-9_-]{9}c/m);
    process.env.NNVVC_SPLIT_CHROMA_MODEL = V1_MODEL;
    const { id: idf } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37], preset: 'medium' }));
    const failed = await waitForState(s.base, idf, ['failed', 'completed'], 120_000);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error, /NNVVC_SPLIT_CHROMA_MODEL: .*splitnet-v1\.onnx is a luma model \(its metadata has no tree=chroma\)/);
  } finally {
    delete process.env.NNVVC_SPLIT_CHROMA_MODEL;
    await s.close();
  }
});
