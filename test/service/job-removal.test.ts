// Deleting finished jobs: DELETE /v1/jobs/:id removes a completed, failed or cancelled job for good (its BullMQ
// flow parent and children, its record, its folder) while a waiting/running job is still only cancelled; and
// JOB_RETENTION_DAYS prunes finished jobs past that age (pruneFinishedJobs with an injected `now`, and the API's timer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/index.js';
import { buildApp } from '../../src/api/app.js';
import { createLogger } from '../../src/log.js';
import { pruneFinishedJobs } from '../../src/queue/retention.js';
import { FAKE_ENC, TEST_REDIS_URL, json, startStack, submit, syntheticYuv, testEnv, upload, waitFor, waitForState, wrapper, type Stack } from './helpers.js';

let s: Stack;
let seqId: string;
const W = 64, H = 48;

before(async () => {
  s = await startStack({ env: { JOB_FLOW: 'on' } });
  seqId = (await json(await upload(s.base, syntheticYuv(W, H, 2), { width: W, height: H, fps: 25 }))).id;
});
after(async () => { await s?.close(); });

const jobFolder = (id: string) => path.join(s.cfg.dataDir, 'jobs', id);
const view = (id: string) => fetch(`${s.base}/v1/jobs/${id}`);
const del = (id: string, q = '') => fetch(`${s.base}/v1/jobs/${id}${q}`, { method: 'DELETE' });

/** Redis keys of this test run that mention `id` (job hashes, logs, dependencies, locks, the cancel key). */
async function keysOf(id: string): Promise<string[]> {
  const r = new Redis(TEST_REDIS_URL);
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${s.cfg.queuePrefix}:*${id}*`, 'COUNT', 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out;
  } finally {
    r.disconnect();
  }
}

async function assertGone(id: string) {
  const v = await view(id);
  assert.equal(v.status, 404, `GET after delete: ${v.status}`);
  assert.equal((await json(v)).error, 'job_not_found');
  const list = await json(await fetch(`${s.base}/v1/jobs?limit=200`));
  assert.ok(!list.items.some((j: { id: string }) => j.id === id), 'not listed any more');
  assert.equal(existsSync(jobFolder(id)), false, 'job folder removed');
  assert.deepEqual(await keysOf(id), [], 'no Redis key of the job is left');
  assert.equal((await del(id)).status, 404, 'a second DELETE is 404');
}

test('DELETE a completed flow job: 200 with what was removed; then 404, unlisted, folder and Redis keys gone', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [27, 37] }));
  await waitForState(s.base, id, ['completed']);
  assert.ok(existsSync(path.join(jobFolder(id), 'qp27.266')) && existsSync(path.join(jobFolder(id), 'report.json')));
  assert.ok((await keysOf(id)).some((k) => k.endsWith(`:${id}-p1`)), 'the flow child is in Redis before');
  const res = await del(id);
  assert.equal(res.status, 200);
  const b = await json(res);
  assert.equal(b.outcome, 'deleted');
  assert.equal(b.state, 'completed');
  assert.deepEqual([...b.removed.queueJobs].sort(), [id, `${id}-p0`, `${id}-p1`].sort());
  assert.equal(b.removed.folder, `jobs/${id}`);
  assert.ok(b.removed.files >= 8 && b.removed.bytes > 1000, JSON.stringify(b.removed));
  await assertGone(id);
});

test('DELETE a failed job and a job cancelled while waiting removes them; a running job is cancelled (202), not removed', async () => {
  // failed: the encoder refuses its arguments (exit 2, not retried)
  const refusing = await wrapper(s.tmp, 'usage-enc.sh', FAKE_ENC, { FAKE_ENC_USAGE_ERROR: 'no such option' });
  await s.worker!.close(500);
  let w = await s.startWorker({ nnvvcEnc: refusing });
  const { id: failedId } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32] }));
  assert.equal((await waitForState(s.base, failedId, ['failed', 'completed'])).state, 'failed');
  await w.close(500);
  // cancelled while waiting (no worker): only its record and folder exist
  const { id: waitingId } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [32] }));
  assert.equal((await del(waitingId, '?mode=delete')).status, 409, '?mode=delete refuses an unfinished job');
  const c = await del(waitingId);
  assert.deepEqual([c.status, (await json(c)).outcome], [202, 'removed']);
  assert.equal((await json(await view(waitingId))).state, 'cancelled');
  assert.ok(existsSync(jobFolder(waitingId)), 'a cancel keeps the job');
  const onlyCancel = await del(waitingId, '?mode=cancel');
  assert.equal(onlyCancel.status, 409, '?mode=cancel never deletes');
  assert.equal((await json(onlyCancel)).error, 'job_finished');
  for (const [id, state] of [[failedId, 'failed'], [waitingId, 'cancelled']]) {
    const r = await del(id);
    assert.equal(r.status, 200, id);
    assert.equal((await json(r)).state, state);
    await assertGone(id);
  }
  // running: cancelled as before, and still there
  const slow = await wrapper(s.tmp, 'slow-enc.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '1500' });
  w = await s.startWorker({ nnvvcEnc: slow });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22, 27] }));
    await waitForState(s.base, id, ['active']);
    const r = await del(id);
    assert.equal(r.status, 202);
    assert.equal((await json(r)).outcome, 'signalled');
    assert.equal((await waitForState(s.base, id, ['cancelled', 'failed', 'completed'], 15_000)).state, 'cancelled');
    assert.ok(existsSync(jobFolder(id)), 'the cancelled job is kept until deleted');
    // (its second child may still be stopping: then 409 job_busy, and a later DELETE succeeds)
    const gone = await waitFor('cancelled job deleted', async () => {
      const d = await del(id);
      if (d.status === 409) { assert.equal((await json(d)).error, 'job_busy'); return null; }
      return d;
    }, 15_000, 300);
    assert.equal(gone.status, 200);
    await assertGone(id);
  } finally {
    await w.close(500);
    s.worker = await s.startWorker();
  }
});

test('pruneFinishedJobs removes finished jobs older than JOB_RETENTION_DAYS and keeps recent and running ones', async () => {
  const { id: oldId } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37] }));
  const oldView = await waitForState(s.base, oldId, ['completed']);
  const { id: recentId } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37] }));
  const recentView = await waitForState(s.base, recentId, ['completed']);
  const tOld = Date.parse(oldView.finishedAt), tRecent = Date.parse(recentView.finishedAt);
  assert.ok(tRecent > tOld, `${recentView.finishedAt} after ${oldView.finishedAt}`);
  // a running job (slow encoder)
  const slow = await wrapper(s.tmp, 'slow-enc2.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '1500' });
  await s.worker!.close(500);
  const w = await s.startWorker({ nnvvcEnc: slow });
  try {
    const { id: runningId } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22] }));
    await waitForState(s.base, runningId, ['active']);
    // "now" is one day after the moment between the two finishes: with 1 day of retention the first is too old
    const now = (tOld + tRecent) / 2 + 24 * 3600_000;
    const none = await pruneFinishedJobs(s.app.encodeQueue, { retentionDays: 0, now: now + 365 * 24 * 3600_000 });
    assert.deepEqual(none.removed, [], 'retention 0 keeps everything');
    const r = await pruneFinishedJobs(s.app.encodeQueue, { retentionDays: 1, now });
    assert.deepEqual(r.removed.map((x) => x.id), [oldId], JSON.stringify(r));
    assert.deepEqual(r.errors, []);
    assert.equal((await view(oldId)).status, 404);
    assert.equal(existsSync(jobFolder(oldId)), false);
    assert.equal((await json(await view(recentId))).state, 'completed');
    assert.ok(existsSync(path.join(jobFolder(recentId), 'report.json')));
    assert.equal((await json(await view(runningId))).state, 'active', 'a running job is never pruned');
    // far in the future every finished job is past its time, the running one still is not
    const later = await pruneFinishedJobs(s.app.encodeQueue, { retentionDays: 1, now: Date.now() + 30 * 24 * 3600_000 });
    assert.ok(later.removed.some((x) => x.id === recentId) && !later.removed.some((x) => x.id === runningId), JSON.stringify(later));
    assert.ok(existsSync(jobFolder(runningId)));
    await del(runningId);
    await waitForState(s.base, runningId, ['cancelled', 'failed', 'completed'], 15_000);
  } finally {
    await w.close(500);
    s.worker = await s.startWorker();
  }
});

test('the API process prunes on its own timer (JOB_RETENTION_DAYS, JOB_PRUNE_INTERVAL_MS); bad values are refused clearly', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37] }));
  await waitForState(s.base, id, ['completed']);
  // a second API process on the same queue and DATA_DIR: retention 0.00002 days (1.7 s), a pass every second
  const cfg = loadConfig(testEnv(s.cfg.dataDir, s.cfg.queuePrefix, { JOB_RETENTION_DAYS: '0.00002', JOB_PRUNE_INTERVAL_MS: '1000' }));
  assert.equal(cfg.jobRetentionDays, 0.00002);
  const app2 = await buildApp({ cfg, logger: createLogger('silent') });
  try {
    await app2.ready();
    await waitFor('the job pruned by the timer', async () => !existsSync(jobFolder(id)), 15_000, 200);
    assert.equal((await app2.inject({ url: `/v1/jobs/${id}` })).statusCode, 404);
  } finally {
    await app2.close();
  }
  assert.equal(loadConfig({}).jobRetentionDays, 0, 'unset: keep for ever');
  assert.equal(loadConfig({ JOB_RETENTION_DAYS: '30' }).jobRetentionDays, 30);
  assert.equal(loadConfig({}).jobPruneIntervalMs, 3600_000, 'hourly by default');
  for (const bad of ['abc', '-1', 'Infinity', '7d']) {
    assert.throws(() => loadConfig({ JOB_RETENTION_DAYS: bad }), new RegExp(`invalid JOB_RETENTION_DAYS=${JSON.stringify(bad).replace(/[-]/g, '\\$&')}: expected a number of days >= 0`));
  }
  assert.throws(() => loadConfig({ JOB_PRUNE_INTERVAL_MS: '10' }), /JOB_PRUNE_INTERVAL_MS="10": expected at least 1000/);
});
