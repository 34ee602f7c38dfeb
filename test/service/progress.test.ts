// The progress fields of a running job (src/queue/types.ts JobProgress): ratePoint only moves forward (it stays
// on the last rate point through verify, measure and report), stagePointsDone counts per stage, pointFramesDone
// counts the frames of the rate point being encoded (per point, not cumulative), percent never goes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { frameBytes, sequenceInput, type SequenceMeta } from '../../src/config/layout.js';
import { createLogger } from '../../src/log.js';
import { percentOf, runPipeline } from '../../src/worker/pipeline.js';
import { NnvvcDecoder, NnvvcEncoder } from '../../src/worker/encoders.js';
import type { JobProgress, JobRequest } from '../../src/queue/types.js';
import { initialProgress } from '../../src/queue/types.js';
import { FAKE_DEC, FAKE_ENC, syntheticYuv } from './helpers.js';

const W = 64, H = 48, FRAMES = 3;

async function runJob(request: Omit<JobRequest, 'sequenceId'>): Promise<JobProgress[]> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-progress-'));
  try {
    const cfg = loadConfig({ DATA_DIR: path.join(tmp, 'data'), NNVVC_ENC: FAKE_ENC, NNVVC_DEC: FAKE_DEC });
    const seq: SequenceMeta = {
      id: 's_progresstest1', name: 'p', width: W, height: H, bitDepth: 8, fps: 30, frames: FRAMES,
      bytes: FRAMES * frameBytes(W, H, 8), sha256: 'c'.repeat(64), createdAt: new Date().toISOString(), sourceFormat: 'yuv',
    };
    await mkdir(path.dirname(sequenceInput(cfg.dataDir, seq.id)), { recursive: true });
    await writeFile(sequenceInput(cfg.dataDir, seq.id), syntheticYuv(W, H, FRAMES));
    const dir = path.join(cfg.dataDir, 'jobs', 'j_progresstest1');
    const seen: JobProgress[] = [];
    await runPipeline({
      cfg, log: createLogger('silent'), jobId: 'j_progresstest1', dir, logsDir: path.join(dir, 'logs'), signal: new AbortController().signal,
      data: { jobId: 'j_progresstest1', request: { sequenceId: seq.id, ...request }, sequence: seq, createdAt: new Date().toISOString() },
      tools: { encoders: { nnvvc: new NnvvcEncoder(FAKE_ENC), vtm: new NnvvcEncoder('/nonexistent') }, decoders: [new NnvvcDecoder(FAKE_DEC)] },
    }, { onProgress: (p) => seen.push({ ...p }) });
    return seen;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function checkInvariants(seen: JobProgress[], points: number) {
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i].ratePoint >= seen[i - 1].ratePoint, `ratePoint went back at event ${i}: ${JSON.stringify(seen.slice(i - 1, i + 1))}`);
    assert.ok(seen[i].percent >= seen[i - 1].percent, `percent went back at event ${i}: ${JSON.stringify(seen.slice(i - 1, i + 1))}`);
  }
  for (const p of seen) {
    assert.equal(p.ratePointsTotal, points);
    assert.equal(p.framesPerPoint, FRAMES);
    assert.ok(p.pointFramesDone >= 0 && p.pointFramesDone <= FRAMES, JSON.stringify(p));
    assert.ok(p.stagePointsDone >= 0 && p.stagePointsDone <= points, JSON.stringify(p));
    assert.ok(p.ratePoint >= 0 && p.ratePoint < points, JSON.stringify(p));
  }
  for (const stage of ['verify', 'measure', 'report', 'done'] as const) {
    const inStage = seen.filter((p) => p.stage === stage);
    assert.ok(inStage.length > 0, `saw stage ${stage}`);
    assert.ok(inStage.every((p) => p.ratePoint === points - 1), `${stage}: ratePoint stays on the last rate point`);
    assert.ok(inStage.every((p) => p.pointFramesDone === FRAMES), `${stage}: pointFramesDone stays at framesPerPoint`);
  }
  const last = seen[seen.length - 1];
  assert.deepEqual([last.stage, last.percent, last.stagePointsDone], ['done', 100, points]);
}

test('fixed QPs: per-point frame counts, ratePoint forward only, stagePointsDone per stage', async () => {
  const seen = await runJob({ config: 'ai', qps: [27, 32, 37], preset: 'trivial' });
  checkInvariants(seen, 3);
  const encode = seen.filter((p) => p.stage === 'encode');
  // each point counts its own frames 1..FRAMES (per point, not cumulative)
  for (let i = 0; i < 3; i++) {
    const frames = encode.filter((p) => p.ratePoint === i).map((p) => p.pointFramesDone);
    assert.equal(frames[0], 0, `point ${i} starts at 0 frames`);
    assert.equal(Math.max(...frames), FRAMES, `point ${i} ends at ${FRAMES} frames`);
    assert.ok(frames.every((f) => f <= FRAMES));
  }
  for (const stage of ['verify', 'measure'] as const) {
    const done = seen.filter((p) => p.stage === stage).map((p) => p.stagePointsDone);
    assert.deepEqual([...new Set(done)], [0, 1, 2, 3], `${stage} counts points 0..3`);
  }
});

test('rate-matched points: trials restart the frame count, ratePoint still only moves forward', async () => {
  const seen = await runJob({ config: 'ai', targetKbps: [400, 100], preset: 'trivial' });
  checkInvariants(seen, 2);
});

test('percentOf: stage spans, encode by points and frames, verify/measure by points', () => {
  const p = (o: Partial<JobProgress>): JobProgress => ({ ...initialProgress(4, 10), ...o });
  assert.equal(percentOf(p({ stage: 'queued' })), 0);
  assert.equal(percentOf(p({ stage: 'encode', stagePointsDone: 0, pointFramesDone: 0 })), 5);
  assert.equal(percentOf(p({ stage: 'encode', ratePoint: 2, stagePointsDone: 2, pointFramesDone: 5 })), 5 + 80 * (2.5 / 4));
  assert.equal(percentOf(p({ stage: 'encode', stagePointsDone: 4, pointFramesDone: 10 })), 85);
  assert.equal(percentOf(p({ stage: 'verify', stagePointsDone: 2 })), 90);
  assert.equal(percentOf(p({ stage: 'measure', stagePointsDone: 4 })), 98);
  assert.equal(percentOf(p({ stage: 'done' })), 100);
});
