// API server: build the Fastify app and listen on HOST:PORT.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.js';
import type { Logger } from './log.js';
import { buildApp } from './api/app.js';

export async function startApi(cfg: Config, logger: Logger): Promise<FastifyInstance> {
  const app = await buildApp({ cfg, logger });
  await app.listen({ host: cfg.host, port: cfg.port });
  return app;
}
