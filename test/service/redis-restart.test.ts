// Redis restarted mid-job: the embedded redis-server (append-only file on) is stopped with SIGTERM while a 4-point
// flow job is half done and started again on the same port and data dir. The API and the worker reconnect by
// themselves, the job completes with every rate point, the points finished before the restart are neither lost nor
// encoded again, and the bitstreams equal those of an undisturbed run of the same job.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { EmbeddedRedis } from '../../src/queue/embedded-redis.js';
import { createLogger } from '../../src/log.js';
import { FAKE_ENC, foremanFrames, json, startStack, submit, upload, waitFor, waitForState, wrapper, type Stack } from './helpers.js';

let root: string;
let redis: EmbeddedRedis;
let s: Stack;
let seqId: string;
let slowEnc: string;
const trace = () => path.join(s.tmp, 'trace.txt');
const QPS = [22, 27, 32, 37];

async function runId(url: string): Promise<string> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return /run_id:(\w+)/.exec(await r.info('server'))![1];
  } finally {
    r.disconnect();
  }
}

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-redis-restart-'));
  redis = new EmbeddedRedis(root, createLogger('silent'));
  const url = await redis.start();
  s = await startStack({ worker: false, env: { REDIS_URL: url, JOB_FLOW: 'on' } });
  slowEnc = await wrapper(s.tmp, 'slow-enc.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '250', FAKE_ENC_TRACE: path.join(s.tmp, 'trace.txt') });
  seqId = (await json(await upload(s.base, await foremanFrames(3), { width: 176, height: 144, fps: 30 }))).id;
  await s.startWorker({ nnvvcEnc: slowEnc });
});
after(async () => {
  await s?.close();
  await redis?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

async function bitstreamHashes(id: string): Promise<string[]> {
  return Promise.all(QPS.map(async (qp) => createHash('sha256').update(await readFile(path.join(s.cfg.dataDir, 'jobs', id, `qp${qp}.266`))).digest('hex')));
}

test('Redis stopped (SIGTERM, AOF) and restarted mid-job: the job completes with every point, none finished before is lost or redone', async () => {
  const req = { sequenceId: seqId, config: 'ai', qps: QPS, frames: 3 };
  const { id } = await json(await submit(s.base, req));
  // half way: at least one rate point done, another one encoding
  const mid = await waitFor('a point done and another encoding', async () => {
    const v = await json(await fetch(`${s.base}/v1/jobs/${id}`));
    const done = v.children?.filter((c: any) => c.state === 'completed') ?? [];
    return done.length >= 1 && done.length < QPS.length && v.children.some((c: any) => c.state === 'active' && c.stage === 'encode') ? v : null;
  }, 40_000, 50);
  const doneBefore = mid.children.filter((c: any) => c.state === 'completed').map((c: any) => [c.id, c.finishedAt, c.attempts]);
  const firstRun = await runId(redis.url);
  const port = redis.port;

  await redis.stop(); // SIGTERM: redis-server flushes its append-only file and exits
  await new Promise((r) => setTimeout(r, 1500)); // the worker's encoder keeps running; every client retries meanwhile
  await redis.start({ port });
  assert.equal(redis.port, port);
  assert.notEqual(await runId(redis.url), firstRun, 'a new redis-server process');

  const v = await waitForState(s.base, id, ['completed', 'failed'], 45_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  // (the point that was encoding may have run twice: its lock can expire while Redis is away; it is not lost either way)
  console.log(`# after the restart: attempts per point ${v.children.map((c: any) => c.attempts).join(',')}`);
  assert.deepEqual(v.children.map((c: any) => [c.point, c.state]), QPS.map((_, i) => [i, 'completed']));
  for (const [cid, finishedAt, attempts] of doneBefore) {
    const c = v.children.find((x: any) => x.id === cid);
    assert.deepEqual([c.id, c.finishedAt, c.attempts], [cid, finishedAt, attempts], `child finished before the restart kept as it was: ${JSON.stringify(c)}`);
  }
  const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
  assert.deepEqual(report.ratePoints.map((p: any) => [p.label, p.decodeOk]), QPS.map((q) => [`qp${q}`, true]));
  // the points finished before the restart were encoded once (trace lines: "<pid> qp<Q> worker<ppid>")
  const encodes = (await readFile(trace(), 'utf8')).trim().split('\n').map((l) => l.split(' ')[1]);
  for (const [cid] of doneBefore) {
    const qp = QPS[Number(/-p(\d+)$/.exec(cid)![1])];
    assert.equal(encodes.filter((e) => e === `qp${qp}`).length, 1, `qp${qp} encoded once: ${encodes.join(', ')}`);
  }

  // an undisturbed run of the same job gives the same bitstreams
  const { id: id2 } = await json(await submit(s.base, req));
  assert.equal((await waitForState(s.base, id2, ['completed', 'failed'], 45_000)).state, 'completed');
  assert.deepEqual(await bitstreamHashes(id), await bitstreamHashes(id2));
});
