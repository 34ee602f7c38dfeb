// bench:flow — one 4-point job (BullMQ flow: a child job per rate point) run on 1 and then on 2 worker processes;
// prints the wall times (submission to completed) and the speed-up. Uses the real nnvvc-enc (NNVVC_ENC, default
// codec/build/nnvvc-enc), a Redis at REDIS_URL (default redis://127.0.0.1:6379, own key prefix, removed after).
// Options: --sequence <file> (default BasketballPass_416x240 from SHARED_SEQUENCES) --frames N (17) --config ra|ai (ra)
// (a job of a few seconds, e.g. foreman 9 frames, is dominated by per-job fixed costs: 0.78x there, 0.54x here)
//          --qps 22,27,32,37 --preset <name> --workers 1,2
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/log.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (n: string, d: string) => { const i = args.indexOf(`--${n}`); return i >= 0 && args[i + 1] ? args[i + 1] : d; };
if (args.includes('--help')) { console.log('npm run bench:flow -- [--sequence file] [--frames 17] [--config ra|ai] [--qps 22,27,32,37] [--preset p] [--workers 1,2]'); process.exit(0); }
const seqDir = process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences');
const seqFile = opt('sequence', path.join(seqDir, 'BasketballPass_416x240_50fps_8bit_101f.yuv'));
const m = /_(\d+)x(\d+)_(\d+)fps_(8|10)bit/.exec(path.basename(seqFile));
if (!m) { console.error(`cannot read WxH/fps/bit depth from the name ${seqFile}`); process.exit(2); }
const [width, height, fps, bitDepth] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
const frames = Number(opt('frames', '17'));
const config = opt('config', 'ra');
const qps = opt('qps', '22,27,32,37').split(',').map(Number);
const preset = args.includes('--preset') ? opt('preset', '') : undefined;
const workerCounts = opt('workers', '1,2').split(',').map(Number);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function runOnce(nWorkers: number): Promise<{ seconds: number; points: { label: string; encodeSeconds: number }[] }> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-bench-flow-'));
  const prefix = `nnvvc-bench-flow-${process.pid}-${nWorkers}`;
  const env: Record<string, string> = {
    DATA_DIR: path.join(tmp, 'data'), REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, JOB_FLOW: 'on', LOG_LEVEL: 'silent',
    NNVVC_ENC: process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc'), NNVVC_DEC: process.env.NNVVC_DEC ?? path.join(REPO, 'codec/build/nnvvc-dec'),
    VTM_ENCODER_APP: '', VTM_DECODER_APP: process.env.VTM_DECODER_APP ?? '', PORT: '0', HOST: '127.0.0.1',
  };
  const cfg = loadConfig(env);
  const app = await buildApp({ cfg, logger: createLogger('silent') });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const workers: ChildProcess[] = [];
  try {
    const body = (await readFile(seqFile)).subarray(0, frames * width * height * 3 / 2 * (bitDepth === 8 ? 1 : 2));
    const up = await (await fetch(`${base}/v1/sequences?width=${width}&height=${height}&fps=${fps}&bitDepth=${bitDepth}`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })).json() as { id: string };
    for (let i = 0; i < nWorkers; i++) {
      workers.push(spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/main.ts'), 'worker'], { env: { ...process.env, ...env }, stdio: 'ignore' }));
    }
    await new Promise((r) => setTimeout(r, 1500)); // workers connect (not timed)
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sequenceId: up.id, config, qps, frames, ...(preset ? { preset } : {}) }) });
    const { id, message } = await res.json() as { id: string; message?: string };
    if (!id) throw new Error(`submission refused: ${message}`);
    for (;;) {
      const v = await (await fetch(`${base}/v1/jobs/${id}`)).json() as { state: string; error?: string };
      if (v.state === 'completed') break;
      if (v.state === 'failed' || v.state === 'cancelled') throw new Error(`job ${v.state}: ${v.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    const rep = await (await fetch(`${base}/v1/jobs/${id}/report`)).json() as { ratePoints: { label: string; encodeSeconds: number }[] };
    return { seconds, points: rep.ratePoints.map((p) => ({ label: p.label, encodeSeconds: p.encodeSeconds })) };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exitCode !== null ? null : new Promise((r) => w.once('exit', r)))));
    await app.close();
    const r = new Redis(redisUrl);
    let cursor = '0';
    do { const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500); cursor = next; if (keys.length) await r.del(...keys); } while (cursor !== '0');
    r.disconnect();
    await rm(tmp, { recursive: true, force: true });
  }
}

console.log(`bench:flow — ${path.basename(seqFile)}, ${frames} frames, config ${config}, QPs ${qps.join('/')}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model?.trim()})`);
const results: { n: number; seconds: number }[] = [];
for (const n of workerCounts) {
  const r = await runOnce(n);
  results.push({ n, seconds: r.seconds });
  console.log(`${n} worker process(es): wall ${r.seconds.toFixed(2)} s; encode s per point: ${r.points.map((p) => `${p.label} ${p.encodeSeconds.toFixed(2)}`).join(', ')}`);
}
const one = results.find((r) => r.n === 1);
for (const r of results) if (one && r.n !== 1) console.log(`speed-up ${r.n} vs 1 worker: ${(one.seconds / r.seconds).toFixed(2)}x (time ratio ${(r.seconds / one.seconds).toFixed(2)}; target <= 0.60)`);
process.exit(0);
