// Shared setup for service tests: a real Redis (own key prefix, removed afterwards), a real HTTP server on
// loopback, a temp DATA_DIR, and the fake encoder/decoder from test/fixtures unless told otherwise.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../src/config/index.js';
import { buildApp } from '../../src/api/app.js';
import { createLogger } from '../../src/log.js';
import { EncodeWorker } from '../../src/worker/encode-worker.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(REPO, 'test/fixtures');
export const FAKE_ENC = path.join(FIXTURES, 'fake-encoder.mjs');
export const FAKE_DEC = path.join(FIXTURES, 'fake-decoder.mjs');
export const SEQ_DIR = process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences');
export const FOREMAN = path.join(SEQ_DIR, 'foreman_176x144_30fps_8bit_10f.yuv');
export const HAVE_FOREMAN = existsSync(FOREMAN);

/** First `frames` frames of foreman QCIF; synthetic 176x144 frames (said loudly) where the shared file is absent. */
export async function foremanFrames(frames: number): Promise<Buffer> {
  if (HAVE_FOREMAN) return (await readFile(FOREMAN)).subarray(0, frames * 176 * 144 * 3 / 2);
  console.log(`NOTE: ${FOREMAN} missing (set SHARED_SEQUENCES): using synthetic 176x144 frames`);
  return syntheticYuv(176, 144, frames);
}
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testEnv(dataDir: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dataDir, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix, NNVVC_ENC: FAKE_ENC, NNVVC_DEC: FAKE_DEC,
    LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000', JOB_BACKOFF_MS: '100', JOB_ATTEMPTS: '2',
    SHUTDOWN_GRACE_MS: '2000', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', PORT: '0', HOST: '127.0.0.1',
    VTM_ENCODER_APP: '', VTM_DECODER_APP: '', ...extra,
  };
}

/** A wrapper script that runs a fixture with extra environment (per-test encoder behaviour). */
export async function wrapper(dir: string, name: string, target: string, env: Record<string, string>): Promise<string> {
  const file = path.join(dir, name);
  const vars = Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
  await writeFile(file, `#!/bin/sh\nexec env ${vars} node ${JSON.stringify(target)} "$@"\n`);
  await chmod(file, 0o755);
  return file;
}

export interface Stack {
  base: string;
  cfg: Config;
  app: FastifyInstance;
  worker: EncodeWorker | null;
  tmp: string;
  startWorker(overrides?: Partial<Config>): Promise<EncodeWorker>;
  close(): Promise<void>;
}

export async function startStack(o: { worker?: boolean; env?: Record<string, string>; cfg?: Partial<Config>; logLines?: string[] } = {}): Promise<Stack> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-svc-'));
  const prefix = `nnvvc-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const cfg: Config = { ...loadConfig(testEnv(path.join(tmp, 'data'), prefix, o.env)), ...o.cfg };
  // logLines: capture every JSON log line (level info) for tests that check what is logged
  const log = o.logLines
    ? createLogger('info', 'nnvvc', { write: (line: string) => { o.logLines!.push(line); } })
    : createLogger(cfg.logLevel);
  const app = await buildApp({ cfg, logger: log });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const workers: EncodeWorker[] = [];
  const stack: Stack = {
    base: `http://127.0.0.1:${port}`, cfg, app, worker: null, tmp,
    async startWorker(overrides = {}) {
      const w = new EncodeWorker({ ...cfg, ...overrides }, log);
      await w.waitUntilReady();
      workers.push(w);
      return w;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close(500)));
      await app.close();
      await deleteKeys(cfg.queuePrefix);
      await rm(tmp, { recursive: true, force: true });
    },
  };
  if (o.worker !== false) stack.worker = await stack.startWorker();
  return stack;
}

export async function deleteKeys(prefix: string): Promise<void> {
  const r = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  try { return JSON.parse(text) as T; } catch { throw new Error(`not JSON (status ${res.status}): ${text.slice(0, 200)}`); }
}

export async function upload(base: string, body: Uint8Array, query: Record<string, string | number>): Promise<Response> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  return fetch(`${base}/v1/sequences?${qs}`, { method: 'POST', body: body as unknown as ArrayBuffer, headers: { 'content-type': 'application/octet-stream' } });
}

export async function submit(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}/v1/jobs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function waitForState(base: string, id: string, states: string[], timeoutMs = 30_000): Promise<any> {
  let last: any;
  try {
    return await waitFor(`job ${id} to reach ${states.join('|')}`, async () => {
      last = await json(await fetch(`${base}/v1/jobs/${id}`));
      return states.includes(last.state) ? last : null;
    }, timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last view: ${JSON.stringify(last)}`);
  }
}

/** Synthetic 4:2:0 frames (deterministic gradient + noise) for tests that must not depend on shared files. */
export function syntheticYuv(width: number, height: number, frames: number, bitDepth: 8 | 10 = 8): Buffer {
  const samples = width * height * 3 / 2;
  const bps = bitDepth === 8 ? 1 : 2;
  const buf = Buffer.alloc(samples * frames * bps);
  let seed = 12345;
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < samples; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const v = ((i % width) * 2 + f * 3 + (seed % 7)) % (bitDepth === 8 ? 256 : 1024);
      if (bps === 1) buf[f * samples + i] = v; else buf.writeUInt16LE(v, 2 * (f * samples + i));
    }
  }
  return buf;
}
