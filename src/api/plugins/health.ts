// /healthz: the process is up. /readyz: Redis answers and the worker binaries are present (each reported).
import type { FastifyPluginAsync } from 'fastify';
import { isExecutable } from '../../worker/tool-adapter.js';

export const healthPlugin: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['health'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Readiness: Redis and encoder/decoder binaries', tags: ['health'] } }, async (_req, reply) => {
    const c = app.cfg;
    const bin = async (p: string | undefined) => ({ path: p ?? null, present: await isExecutable(p) });
    const [redisOk, nnvvcEnc, nnvvcDec, vtmEncoder, vtmDecoder] = await Promise.all([
      app.encodeQueue.ping(), bin(c.nnvvcEnc), bin(c.nnvvcDec), bin(c.vtmEncoderApp), bin(c.vtmDecoderApp),
    ]);
    const anyEncoder = nnvvcEnc.present || vtmEncoder.present;
    const ready = redisOk && anyEncoder;
    const body = {
      ready,
      checks: { redis: { ok: redisOk }, binaries: { nnvvcEnc, nnvvcDec, vtmEncoder, vtmDecoder } },
      reasons: [
        ...(redisOk ? [] : ['redis is not reachable']),
        ...(anyEncoder ? [] : ['no encoder binary: build the codec (npm run build:codec) or set VTM_ENCODER_APP']),
      ],
    };
    return reply.code(ready ? 200 : 503).send(body);
  });
};
