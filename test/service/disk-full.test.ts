// Disk full, for real: DATA_DIR is a 2 MiB tmpfs. An upload larger than that is answered 507 insufficient_storage
// naming the file that could not be written, and leaves nothing behind; a job whose input copy or encoder output
// does not fit fails at once with a clear error and no half-written file; a job submitted to a full disk is a 507. Needs permission to mount a tmpfs (root):
// skipped, loudly, where mounting is not permitted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/index.js';
import { buildApp } from '../../src/api/app.js';
import { createLogger } from '../../src/log.js';
import { EncodeWorker } from '../../src/worker/encode-worker.js';
import { deleteKeys, json, submit, syntheticYuv, testEnv, upload, waitFor, waitForState } from './helpers.js';

const TMPFS_BYTES = 2 * 1024 * 1024;
const root = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-diskfull-'));
const dataDir = path.join(root, 'data');
let mountError: string | null = null;
try {
  execFileSync('mkdir', ['-p', dataDir]);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
} catch (err) {
  mountError = `cannot mount a ${TMPFS_BYTES}-byte tmpfs at ${dataDir} (needs root / CAP_SYS_ADMIN): ${String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim()}`;
  console.log(`# SKIP disk-full tests: ${mountError}`);
}
const skip = mountError ? `tmpfs mount not permitted: ${mountError}` : false;

let cfg: Config;
let app: FastifyInstance;
let worker: EncodeWorker;
let base = '';

before(async () => {
  if (mountError) return;
  cfg = loadConfig(testEnv(dataDir, `nnvvc-test-${process.pid}-df${Math.random().toString(36).slice(2, 6)}`, { JOB_FLOW: 'on' }));
  const log = createLogger(cfg.logLevel);
  app = await buildApp({ cfg, logger: log });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  worker = new EncodeWorker(cfg, log);
  await worker.waitUntilReady();
});

after(async () => {
  if (!mountError) {
    await worker?.close(500);
    await app?.close(); // (an upload answered early must not hold this up: the connection is closed after the 507)
    await deleteKeys(cfg.queuePrefix);
    try { execFileSync('umount', [dataDir]); } catch { execFileSync('umount', ['-l', dataDir]); }
  }
  await rm(root, { recursive: true, force: true });
});

/** Every regular file under `dir` (relative paths). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)));
  }
  return out.sort();
}

async function usedBytes(): Promise<number> {
  const s = await statfs(dataDir);
  return (s.blocks - s.bfree) * s.bsize;
}

/** Deletes a test's job (once finished) and sequence, whatever state the test left them in. */
async function cleanUp(jobId: string, seqId: string): Promise<void> {
  await waitFor('the job finished or gone', async () => {
    const r = await fetch(`${base}/v1/jobs/${jobId}`);
    return r.status === 404 || ['completed', 'failed', 'cancelled'].includes((await json(r)).state);
  }, 30_000).catch(() => undefined);
  await fetch(`${base}/v1/jobs/${jobId}`, { method: 'DELETE' });
  await fetch(`${base}/v1/sequences/${seqId}`, { method: 'DELETE' });
}

/** A raw streamed POST (Content-Length), read back even though the server answers before the body is all sent. */
function rawPost(url: string, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'content-length': body.length } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => { try { resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }); } catch (err) { reject(err); } });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Files under dir once in-flight job.json rewrites (atomic, via a .tmp, as the record follows the failure) have landed. */
async function settledFilesUnder(dir: string): Promise<string[]> {
  let left = await filesUnder(dir);
  for (let i = 0; i < 40 && left.some((f) => f.endsWith('.tmp')); i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await filesUnder(dir);
  }
  return left;
}

test('upload larger than the disk: 507 insufficient_storage naming the file, nothing left behind, the disk usable again', { skip }, async () => {
  const big = syntheticYuv(176, 144, 80); // 3 041 280 bytes > 2 MiB
  assert.ok(big.length > TMPFS_BYTES);
  const r = await rawPost(`${base}/v1/sequences?width=176&height=144&fps=30&name=too-big`, big);
  assert.equal(r.status, 507, JSON.stringify(r.body));
  assert.equal(r.body.error, 'insufficient_storage');
  assert.match(r.body.message, /could not write the uploaded sequence \(sequences\/s_[a-z0-9]{12}\/input\.yuv\): no space left on device \(ENOSPC\)/);
  assert.match(r.body.message, /nothing was stored/);
  assert.equal(r.body.details.code, 'ENOSPC');
  assert.ok(r.body.details.bytesReceived > TMPFS_BYTES / 2, JSON.stringify(r.body.details));
  // no partial file (temporary or final), no sequence, the space is free again
  assert.deepEqual(await filesUnder(dataDir), []);
  assert.deepEqual((await json(await fetch(`${base}/v1/sequences`))).items, []);
  assert.ok(await usedBytes() < 64 * 1024, `used ${await usedBytes()} bytes after the failed upload`);
  const small = await upload(base, syntheticYuv(176, 144, 2), { width: 176, height: 144, fps: 30 });
  assert.equal(small.status, 201);
  assert.equal((await fetch(`${base}/v1/sequences/${(await json(small)).id}`, { method: 'DELETE' })).status, 204);
});

test('a job whose input copy does not fit fails at once with a clear error and leaves no partial input', { skip }, async (t) => {
  const up = await upload(base, syntheticYuv(176, 144, 32), { width: 176, height: 144, fps: 30 }); // 1.2 MB: fits once, not twice
  assert.equal(up.status, 201);
  const seq = await json(up);
  const { id } = await json(await submit(base, { sequenceId: seq.id, config: 'ai', qps: [37] }));
  t.after(() => cleanUp(id, seq.id)); // (the next test needs the space, also when this one fails)
  const v = await waitForState(base, id, ['completed', 'failed'], 30_000);
  assert.equal(v.state, 'failed', JSON.stringify(v));
  assert.match(v.error, new RegExp(`insufficient storage: could not write the job's input frames \\(32 x 38016 bytes\\) \\(jobs/${id}/inputs/input\\.yuv\\): no space left on device \\(ENOSPC\\)`));
  assert.equal(v.attempts, 1, 'not retried on a full disk');
  const left = await settledFilesUnder(path.join(dataDir, 'jobs', id));
  assert.ok(!left.some((f) => f.startsWith('inputs/')), `no partial input: ${left.join(', ')}`);
  assert.ok(!left.some((f) => f.endsWith('.tmp')), left.join(', '));
  assert.equal((await fetch(`${base}/v1/jobs/${id}`, { method: 'DELETE' })).status, 200);
  assert.equal((await fetch(`${base}/v1/sequences/${seq.id}`, { method: 'DELETE' })).status, 204);
});

test('a job whose encoder output does not fit fails with a clear error and no half-written bitstream or reconstruction', { skip }, async (t) => {
  // 20 frames (760 KB): the upload and the job's input copy fit, the 10-bit reconstruction (1.5 MB) does not
  const up = await upload(base, syntheticYuv(176, 144, 20), { width: 176, height: 144, fps: 30 });
  assert.equal(up.status, 201);
  const seq = await json(up);
  const { id } = await json(await submit(base, { sequenceId: seq.id, config: 'ai', qps: [37] }));
  t.after(() => cleanUp(id, seq.id));
  const v = await waitForState(base, id, ['completed', 'failed'], 30_000);
  assert.equal(v.state, 'failed', JSON.stringify(v));
  assert.match(v.error, new RegExp(`insufficient storage: could not write the qp37 bitstream / reconstruction \\(jobs/${id}/qp37\\.\\*\\): no space left on device \\(ENOSPC\\); the encoder failed: `));
  assert.equal(v.attempts, 1);
  const left = await settledFilesUnder(path.join(dataDir, 'jobs', id));
  assert.ok(!left.some((f) => /^qp37\.(266|recon\.yuv|stats\.json)$/.test(f) || f.endsWith('.tmp')), `no partial outputs: ${left.join(', ')}`);
  assert.ok(left.includes('logs/encode-qp37.log'), 'the encoder log stays');
  const report = await json(await fetch(`${base}/v1/jobs/${id}/report`));
  assert.equal(report.failed, true);
  assert.match(report.error, /insufficient storage/);
});

test('a job submitted while the disk is full: 507 naming the job record, no job folder left', { skip }, async () => {
  const seq = await json(await upload(base, syntheticYuv(176, 144, 2), { width: 176, height: 144, fps: 30 }));
  const jobsBefore = (await readdir(path.join(dataDir, 'jobs'))).sort();
  const filler = path.join(dataDir, 'filler');
  try {
    await writeFile(filler, Buffer.alloc(TMPFS_BYTES)); // keeps what fits: the disk is full afterwards
    assert.fail('the filler should not fit');
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  try {
    const r = await submit(base, { sequenceId: seq.id, config: 'ai', qps: [37] });
    assert.equal(r.status, 507);
    const b = await json(r);
    assert.equal(b.error, 'insufficient_storage');
    assert.match(b.message, /could not write jobs\/j_[a-z0-9]{12}\/job\.json: no space left on device \(ENOSPC\)/);
    assert.deepEqual((await readdir(path.join(dataDir, 'jobs'))).sort(), jobsBefore, 'no job folder left');
  } finally {
    await rm(filler, { force: true });
  }
  assert.equal((await submit(base, { sequenceId: seq.id, config: 'ai', qps: [37], frames: 1 })).status, 201, 'accepted again once there is space');
});
