// Embedded default for a fresh machine: when REDIS_URL is not set, `npm start` runs its own redis-server
// (found on PATH) on a free loopback port, with its data (append-only file) under DATA_DIR/redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install -y redis-server; ' +
  'macOS: brew install redis) or point the service at an existing server with REDIS_URL=redis://host:6379';

export function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A previous run killed with SIGKILL leaves its redis-server behind; stop it so its data dir can be reused. */
async function stopStale(pidFile: string, log: Logger): Promise<void> {
  let pid: number;
  try { pid = Number((await readFile(pidFile, 'utf8')).trim()); } catch { return; }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmd.includes('redis-server')) return;
    process.kill(pid, 'SIGTERM');
    log.warn({ pid }, 'stopped a redis-server left behind by an earlier run');
    for (let i = 0; i < 50; i++) { await new Promise((r) => setTimeout(r, 100)); process.kill(pid, 0); }
  } catch { /* gone (or not ours to inspect) */ }
}

export class EmbeddedRedis {
  private child: ChildProcess | null = null;
  url = '';
  /** The port of the last start (0 before the first). */
  port = 0;

  constructor(private readonly dataDir: string, private readonly log: Logger) {}

  /**
   * Starts redis-server on a free loopback port, or on `port` (e.g. the previous one, so a restart keeps the URL
   * its clients reconnect to). The append-only file under DATA_DIR/redis carries the queue across restarts.
   */
  async start(opts: { port?: number } = {}): Promise<string> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error('embedded redis-server is already running');
    const bin = findOnPath('redis-server');
    if (!bin) throw new Error(REDIS_INSTALL_HINT);
    const dir = path.join(this.dataDir, 'redis');
    await mkdir(dir, { recursive: true });
    const pidFile = path.join(dir, 'redis.pid');
    await stopStale(pidFile, this.log);
    const port = opts.port ?? await freePort();
    this.port = port;
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', '', '--daemonize', 'no',
      '--pidfile', pidFile, '--loglevel', 'warning'];
    // Own process group: a Ctrl-C in the terminal must not stop Redis before the worker has handed its job back;
    // stop() ends it last.
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    child.stdout?.on('data', (b: Buffer) => this.log.debug({ redis: b.toString().trim() }, 'redis-server'));
    child.stderr?.on('data', (b: Buffer) => this.log.warn({ redis: b.toString().trim() }, 'redis-server'));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`redis-server exited early with code ${code}`))));
    this.url = `redis://127.0.0.1:${port}`;
    await Promise.race([this.waitReady(port), exited]);
    child.removeAllListeners('exit');
    child.once('exit', (code, signal) => this.log.info({ code, signal }, 'embedded redis-server exited'));
    this.log.info({ port, dir }, 'embedded redis-server started');
    return this.url;
  }

  private async waitReady(port: number): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => { /* not up yet: retried below */ });
      try {
        await r.connect();
        if ((await r.ping()) === 'PONG') return;
      } catch {
        if (Date.now() > deadline) throw new Error(`embedded redis-server did not answer on port ${port} within 15 s`);
      } finally {
        r.disconnect();
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { c.kill('SIGKILL'); }, 10_000);
      c.once('exit', () => { clearTimeout(t); resolve(); });
      c.kill('SIGTERM'); // redis saves the append-only file and exits
    });
  }
}
