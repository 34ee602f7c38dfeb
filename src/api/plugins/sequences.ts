// /v1/sequences: streamed upload (raw .yuv or .y4m), list, get, delete.
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../errors.js';
import { errorSchema, idParams, uploadQuerySchema } from '../schemas.js';
import { ingestSequence, type UploadQuery } from '../upload.js';

export const sequencesPlugin: FastifyPluginAsync = async (app) => {
  // Uploads are passed through as a stream (never buffered): every content type in this plugin's scope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.post<{ Querystring: UploadQuery }>('/v1/sequences', {
    schema: {
      summary: 'Upload a sequence (raw 4:2:0 .yuv with ?width&height&fps[&bitDepth], or .y4m) as the raw request body; ' +
        '507 insufficient_storage when the disk is full (nothing is kept)',
      tags: ['sequences'],
      querystring: uploadQuerySchema,
      response: { 201: { $ref: 'SequenceMeta#' }, 400: errorSchema, 413: errorSchema, 507: errorSchema },
    },
  }, async (req, reply) => {
    const cl = req.headers['content-length'];
    let meta;
    try {
      meta = await ingestSequence(req.raw, {
        dataDir: app.cfg.dataDir, maxBytes: app.cfg.maxUploadBytes, query: req.query,
        contentLength: cl !== undefined ? Number(cl) : undefined,
      });
    } catch (err) {
      // Answered before the whole body arrived (413, 507, a bad header): the rest of the body is not read, so the
      // connection cannot carry another request. Close it after the answer, or the client keeps sending into it
      // and the connection hangs (holding up server.close()) until a timeout.
      if (!req.raw.complete) reply.header('connection', 'close');
      throw err;
    }
    req.log.info({ sequenceId: meta.id, width: meta.width, height: meta.height, bitDepth: meta.bitDepth, frames: meta.frames, bytes: meta.bytes, sourceFormat: meta.sourceFormat }, 'sequence stored');
    return reply.code(201).send(meta);
  });

  app.get('/v1/sequences', {
    schema: {
      summary: 'List sequences, newest first', tags: ['sequences'],
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'SequenceMeta#' } } } } },
    },
  }, async () => ({ items: await app.sequences.list() }));

  app.get<{ Params: { id: string } }>('/v1/sequences/:id', {
    schema: { summary: 'Sequence metadata', tags: ['sequences'], params: idParams, response: { 200: { $ref: 'SequenceMeta#' }, 404: errorSchema } },
  }, async (req) => {
    const meta = await app.sequences.get(req.params.id);
    if (!meta) throw new HttpError(404, 'sequence_not_found', `no sequence with id ${JSON.stringify(req.params.id)}`);
    return meta;
  });

  app.delete<{ Params: { id: string } }>('/v1/sequences/:id', {
    schema: { summary: 'Delete a sequence (refused while jobs on it are waiting or running)', tags: ['sequences'], params: idParams, response: { 404: errorSchema, 409: errorSchema } },
  }, async (req, reply) => {
    const meta = await app.sequences.get(req.params.id);
    if (!meta) throw new HttpError(404, 'sequence_not_found', `no sequence with id ${JSON.stringify(req.params.id)}`);
    const busy = await app.encodeQueue.list({ sequenceId: meta.id, state: ['waiting', 'active'], limit: 200 });
    if (busy.length) {
      throw new HttpError(409, 'sequence_in_use', `sequence ${meta.id} is used by ${busy.length} unfinished job(s); cancel them first`, { jobs: busy.map((j) => j.id) });
    }
    await app.sequences.remove(meta.id);
    req.log.info({ sequenceId: meta.id }, 'sequence deleted');
    return reply.code(204).send();
  });
};
