// buildApp: the Fastify app with every feature plugin registered. Used by the start command and by tests.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { QueueEvents } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Config } from '../config/index.js';
import { createLogger, type Logger } from '../log.js';
import { EncodeQueue } from '../queue/encode-queue.js';
import { startJobPruner } from '../queue/retention.js';
import { bullConnection } from '../queue/redis.js';
import { dashboardPlugin } from '../dashboard/plugin.js';
import { describeNoSpace, noSpaceCode } from '../storage.js';
import { HttpError } from './errors.js';
import { JobEvents, SequenceStore } from './services.js';
import { jobRequestSchema, jobViewSchema, sequenceMetaSchema } from './schemas.js';
import { sequencesPlugin } from './plugins/sequences.js';
import { jobsPlugin } from './plugins/jobs.js';
import { artifactsPlugin } from './plugins/artifacts.js';
import { healthPlugin } from './plugins/health.js';
import { metricsPlugin } from './plugins/metrics.js';
import { anchorsPlugin } from './plugins/anchors.js';
import { challengesPlugin } from './plugins/challenges.js';

export interface BuildAppOptions {
  cfg: Config;
  logger?: Logger;
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { cfg } = opts;
  if (!cfg.redisUrl) throw new Error('buildApp needs cfg.redisUrl');
  const logger = opts.logger ?? createLogger(cfg.logLevel);
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    genReqId: () => randomBytes(6).toString('hex'),
    requestIdHeader: 'x-request-id',
    // Body limit for JSON bodies; uploads are streamed and limited by MAX_UPLOAD_BYTES instead.
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  const encodeQueue = new EncodeQueue(cfg, (err) => app.log.warn({ err: err.message }, 'queue connection error'));
  const queueEvents = new QueueEvents(cfg.queueName, { connection: bullConnection(cfg.redisUrl), prefix: cfg.queuePrefix });
  queueEvents.on('error', (err) => app.log.warn({ err: err.message }, 'queue events error'));
  app.decorate('cfg', cfg);
  app.decorate('encodeQueue', encodeQueue);
  app.decorate('sequences', new SequenceStore(cfg.dataDir));
  app.decorate('jobEvents', new JobEvents(queueEvents));
  // JOB_RETENTION_DAYS: finished jobs older than that are deleted (src/queue/retention.ts), checked every JOB_PRUNE_INTERVAL_MS.
  const pruner = cfg.jobRetentionDays > 0
    ? startJobPruner(encodeQueue, { retentionDays: cfg.jobRetentionDays, intervalMs: cfg.jobPruneIntervalMs, log: logger.child({ component: 'retention' }) })
    : null;
  app.addHook('onClose', async () => {
    await pruner?.stop();
    await queueEvents.close();
    await encodeQueue.close();
  });
  // server.close() drops only the keep-alive connections that are idle at that instant. One whose response was
  // still being written (an artifact download, an SSE stream ended in preClose) would then hold close() until the
  // client drops it, ~72 s for fetch/undici. Keep dropping connections as they go idle until the server is closed.
  app.addHook('preClose', async () => {
    if (!app.server.listening) return;
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100).unref();
    app.server.once('close', () => clearInterval(sweep));
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown; details?: unknown }, req, reply) => {
    if (err instanceof HttpError) {
      // 5xx answers of our own (507 disk full) are the operator's business: logged as warnings
      req.log[err.statusCode >= 500 ? 'warn' : 'info']({ status: err.statusCode, error: err.code }, err.message);
      return reply.code(err.statusCode).send({ error: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) });
    }
    const full = noSpaceCode(err);
    if (full) {
      // disk full while writing anything under DATA_DIR (a job record, an anchor table, ...): 507, naming the file
      const file = (err as NodeJS.ErrnoException).path;
      const rel = file ? path.relative(cfg.dataDir, file).replace(/\.\d+\.[a-z0-9]+\.tmp$/, '') : 'a file under DATA_DIR';
      req.log.warn({ status: 507, error: 'insufficient_storage', file: rel }, err.message);
      return reply.code(507).send({ error: 'insufficient_storage', message: `insufficient storage on the server: could not write ${rel}: ${describeNoSpace(full)}; free space under DATA_DIR and try again`, details: { file: rel, code: full } });
    }
    if (err.validation) {
      return reply.code(400).send({ error: 'bad_request', message: err.message, details: err.validation });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: (err.code ?? 'bad_request').toLowerCase(), message: err.message });
    }
    req.log.error({ err: err.message, stack: err.stack }, 'unhandled error');
    return reply.code(500).send({ error: 'internal', message: 'internal server error' });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` });
  });

  // Shared JSON schemas (referenced by $ref from several plugins).
  app.addSchema(sequenceMetaSchema);
  app.addSchema(jobRequestSchema);
  app.addSchema(jobViewSchema);

  await app.register(swagger, {
    openapi: {
      info: { title: 'nnvvc', description: 'VVC (H.266) encoding service', version: '1' },
      tags: [{ name: 'sequences' }, { name: 'jobs' }, { name: 'artifacts' }, { name: 'health' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(metricsPlugin);
  await app.register(healthPlugin);
  await app.register(sequencesPlugin);
  await app.register(jobsPlugin);
  await app.register(artifactsPlugin);
  await app.register(anchorsPlugin, { dataDir: cfg.dataDir }); // /v1/anchors, /v1/summary
  await app.register(challengesPlugin); // /v1/challenges

  // bull-board: queue inspection UI at /queues
  const board = new FastifyAdapter();
  board.setBasePath('/queues');
  createBullBoard({ queues: [new BullMQAdapter(encodeQueue.queue)], serverAdapter: board });
  await app.register(board.registerPlugin(), { prefix: '/queues' });

  await app.register(dashboardPlugin, { prefix: '/dashboard' });
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/dashboard/', 302));

  return app;
}
