// Start command. `npm start` (role "all"): API + one worker in this process, and an embedded redis-server when
// REDIS_URL is not set. `npm run api` / `npm run worker` run one role each against REDIS_URL.
import { mkdir } from 'node:fs/promises';
import { loadConfig, type Config } from './config/index.js';
import { createLogger, safeUrl } from './log.js';
import { EmbeddedRedis } from './queue/embedded-redis.js';
import { EncodeWorker } from './worker/encode-worker.js';
import { startApi } from './server.js';
import type { FastifyInstance } from 'fastify';

type Role = 'all' | 'api' | 'worker';

async function main(): Promise<void> {
  const role = (process.argv[2] ?? 'all') as Role;
  if (!['all', 'api', 'worker'].includes(role)) {
    console.error(`unknown role ${JSON.stringify(role)}: use all | api | worker`);
    process.exit(2);
  }
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const log = createLogger(cfg.logLevel).child({ role });
  await mkdir(cfg.dataDir, { recursive: true });

  let embedded: EmbeddedRedis | null = null;
  if (!cfg.redisUrl) {
    if (role === 'all') {
      embedded = new EmbeddedRedis(cfg.dataDir, log);
      try {
        cfg.redisUrl = await embedded.start();
      } catch (err) {
        console.error(`cannot start the embedded Redis: ${(err as Error).message}`);
        process.exit(1);
      }
    } else {
      cfg.redisUrl = 'redis://127.0.0.1:6379';
      log.info('REDIS_URL not set: using redis://127.0.0.1:6379');
    }
  }
  log.info({ redis: safeUrl(cfg.redisUrl), dataDir: cfg.dataDir, queuePrefix: cfg.queuePrefix }, 'starting');

  let worker: EncodeWorker | null = null;
  let app: FastifyInstance | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, graceMs: cfg.shutdownGraceMs }, 'shutting down');
    // Never hang: if Redis is gone, closing the queue clients can wait forever.
    setTimeout(() => { log.error('shutdown took too long: exiting'); process.exit(1); }, cfg.shutdownGraceMs + 15_000).unref();
    try {
      await app?.close();
      await worker?.close();
      await embedded?.stop();
      log.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      log.error({ err: (err as Error).message }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    if (role === 'all' || role === 'worker') {
      worker = new EncodeWorker(cfg, log.child({ component: 'worker' }));
      await worker.waitUntilReady();
      log.info({ encoder: cfg.nnvvcEnc }, 'worker ready');
    }
    if (role === 'all' || role === 'api') {
      app = await startApi(cfg, log.child({ component: 'api' }));
    }
  } catch (err) {
    // e.g. PORT already in use: the embedded redis-server runs in its own process group and would outlive us.
    await embedded?.stop();
    throw err;
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
