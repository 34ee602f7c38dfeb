// A worker process killed mid-job (SIGKILL) loses nothing: its lock expires, another worker's stalled check
// re-queues the job and it completes. SIGTERM hands a running job back once the grace period is over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAKE_ENC, foremanFrames, REPO, json, startStack, submit, testEnv, upload, waitFor, waitForState, wrapper, type Stack } from './helpers.js';

let s: Stack;
let seqId: string;
let slowEnc: string;
const children: ChildProcess[] = [];

function spawnWorker(extra: Record<string, string> = {}): ChildProcess {
  const env = { ...process.env, ...testEnv(s.cfg.dataDir, s.cfg.queuePrefix, { NNVVC_ENC: slowEnc, ...extra }) };
  // own process group, so "kill the worker" also takes its encoder child, as a container kill would
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/main.ts'), 'worker'], { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b) => { err += b; });
  child.on('exit', (code, sig) => { if (code && code !== 0) console.error(`worker exited ${code} ${sig}: ${err.slice(-2000)}`); });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

before(async () => {
  s = await startStack({ worker: false });
  slowEnc = await wrapper(s.tmp, 'slow-enc.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '400', FAKE_ENC_TRACE: path.join(s.tmp, 'trace.txt') });
  const res = await upload(s.base, await foremanFrames(3), { width: 176, height: 144, fps: 30 });
  seqId = (await json(res)).id;
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) { try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ } }
  await s?.close();
});

test('SIGKILL of the worker mid-encode: a second worker recovers the job and finishes it', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [27, 32], frames: 3 }));
  const a = spawnWorker();
  await waitFor('worker A to be encoding', async () => {
    const v = await json(await fetch(`${s.base}/v1/jobs/${id}`));
    return v.state === 'active' && v.progress.stage === 'encode' && v.progress.pointFramesDone >= 1;
  }, 30_000, 50);
  process.kill(-a.pid!, 'SIGKILL');
  await exited(a);
  const t0 = Date.now();
  const b = spawnWorker();
  const v = await waitForState(s.base, id, ['completed', 'failed'], 45_000);
  b.kill('SIGTERM');
  assert.equal(await exited(b), 0);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  assert.ok(v.attempts >= 2, `a second attempt ran (attempts=${v.attempts})`);
  const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
  assert.deepEqual(report.ratePoints.map((p: { label: string; decodeOk: boolean }) => [p.label, p.decodeOk]), [['qp27', true], ['qp32', true]]);
  const trace = (await readFile(path.join(s.tmp, 'trace.txt'), 'utf8')).trim().split('\n');
  assert.ok(trace.length >= 2, 'second worker encoded both rate points');
  console.log(`# recovered after SIGKILL in ${Date.now() - t0} ms`);
});

test('SIGTERM past the grace period hands the running job back; another worker completes it', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22, 27, 32], frames: 3 }));
  const a = spawnWorker({ SHUTDOWN_GRACE_MS: '300' });
  await waitFor('worker A to be encoding', async () => {
    const v = await json(await fetch(`${s.base}/v1/jobs/${id}`));
    return v.state === 'active' && v.progress.stage === 'encode';
  }, 30_000, 50);
  a.kill('SIGTERM');
  assert.equal(await exited(a), 0, 'clean exit after handing the job back');
  const back = await json(await fetch(`${s.base}/v1/jobs/${id}`));
  assert.equal(back.state, 'waiting', JSON.stringify(back));
  const b = spawnWorker();
  const v = await waitForState(s.base, id, ['completed', 'failed'], 45_000);
  b.kill('SIGTERM');
  assert.equal(await exited(b), 0);
  assert.equal(v.state, 'completed', JSON.stringify(v));
});

test('SIGTERM within the grace period lets the running job finish first', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [37], frames: 2 }));
  const a = spawnWorker({ SHUTDOWN_GRACE_MS: '30000' });
  await waitFor('worker A to be encoding', async () => (await json(await fetch(`${s.base}/v1/jobs/${id}`))).state === 'active', 30_000, 50);
  a.kill('SIGTERM');
  assert.equal(await exited(a), 0);
  let v = await json(await fetch(`${s.base}/v1/jobs/${id}`));
  if (v.children) {
    // a flow job: the running rate point (child) finished on the first attempt; the parent's aggregation (measure +
    // report) is a separate job that the next worker takes
    assert.deepEqual(v.children.map((c: { state: string; attempts: number }) => [c.state, c.attempts]), [['completed', 1]], JSON.stringify(v));
    const b = spawnWorker();
    v = await waitForState(s.base, id, ['completed', 'failed'], 45_000);
    b.kill('SIGTERM');
    assert.equal(await exited(b), 0);
  }
  assert.equal(v.state, 'completed', JSON.stringify(v));
});
