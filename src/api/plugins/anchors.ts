// Fastify plugin: anchor tables and the cross-job summary.
//   GET  /v1/anchors            -> {items: AnchorTable[]}
//   GET  /v1/anchors/:key       -> AnchorTable | 404
//   POST /v1/anchors            -> 201 AnchorTable. Body JSON {sequenceId | sha256, config, frames?, intraPeriod?,
//                                  machine?, points: [{qp,kbps,psnrY,psnrU,psnrV,encodeSeconds}]}, or CSV (text/csv)
//                                  with those columns and ?sequenceId=|sha256=&config=&frames= in the query.
//                                  An existing table is kept (409) unless ?replace=true.
//   GET  /v1/summary?config=&encoder= -> average BD-rate over sequences (see summary.ts)
import type {} from '@fastify/swagger'; // adds tags/summary to route schemas
import type { FastifyInstance, FastifyReply } from 'fastify';
import { jobsDir, SEQ_ID_RE, type SequenceMeta } from '../../config/layout.js';
import { SequenceStore } from '../services.js';
import { AnchorStore, AnchorValidationError, ANCHOR_ENCODER, anchorKey, keyIntraPeriod, parseAnchorCsv, validateAnchorPoints, type AnchorTable } from '../../quality/anchors.js';
import { readReports, summarize } from '../../quality/summary.js';

export interface AnchorsPluginOptions { dataDir: string }

function bad(reply: FastifyReply, code: number, error: string, message: string, details?: unknown) {
  return reply.code(code).send({ error, message, ...(details !== undefined ? { details } : {}) });
}

export async function anchorsPlugin(app: FastifyInstance, opts: AnchorsPluginOptions): Promise<void> {
  const store = new AnchorStore(opts.dataDir);
  const sequences = new SequenceStore(opts.dataDir);
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 1 << 20 }, (_req, body, done) => done(null, body));
  }

  app.get('/v1/anchors', { schema: { tags: ['anchors'], summary: 'List VTM-23.2 anchor tables' } }, async () => ({ items: await store.list() }));

  app.get<{ Params: { key: string } }>('/v1/anchors/:key', { schema: { tags: ['anchors'], summary: 'One anchor table by key <sha256>.<ra|ai>.<frames>f' } }, async (req, reply) => {
    try {
      const t = await store.get(req.params.key);
      return t ?? bad(reply, 404, 'not_found', `no anchor table with key ${req.params.key}`);
    } catch (e) {
      if (e instanceof AnchorValidationError) return bad(reply, 400, 'bad_request', e.message);
      throw e;
    }
  });

  app.post<{ Querystring: Record<string, string | undefined>; Body: unknown }>('/v1/anchors', {
    schema: { tags: ['anchors'], summary: 'Import an anchor table (JSON or CSV: qp,kbps,psnrY,psnrU,psnrV,encodeSeconds)' },
  }, async (req, reply) => {
    try {
      const q = req.query ?? {};
      const isCsv = typeof req.body === 'string';
      const body = (isCsv ? {} : (req.body ?? {})) as Record<string, unknown>;
      if (!isCsv && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
        return bad(reply, 400, 'bad_request', 'body must be a JSON object {sequenceId|sha256, config, frames, points} or text/csv');
      }
      const field = (k: string): unknown => body[k] ?? q[k];
      let seq: SequenceMeta | undefined;
      const sequenceId = field('sequenceId');
      if (sequenceId !== undefined) {
        if (typeof sequenceId !== 'string' || !SEQ_ID_RE.test(sequenceId)) return bad(reply, 400, 'bad_request', `sequenceId=${JSON.stringify(sequenceId)} is malformed`);
        seq = (await sequences.get(sequenceId)) ?? undefined;
        if (!seq) return bad(reply, 404, 'not_found', `sequence ${sequenceId} not found`);
      }
      const sha256 = seq?.sha256 ?? field('sha256');
      if (typeof sha256 !== 'string') return bad(reply, 400, 'bad_request', 'give sequenceId or sha256 (of the raw 4:2:0 input file) to say which sequence the anchor belongs to');
      const config = field('config');
      if (config !== 'ra' && config !== 'ai') return bad(reply, 400, 'bad_request', `config=${JSON.stringify(config)} must be 'ra' or 'ai'`);
      const framesRaw = field('frames') ?? seq?.frames;
      const frames = typeof framesRaw === 'string' ? Number(framesRaw) : framesRaw;
      if (typeof frames !== 'number' || !Number.isInteger(frames) || frames < 1) return bad(reply, 400, 'bad_request', `frames=${JSON.stringify(framesRaw)} must be a positive integer (frames the anchor encoded)`);
      if (seq && frames > seq.frames) return bad(reply, 400, 'bad_request', `frames=${frames} but sequence ${seq.id} has ${seq.frames}`);
      const ipRaw = field('intraPeriod');
      const intraPeriod = ipRaw === undefined ? undefined : Number(ipRaw);
      if (intraPeriod !== undefined && (!Number.isInteger(intraPeriod) || intraPeriod < 1)) return bad(reply, 400, 'bad_request', `intraPeriod=${JSON.stringify(ipRaw)} must be a positive integer`);
      const points = isCsv ? parseAnchorCsv(req.body as string) : validateAnchorPoints(body.points as unknown[]);
      const fps = seq?.fps ?? (field('fps') !== undefined ? Number(field('fps')) : undefined);
      // An intra period equal to the frame-rate default is the default anchor (no .ip suffix in the key).
      const key = anchorKey(sha256, config, frames, fps !== undefined ? keyIntraPeriod(config, fps, intraPeriod) : intraPeriod);
      if ((await store.get(key)) && q.replace !== 'true' && body.replace !== true) {
        return bad(reply, 409, 'conflict', `anchor ${key} already exists; add ?replace=true to overwrite it`);
      }
      const machine = body.machine && typeof body.machine === 'object' ? body.machine as AnchorTable['machine'] : undefined;
      const table: AnchorTable = {
        key, config, frames, ...(intraPeriod !== undefined ? { intraPeriod } : {}),
        sequence: seq ? { sha256: seq.sha256, id: seq.id, name: seq.name, width: seq.width, height: seq.height, bitDepth: seq.bitDepth, fps: seq.fps } : { sha256 },
        encoder: typeof body.encoder === 'string' ? body.encoder : ANCHOR_ENCODER, source: 'imported',
        ...(machine ? { machine } : {}), createdAt: new Date().toISOString(), points,
      };
      await store.put(table);
      return reply.code(201).send(table);
    } catch (e) {
      if (e instanceof AnchorValidationError) return bad(reply, 400, 'bad_request', e.message, e.details);
      throw e;
    }
  });

  app.get<{ Querystring: { config?: string; encoder?: string } }>('/v1/summary', {
    schema: { tags: ['anchors'], summary: 'Average BD-rate over sequences (newest report per sequence/config/encoder)' },
  }, async (req) => summarize(await readReports(jobsDir(opts.dataDir)), { config: req.query?.config, encoder: req.query?.encoder }));
}
