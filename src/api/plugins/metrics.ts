// /metrics (Prometheus): HTTP request durations, jobs by state, encode seconds per rate point.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobResultSummary } from '../../queue/types.js';

export const metricsPlugin: FastifyPluginAsync = fp(async (app) => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'nnvvc_' });
  const httpDuration = new Histogram({
    name: 'nnvvc_http_request_duration_seconds', help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
  });
  const q = app.encodeQueue;
  new Gauge({
    name: 'nnvvc_jobs', help: 'Jobs in the queue by BullMQ state', labelNames: ['state'] as const, registers: [registry],
    async collect() {
      const counts = await q.counts().catch(() => ({} as Record<string, number>));
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
  const encodeSeconds = new Histogram({
    name: 'nnvvc_encode_seconds', help: 'Encoder wall time per rate point of completed jobs (seen by this API process)',
    registers: [registry], buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400],
  });
  const completed = new Counter({ name: 'nnvvc_jobs_completed_total', help: 'Jobs completed (seen by this API process)', registers: [registry] });
  app.jobEvents.on('completed', ({ returnvalue }: { returnvalue: unknown }) => {
    completed.inc();
    const r = (typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue) as JobResultSummary | null;
    for (const p of r?.ratePoints ?? []) if (Number.isFinite(p.encodeSeconds)) encodeSeconds.observe(p.encodeSeconds);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['health'] } }, async (_req, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}, { name: 'nnvvc-metrics' });

function safeParse(s: string): unknown {
  try { return JSON.parse(s); } catch { return null; }
}
