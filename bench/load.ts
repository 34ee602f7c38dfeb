// Load bench (loopback only, bounded, stops by itself): starts the API as a child process with its own queue
// prefix and temp DATA_DIR against REDIS_URL (default redis://127.0.0.1:6379), then measures
//   1. upload throughput (MB/s) of streamed raw .yuv bodies (1080p 8-bit frames, never held whole in memory)
//   2. latency of GET /v1/jobs/:id under 50 concurrent pollers (p50 / p99 / max, requests/s)
// Env: BENCH_UPLOAD_MB (default 256), BENCH_UPLOADS (3), BENCH_POLLERS (50), BENCH_POLL_SECONDS (10).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from '../src/queue/embedded-redis.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 256);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 3);
const POLLERS = Number(process.env.BENCH_POLLERS ?? 50);
const POLL_SECONDS = Number(process.env.BENCH_POLL_SECONDS ?? 10);
const HARD_LIMIT_MS = 180_000;

const W = 1920, H = 1080, FRAME = W * H * 3 / 2;
const agent = new http.Agent({ keepAlive: true, maxSockets: POLLERS + 4 });

function request(url: string, o: { method?: string; body?: () => AsyncIterable<Buffer>; length?: number; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...o.headers };
    if (o.length !== undefined) headers['content-length'] = o.length;
    const req = http.request(url, { method: o.method ?? 'GET', agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (!o.body) { req.end(); return; }
    (async () => {
      for await (const chunk of o.body!()) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(reject);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const killer = setTimeout(() => { console.error(`bench exceeded ${HARD_LIMIT_MS} ms: stopping`); process.exit(2); }, HARD_LIMIT_MS);
  killer.unref();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-bench-'));
  const prefix = `nnvvc-bench-${process.pid}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const api = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/main.ts'), 'api'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL, QUEUE_PREFIX: prefix, DATA_DIR: path.join(tmp, 'data'), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    const t0 = Date.now();
    for (;;) {
      try { if ((await request(`${base}/healthz`)).status === 200) break; } catch { /* not up yet */ }
      if (Date.now() - t0 > 60_000) throw new Error('API did not start within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }

    // 1. uploads
    const frames = Math.max(1, Math.round((UPLOAD_MB * 1024 * 1024) / FRAME));
    const frame = Buffer.alloc(FRAME);
    for (let i = 0; i < FRAME; i++) frame[i] = (i * 7) & 0xff;
    const bytes = frames * FRAME;
    const rates: number[] = [];
    let seqId = '';
    for (let u = 0; u < UPLOADS; u++) {
      const s0 = performance.now();
      const res = await request(`${base}/v1/sequences?width=${W}&height=${H}&fps=50&name=bench`, {
        method: 'POST', length: bytes, headers: { 'content-type': 'application/octet-stream' },
        body: async function* () { for (let f = 0; f < frames; f++) yield frame; },
      });
      const secs = (performance.now() - s0) / 1000;
      if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${res.text}`);
      seqId = JSON.parse(res.text).id;
      rates.push(bytes / 1e6 / secs);
      if (u < UPLOADS - 1) await request(`${base}/v1/sequences/${seqId}`, { method: 'DELETE' });
    }

    // 2. status polling (job stays waiting: no worker runs in this bench)
    const sub = await request(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: async function* () { yield Buffer.from(JSON.stringify({ sequenceId: seqId, config: 'ra', qps: [32], frames: 1 })); } });
    if (sub.status !== 201) throw new Error(`job submit failed: ${sub.status} ${sub.text}`);
    const jobId = JSON.parse(sub.text).id;
    const lat: number[] = [];
    let errors = 0;
    const end = Date.now() + POLL_SECONDS * 1000;
    await Promise.all(Array.from({ length: POLLERS }, async () => {
      while (Date.now() < end) {
        const q0 = performance.now();
        const r = await request(`${base}/v1/jobs/${jobId}`).catch(() => ({ status: 0, text: '' }));
        lat.push(performance.now() - q0);
        if (r.status !== 200) errors++;
      }
    }));
    lat.sort((a, b) => a - b);

    const mb = (bytes / 1e6).toFixed(0);
    console.log('\nnnvvc load bench (loopback; API in a child process; this machine: ' + `${os.cpus().length} cores, ${os.cpus()[0]?.model})`);
    console.log(`upload   ${UPLOADS} x ${mb} MB raw 1080p (${frames} frames, streamed): ` +
      `mean ${(rates.reduce((a, b) => a + b, 0) / rates.length).toFixed(1)} MB/s, best ${Math.max(...rates).toFixed(1)} MB/s ` +
      `(includes SHA-256 + write to disk)`);
    console.log(`status   GET /v1/jobs/:id, ${POLLERS} concurrent pollers for ${POLL_SECONDS} s: ${lat.length} requests ` +
      `(${(lat.length / POLL_SECONDS).toFixed(0)} req/s), errors ${errors}, ` +
      `p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms`);
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    agent.destroy();
    const r = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
    r.disconnect();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
