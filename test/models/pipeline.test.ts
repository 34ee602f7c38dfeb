// Pipeline: a job with our encoder and an RD-search preset runs the CNN split predictor, passes per-QP hints
// to nnvvc-enc, and report.json records which model/version ran and its inference time. A job with the
// 'trivial' preset passes through and says why. Needs Redis and the built codec (skips loudly).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FOREMAN, REPO, json, startStack, submit, upload, waitForState } from '../service/helpers.js';

const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');
const DEC = process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec');
const skip = !(existsSync(ENC) && existsSync(DEC)) ? `${ENC} or ${DEC} not built (npm run build:codec)`
  : !existsSync(FOREMAN) ? `${FOREMAN} missing (set SHARED_SEQUENCES)` : false;
if (skip) console.log(`SKIPPED: split predictor pipeline test: ${skip}`);

test('job with nnvvc + preset runs predictSplits and reports the model and its inference time', { skip, timeout: 180_000 }, async () => {
  const s = await startStack({ env: { NNVVC_ENC: ENC, NNVVC_DEC: DEC, JOB_ATTEMPTS: '1' } });
  try {
    const FRAME = 176 * 144 * 3 / 2;
    const up = await upload(s.base, (await readFile(FOREMAN)).subarray(0, FRAME), { width: 176, height: 144, fps: 30, name: 'foreman' });
    const { id: seqId } = await json(up);
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32, 37], preset: 'faster' }));
    const v = await waitForState(s.base, id, ['completed', 'failed'], 170_000);
    assert.equal(v.state, 'completed', JSON.stringify(v));
    const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
    const sp = report.splitPrediction ?? report.extra?.splitPrediction;
    assert.ok(sp, `report has splitPrediction: ${Object.keys(report).join(',')}`);
    assert.equal(sp.model, 'splitnet v1');
    assert.equal(sp.modelVersion, '1');
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
    assert.match(hints, /^nnvvc-split-hints 1\n/);
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
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37], preset: 'trivial' }));
    const v = await waitForState(s.base, id, ['completed', 'failed'], 110_000);
    assert.equal(v.state, 'completed', JSON.stringify(v));
    const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
    const sp = report.splitPrediction ?? report.extra?.splitPrediction;
    assert.equal(sp.model, null);
    assert.match(sp.note, /no partition search to prune/);
  } finally {
    await s.close();
  }
});
