// Execution provider of the CNN split predictor (NNVVC_ONNX_EP = auto | webgpu | cpu | cuda): value parsing and
// start-up validation, and what happens on this host: `auto` falls back to the CPU quickly and says why (once in
// the log, in every report); an explicit `webgpu` without an adapter fails the predictSplits stage clearly.
// On a host with a WebGPU adapter the fallback assertions turn into "webgpu was used" (printed either way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/index.js';
import { ONNX_EPS, parseOnnxEp } from '../../src/models/onnx-ep.js';
import { DEFAULT_MODEL, ExecutionProviderError, loadSplitModel, resetExecutionProviderProbe, shortOrtError } from '../../src/models/split-predictor.js';
import { predictSplits, splitPredictionReport } from '../../src/worker/stages/predict-splits.js';
import { BadInputError } from '../../src/worker/errors.js';
import type { StageContext } from '../../src/worker/context.js';
import type { PreparedInput } from '../../src/worker/stages/prepare.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('NNVVC_ONNX_EP parsing: default auto, case-insensitive, bad values and an uninstalled cuda named in the error', () => {
  assert.deepEqual(ONNX_EPS, ['auto', 'webgpu', 'cpu', 'cuda']);
  assert.equal(parseOnnxEp(undefined), 'auto');
  assert.equal(parseOnnxEp(''), 'auto');
  assert.equal(parseOnnxEp(' WebGPU '), 'webgpu');
  assert.equal(parseOnnxEp('cpu'), 'cpu');
  assert.throws(() => parseOnnxEp('gpu'), (e: Error) => e.message === 'invalid NNVVC_ONNX_EP="gpu": expected one of auto, webgpu, cpu, cuda (default auto: webgpu where a GPU adapter exists, else cpu)');
  assert.equal(parseOnnxEp('cuda', () => true), 'cuda');
  assert.throws(() => parseOnnxEp('CUDA', () => false),
    /^Error: invalid NNVVC_ONNX_EP="CUDA": onnxruntime-node's CUDA execution provider is not installed here \(no libonnxruntime_providers_cuda\.so in .*ONNXRUNTIME_NODE_INSTALL=cuda12.*or use one of auto, webgpu, cpu$/);
});

test('config validation: NNVVC_ONNX_EP lands in cfg.onnxEp; a bad value fails loadConfig and the start-up (exit 2)', async () => {
  assert.equal(loadConfig({}).onnxEp, 'auto');
  assert.equal(loadConfig({ NNVVC_ONNX_EP: 'CPU' }).onnxEp, 'cpu');
  assert.equal(loadConfig({ NNVVC_ONNX_EP: 'webgpu' }).onnxEp, 'webgpu');
  assert.throws(() => loadConfig({ NNVVC_ONNX_EP: 'tpu' }), /invalid NNVVC_ONNX_EP="tpu": expected one of auto, webgpu, cpu, cuda/);
  // the real entry point, before it touches Redis or the data folder
  const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], { cwd: REPO, env: { ...process.env, NNVVC_ONNX_EP: 'vulkan' } })
    .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /invalid NNVVC_ONNX_EP="vulkan": expected one of auto, webgpu, cpu, cuda/);
});

test("onnxruntime's native error is cut to the sentence that says why", () => {
  const msg = '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...) adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n';
  assert.equal(shortOrtError(new Error(msg)), 'Failed to get a WebGPU adapter: No supported adapters');
  assert.equal(shortOrtError(new Error('plain\nsecond line')), 'plain');
});

test('auto on this host: WebGPU where an adapter exists, else CPU quickly, with the reason (found once per process)', async () => {
  resetExecutionProviderProbe();
  const t0 = performance.now();
  const m = await loadSplitModel(DEFAULT_MODEL, { ep: 'auto' });
  const seconds = (performance.now() - t0) / 1000;
  console.log(`# NNVVC_ONNX_EP=auto -> ${m.ep} in ${seconds.toFixed(2)} s${m.epNote ? ` (${m.epNote})` : ''}`);
  assert.equal(m.requestedEp, 'auto');
  if (m.ep === 'webgpu') { assert.equal(m.epNote, undefined); return; }
  assert.equal(m.ep, 'cpu');
  assert.match(m.epNote ?? '', /^NNVVC_ONNX_EP=auto: CPU, because (no WebGPU adapter \(.+\)|this onnxruntime-node build has no WebGPU backend)/);
  assert.equal(m.epNoteFirst, true);
  assert.ok(seconds < 10, `auto fallback took ${seconds} s`);
  // the next load does not probe again and is not the first to say why
  const again = await loadSplitModel(DEFAULT_MODEL, { ep: 'auto' });
  assert.deepEqual([again.ep, again.epNote, again.epNoteFirst], ['cpu', m.epNote, false]);
  // an explicit webgpu does not fall back: a clear error naming the value and the way out
  await assert.rejects(loadSplitModel(DEFAULT_MODEL, { ep: 'webgpu' }), (e: Error) => e instanceof ExecutionProviderError
    && /^NNVVC_ONNX_EP=webgpu: (cannot create a WebGPU session for the split model \(.+\); no usable GPU on this worker\? Set NNVVC_ONNX_EP=auto \(falls back to the CPU\) or cpu|this onnxruntime-node build has no webgpu backend)/.test(e.message));
});

/** A StageContext for predictSplits alone: all-intra nnvvc job at QP 32, preset faster, on a 64x64 grey clip. */
async function stageFixture(onnxEp: 'auto' | 'webgpu') {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-ep-'));
  const input = path.join(dir, 'in.yuv');
  const W = 64, H = 64;
  const y = Buffer.alloc(W * H * 3 / 2, 128);
  for (let i = 0; i < W * H; i++) y[i] = (i % W) * 3 + Math.floor(i / W); // a gradient, so not every cell is flat
  await writeFile(input, Buffer.concat([y, y]));
  const warnings: string[] = [];
  const log = { info: () => {}, debug: () => {}, error: () => {}, warn: (a: unknown, b?: string) => { warnings.push(typeof a === 'string' ? a : b ?? ''); } };
  const ctx = {
    cfg: { ...loadConfig({ DATA_DIR: dir }), onnxEp }, log, jobId: 'j1', dir, logsDir: dir, signal: new AbortController().signal,
    data: { jobId: 'j1', request: { config: 'ai', qps: [32], preset: 'faster', encoder: 'nnvvc' }, sequence: {}, createdAt: '' },
    progress: () => {},
  } as unknown as StageContext;
  const prepared = { input, width: W, height: H, bitDepth: 8, fps: 30, frames: 2, frameBytes: W * H * 3 / 2 } as PreparedInput;
  return { ctx, prepared, warnings, done: () => rm(dir, { recursive: true, force: true }) };
}

test('predictSplits records the provider used, the reason and the inference time per frame; logs the reason once', async () => {
  resetExecutionProviderProbe();
  const f = await stageFixture('auto');
  try {
    const first = await predictSplits(f.ctx, f.prepared);
    const second = await predictSplits(f.ctx, f.prepared);
    const rep = splitPredictionReport(first) as Record<string, unknown>;
    console.log(`# report splitPrediction: ${JSON.stringify({ ...rep, hints: undefined })}`);
    assert.equal(rep.model, 'splitnet v1');
    assert.equal(rep.executionProviderRequested, 'auto');
    assert.equal(rep.framesPredicted, 2);
    assert.ok(typeof rep.inferenceMsPerFrame === 'number' && rep.inferenceMsPerFrame > 0, `inferenceMsPerFrame ${rep.inferenceMsPerFrame}`);
    assert.equal(rep.inferenceMsPerFrame, Math.round((rep.inferenceSeconds as number) * 1000 / 2 * 100) / 100);
    if (rep.executionProvider === 'webgpu') return;
    assert.equal(rep.executionProvider, 'cpu');
    assert.match(String(rep.executionProviderNote), /^NNVVC_ONNX_EP=auto: CPU, because /);
    assert.match(first.note, /\(cpu, auto: WebGPU unavailable\)/);
    assert.equal(second.info?.executionProviderNote, rep.executionProviderNote, 'every report says why');
    assert.equal(f.warnings.length, 1, `the reason is logged once: ${JSON.stringify(f.warnings)}`);
    assert.match(f.warnings[0], /^split predictor: NNVVC_ONNX_EP=auto: CPU, because .* \(said once per worker process\)$/);
    // no model run was asked for: the split predictor's report entry has no timing fields
    assert.deepEqual(splitPredictionReport({ model: null, note: 'off' }), { model: null, note: 'off' });
  } finally {
    await f.done();
  }
});

test('predictSplits with NNVVC_ONNX_EP=webgpu and no adapter fails the stage (not retried) with a clear message', async (t) => {
  const f = await stageFixture('webgpu');
  try {
    const err = await predictSplits(f.ctx, f.prepared).then(() => undefined, (e: Error) => e);
    if (!err) { t.skip('this host has a WebGPU adapter: the stage ran on webgpu'); return; }
    assert.ok(err instanceof BadInputError, `${err.name}: ${err.message}`);
    assert.match(err.message, /^split predictor: NNVVC_ONNX_EP=webgpu: .*(auto|cpu)/);
  } finally {
    await f.done();
  }
});
