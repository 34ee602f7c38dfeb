// BullMQ flows: a job's rate points run as child jobs (one per point) on any number of workers; the parent measures
// and reports. Two worker processes share one job; progress sums the children; cancelling the parent stops the
// children; a worker killed (SIGKILL) mid-child loses nothing: the child is re-queued, shown as retrying, and the
// job's bitstreams equal those of an undisturbed run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FAKE_ENC, foremanFrames, REPO, json, startStack, submit, testEnv, upload, waitFor, waitForState, wrapper, type Stack } from './helpers.js';

let s: Stack;
let seqId: string;
let slowEnc: string;
const trace = () => path.join(s.tmp, 'trace.txt');
const children: ChildProcess[] = [];

function spawnWorker(): ChildProcess {
  const env = { ...process.env, ...testEnv(s.cfg.dataDir, s.cfg.queuePrefix, { NNVVC_ENC: slowEnc, JOB_FLOW: 'on' }) };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/main.ts'), 'worker'], { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (b) => { err += b; });
  child.on('exit', (code) => { if (code && code !== 0) console.error(`worker exited ${code}: ${err.slice(-2000)}`); });
  children.push(child);
  return child;
}
const exited = (c: ChildProcess): Promise<number | null> => (c.exitCode !== null ? Promise.resolve(c.exitCode) : new Promise((r) => c.once('exit', (code) => r(code))));
const view = async (id: string) => json(await fetch(`${s.base}/v1/jobs/${id}`));
async function bitstreamHashes(id: string, labels: string[]): Promise<string[]> {
  return Promise.all(labels.map(async (l) => createHash('sha256').update(await readFile(path.join(s.cfg.dataDir, 'jobs', id, `${l}.266`))).digest('hex')));
}

before(async () => {
  s = await startStack({ worker: false, env: { JOB_FLOW: 'on' } });
  slowEnc = await wrapper(s.tmp, 'slow-enc.sh', FAKE_ENC, { FAKE_ENC_DELAY_MS: '300', FAKE_ENC_TRACE: path.join(s.tmp, 'trace.txt') });
  seqId = (await json(await upload(s.base, await foremanFrames(3), { width: 176, height: 144, fps: 30 }))).id;
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) { try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* gone */ } }
  await s?.close();
});

test('flow: 4 rate points as child jobs shared by 2 worker processes; progress sums the children', async () => {
  const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22, 27, 32, 37], frames: 3 }));
  const ws = [spawnWorker(), spawnWorker()];
  const seen: any[] = [];
  const v = await waitFor('job to finish', async () => {
    const x = await view(id);
    seen.push(x);
    return ['completed', 'failed'].includes(x.state) ? x : null;
  }, 60_000, 100);
  for (const w of ws) w.kill('SIGTERM');
  await Promise.all(ws.map(exited));
  assert.equal(v.state, 'completed', JSON.stringify(v));
  assert.deepEqual(v.children.map((c: any) => [c.point, c.state, c.attempts]), [[0, 'completed', 1], [1, 'completed', 1], [2, 'completed', 1], [3, 'completed', 1]]);
  const byWorker = new Set((await readFile(trace(), 'utf8')).trim().split('\n').map((l) => l.split(' ')[2]));
  assert.equal(byWorker.size, 2, `both workers encoded rate points: ${[...byWorker].join(', ')}`);
  // while the children ran, the parent's progress was their sum: two points in flight at once at some moment
  const during = seen.filter((x) => x.state === 'active' && x.children?.some((c: any) => c.state === 'active'));
  assert.ok(during.length > 0, 'saw the job active with children running');
  assert.ok(during.some((x) => x.children.filter((c: any) => c.state === 'active').length === 2), 'two children ran at once');
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress.percent >= seen[i - 1].progress.percent, `percent went back: ${seen[i - 1].progress.percent} -> ${seen[i].progress.percent}`);
  const report = await json(await fetch(`${s.base}/v1/jobs/${id}/report`));
  assert.deepEqual(report.ratePoints.map((p: any) => p.label), ['qp22', 'qp27', 'qp32', 'qp37']);
});

test('flow: cancelling the parent stops its running children; the others never run', async () => {
  const w1 = await s.startWorker({ nnvvcEnc: slowEnc });
  const w2 = await s.startWorker({ nnvvcEnc: slowEnc });
  try {
    const { id } = await json(await submit(s.base, { sequenceId: seqId, config: 'ai', qps: [22, 27, 32, 37, 42, 47], frames: 3 }));
    await waitFor('two children encoding', async () => (await view(id)).children?.filter((c: any) => c.state === 'active').length === 2, 30_000, 50);
    const t0 = Date.now();
    const c = await fetch(`${s.base}/v1/jobs/${id}`, { method: 'DELETE' });
    assert.equal(c.status, 202);
    const v = await waitForState(s.base, id, ['cancelled', 'failed', 'completed'], 20_000);
    assert.equal(v.state, 'cancelled', JSON.stringify(v));
    assert.match(v.error, /^cancelled:/);
    assert.ok(Date.now() - t0 < 5000, `cancelled in ${Date.now() - t0} ms`);
    // the rate points that had not started are never encoded
    await new Promise((r) => setTimeout(r, 1500));
    const arts = (await json(await fetch(`${s.base}/v1/jobs/${id}/artifacts`))).items?.map((a: any) => a.name) ?? [];
    assert.ok(!arts.includes('qp42.266') && !arts.includes('qp47.266'), `later points never ran: ${arts.join(',')}`);
  } finally {
    await Promise.all([w1.close(500), w2.close(500)]);
  }
});

test('flow: SIGKILL of a worker mid-child: the child is re-queued and shown retrying; bitstreams equal an undisturbed run', async () => {
  const req = { sequenceId: seqId, config: 'ai', qps: [27, 32], frames: 3 };
  const a = spawnWorker();
  const { id } = await json(await submit(s.base, req));
  await waitFor('worker A encoding a point', async () => (await view(id)).children?.some((c: any) => c.state === 'active' && c.stage === 'encode'), 30_000, 50);
  process.kill(-a.pid!, 'SIGKILL');
  await exited(a);
  const b = spawnWorker();
  const retrying = await waitFor('a child shown retrying', async () => {
    const x = await view(id);
    return x.children?.some((c: any) => c.state === 'retrying') || x.state === 'completed' ? x : null;
  }, 30_000, 50);
  const v = await waitForState(s.base, id, ['completed', 'failed'], 45_000);
  assert.equal(v.state, 'completed', JSON.stringify(v));
  assert.ok(retrying.children.some((c: any) => c.state === 'retrying'), `retrying shown: ${JSON.stringify(retrying.children)}`);
  assert.match(retrying.note ?? '', /stalled, retrying|attempt/);
  assert.ok(v.attempts >= 2, `attempts counted (${v.attempts})`);
  const redone = v.children.find((c: any) => c.attempts >= 2);
  assert.ok(redone && redone.elapsedSeconds > 0, JSON.stringify(v.children));
  // undisturbed run of the same request
  const { id: id2 } = await json(await submit(s.base, req));
  const v2 = await waitForState(s.base, id2, ['completed', 'failed'], 45_000);
  assert.equal(v2.state, 'completed');
  b.kill('SIGTERM');
  await exited(b);
  assert.deepEqual(await bitstreamHashes(id, ['qp27', 'qp32']), await bitstreamHashes(id2, ['qp27', 'qp32']));
});
