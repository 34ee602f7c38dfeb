// /v1/jobs: submit, status, list, cancel or delete, live progress (SSE) and the report.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance, FastifyPluginAsync } from 'fastify';
import { JOB_ID_RE, jobDir, type SequenceMeta } from '../../config/layout.js';
import { EncodeQueue, JobBusyError } from '../../queue/encode-queue.js';
import type { JobRequest, JobView, PublicState } from '../../queue/types.js';
import { HttpError } from '../errors.js';
import { RA_GOP_SIZE } from '../../quality/anchors.js';
import { encoderListSchema, errorSchema, idParams, jobListQuerySchema } from '../schemas.js';
import type { JobEvent } from '../services.js';
import { CODING_CONFIGS, NNVVC_DEFAULT_PRESET, NNVVC_PRESETS, nnvvcConfigs, type CodingConfig } from '../../worker/encoders.js';
import { isExecutable } from '../../worker/tool-adapter.js';

const TERMINAL: PublicState[] = ['completed', 'failed', 'cancelled'];

const CONFIG_NAMES: Record<CodingConfig, string> = { ai: 'all intra', ra: 'random access' };

/** What each encoder a job can name supports (GET /v1/encoders; the dashboard's job form is built from it). */
export interface EncoderInfo {
  name: 'nnvvc' | 'vtm'; program: string; available: boolean;
  configs: CodingConfig[]; defaultConfig: CodingConfig; presets: string[]; defaultPreset: string | null;
}

/** The default config of an encoder: random access (what the challenge judges) where supported, else all intra. */
export function defaultConfig(configs: CodingConfig[]): CodingConfig {
  return configs.includes('ra') ? 'ra' : 'ai';
}

/**
 * Checks a job request as POST /v1/jobs does (sequence, frames, encoder, preset, config) and returns its sequence;
 * throws an HttpError (400) saying what is wrong. POST /v1/challenges checks all its jobs with it before submitting any.
 */
export async function checkJobRequest(app: FastifyInstance, r: JobRequest): Promise<SequenceMeta> {
  const seq = await app.sequences.get(r.sequenceId);
  if (!seq) throw new HttpError(400, 'unknown_sequence', `sequenceId ${JSON.stringify(r.sequenceId)} does not exist (upload it with POST /v1/sequences)`);
  // targetKbps: the worker searches the QP per target (src/quality/rate-match.ts); kind=anchor: VTM-23.2 at the anchor QPs.
  if (r.targetKbps && r.qps) throw new HttpError(400, 'bad_request', 'give qps or targetKbps, not both');
  if (r.kind === 'anchor' && r.targetKbps) throw new HttpError(400, 'bad_request', 'kind=anchor encodes at QPs (default 22/27/32/37), not at targetKbps');
  if (r.kind === 'anchor' && !app.cfg.vtmEncoderApp) throw new HttpError(400, 'encoder_unavailable', 'kind=anchor needs VTM_ENCODER_APP (VTM-23.2 EncoderApp) to be set on the server');
  if (r.frames !== undefined && r.frames > seq.frames) {
    throw new HttpError(400, 'bad_frames', `frames=${r.frames} but sequence ${seq.id} has ${seq.frames} frames`, { frames: r.frames, sequenceFrames: seq.frames });
  }
  if (r.encoder === 'vtm' && !app.cfg.vtmEncoderApp) {
    throw new HttpError(400, 'encoder_unavailable', 'encoder=vtm needs VTM_ENCODER_APP to be set on the server');
  }
  if (r.intraPeriod !== undefined && r.config !== 'ra') {
    throw new HttpError(400, 'bad_request', `intraPeriod applies to config "ra" only (this job asks for config "${r.config}")`);
  }
  if (r.gopSize !== undefined && r.config !== 'ra') {
    throw new HttpError(400, 'bad_request', `gopSize applies to config "ra" only (this job asks for config "${r.config}")`);
  }
  if (r.gopSize !== undefined && (r.kind === 'anchor' || r.encoder === 'vtm')) {
    throw new HttpError(400, 'bad_request', `gopSize sets nnvvc-enc's GOP; a VTM encode takes the anchor's (${RA_GOP_SIZE}, or 16 where the intra period is not a multiple of ${RA_GOP_SIZE})`);
  }
  if (r.config === 'ra' && r.intraPeriod !== undefined) {
    // VTM anchors need a multiple of 16 (their GOP 16 or 32); our encoder a multiple of its own GOP
    const gop = r.kind === 'anchor' || r.encoder === 'vtm' ? 16 : r.gopSize ?? RA_GOP_SIZE;
    if (r.intraPeriod % gop !== 0) {
      throw new HttpError(400, 'bad_request', `intraPeriod=${r.intraPeriod} must be a multiple of the GOP size ${gop}${r.gopSize === undefined && gop === RA_GOP_SIZE ? ' (default; gopSize 16 allows multiples of 16)' : ''}`);
    }
  }
  if (r.segmentIntraPeriods !== undefined) {
    // segments are joined by nnvvc-join at fixed QPs; a rate search needs the whole point's rate at every trial
    const why = r.config !== 'ra' ? `config "${r.config}" (segments are cut at random access's intra periods)`
      : r.kind === 'anchor' || r.encoder === 'vtm' ? 'a VTM encode (only nnvvc-enc encodes segments: --first-frame)'
      : r.targetKbps ? 'targetKbps (rate matching searches the QP of the whole point; give qps)' : null;
    if (why) throw new HttpError(400, 'bad_request', `segmentIntraPeriods does not apply to ${why}`);
  }
  if (r.kind !== 'anchor' && (r.encoder ?? 'nnvvc') === 'nnvvc') {
    if (r.preset !== undefined && !(NNVVC_PRESETS as readonly string[]).includes(r.preset)) {
      throw new HttpError(400, 'unknown_preset', `preset ${JSON.stringify(r.preset)} is not a preset of nnvvc-enc; known presets: ${NNVVC_PRESETS.join(', ')} (default ${NNVVC_DEFAULT_PRESET})`,
        { preset: r.preset, presets: [...NNVVC_PRESETS] });
    }
    const configs = await nnvvcConfigs(app.cfg.nnvvcEnc);
    if (!configs.includes(r.config)) {
      const can = configs.map((c) => `"${c}" (${CONFIG_NAMES[c]})`).join(', ');
      throw new HttpError(400, 'unsupported_config',
        `config "${r.config}" (${CONFIG_NAMES[r.config]}) is not supported by this server's nnvvc-enc, which encodes ${can}; ` +
        `submit config "${configs[0]}"${r.config === 'ra' ? ', or encoder "vtm" for a VTM-23.2 random-access encode' : ''}`,
        { config: r.config, configs });
    }
  }
  return seq;
}

/** The one submission path (POST /v1/jobs, POST /v1/challenges): checks the request, queues the job, returns its id. */
export async function submitJob(app: FastifyInstance, r: JobRequest, log: FastifyBaseLogger): Promise<string> {
  const seq = await checkJobRequest(app, r);
  const jobId = EncodeQueue.newJobId();
  await app.encodeQueue.submit({ jobId, request: r, sequence: seq, createdAt: new Date().toISOString() });
  log.info({ jobId, sequenceId: seq.id, config: r.config, qps: r.qps }, 'job submitted');
  return jobId;
}

export const jobsPlugin: FastifyPluginAsync = async (app) => {
  // Open SSE streams only end when their job does; on shutdown they must end now or the server never closes.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => { for (const finish of openStreams) finish(); });

  async function mustView(id: string): Promise<JobView> {
    const v = await app.encodeQueue.view(id);
    if (!v) throw new HttpError(404, 'job_not_found', `no job with id ${JSON.stringify(id)}`);
    return v;
  }

  async function encoders(): Promise<EncoderInfo[]> {
    const c = app.cfg;
    const ours = await nnvvcConfigs(c.nnvvcEnc);
    return [
      {
        name: 'nnvvc', program: 'nnvvc-enc', available: await isExecutable(c.nnvvcEnc), configs: ours, defaultConfig: defaultConfig(ours),
        presets: [...NNVVC_PRESETS], defaultPreset: NNVVC_DEFAULT_PRESET,
      },
      {
        name: 'vtm', program: 'VTM-23.2 EncoderApp', available: await isExecutable(c.vtmEncoderApp), configs: [...CODING_CONFIGS],
        defaultConfig: 'ra', presets: [], defaultPreset: null,
      },
    ];
  }

  app.get('/v1/encoders', {
    schema: {
      summary: 'Encoders a job can name, with the configs and presets each supports', tags: ['jobs'],
      response: { 200: encoderListSchema },
    },
  }, async () => ({ items: await encoders() }));

  app.post<{ Body: JobRequest }>('/v1/jobs', {
    schema: {
      summary: 'Submit an encode job', tags: ['jobs'], body: { $ref: 'JobRequest#' },
      response: { 201: { type: 'object', properties: { id: { type: 'string' }, state: { type: 'string' } } }, 400: errorSchema },
    },
  }, async (req, reply) => {
    const jobId = await submitJob(app, req.body, req.log);
    return reply.code(201).header('location', `/v1/jobs/${jobId}`).send({ id: jobId, state: 'waiting' });
  });

  app.get<{ Querystring: { state?: PublicState; sequenceId?: string; limit?: number } }>('/v1/jobs', {
    schema: {
      summary: 'List jobs, newest first', tags: ['jobs'],
      querystring: jobListQuerySchema,
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: { $ref: 'JobView#' } } } }, 400: errorSchema },
    },
  }, async (req) => ({ items: await app.encodeQueue.list({ state: req.query.state, sequenceId: req.query.sequenceId, limit: req.query.limit ?? 50 }) }));

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', {
    schema: { summary: 'Job status and progress', tags: ['jobs'], params: idParams, response: { 200: { $ref: 'JobView#' }, 404: errorSchema } },
  }, async (req) => mustView(req.params.id));

  app.delete<{ Params: { id: string }; Querystring: { mode?: 'auto' | 'cancel' | 'delete' } }>('/v1/jobs/:id', {
    schema: {
      summary: 'Cancel a waiting or running job (202: waiting ones are removed from the queue, running ones have their encoder stopped), ' +
        'or delete a finished one (completed, failed, cancelled) with all its files (200). ?mode=cancel only cancels (409 job_finished ' +
        'for a finished job); ?mode=delete only deletes (409 job_unfinished for a waiting or running job)',
      tags: ['jobs'], params: idParams,
      querystring: { type: 'object', properties: { mode: { type: 'string', enum: ['auto', 'cancel', 'delete'] } }, additionalProperties: false },
      response: {
        200: {
          type: 'object',
          properties: {
            id: { type: 'string' }, outcome: { type: 'string', enum: ['deleted'] }, state: { type: 'string' },
            removed: {
              type: 'object',
              properties: {
                queueJobs: { type: 'array', items: { type: 'string' } }, folder: { type: 'string' },
                files: { type: 'integer' }, bytes: { type: 'integer' },
              },
            },
          },
        },
        202: { type: 'object', properties: { id: { type: 'string' }, outcome: { type: 'string' } } }, 404: errorSchema, 409: errorSchema,
      },
    },
  }, async (req, reply) => {
    const mode = req.query.mode ?? 'auto';
    const v = await mustView(req.params.id);
    if (TERMINAL.includes(v.state)) {
      if (mode === 'cancel') throw new HttpError(409, 'job_finished', `job ${v.id} is already ${v.state} (DELETE without ?mode=cancel deletes it)`);
      let r: Awaited<ReturnType<EncodeQueue['removeFinished']>>;
      try {
        r = await app.encodeQueue.removeFinished(v.id);
      } catch (err) {
        if (err instanceof JobBusyError) throw new HttpError(409, 'job_busy', err.message, { running: err.running });
        throw err;
      }
      if (!r) throw new HttpError(404, 'job_not_found', `no job with id ${JSON.stringify(v.id)}`);
      if (!('queueJobs' in r)) throw new HttpError(409, 'job_unfinished', `job ${v.id} is ${r.notFinished} again (retried); cancel it first`);
      req.log.info({ jobId: v.id, state: r.state, queueJobs: r.queueJobs.length, files: r.files, bytes: r.bytes }, 'finished job deleted');
      return reply.code(200).send({ id: v.id, outcome: 'deleted', state: r.state, removed: { queueJobs: r.queueJobs, folder: r.folder, files: r.files, bytes: r.bytes } });
    }
    if (mode === 'delete') throw new HttpError(409, 'job_unfinished', `job ${v.id} is ${v.state}: cancel it first (DELETE without ?mode=delete), then delete it`);
    const outcome = await app.encodeQueue.cancel(v.id);
    if (outcome === 'finished') throw new HttpError(409, 'job_finished', `job ${v.id} finished before it could be cancelled (DELETE again to delete it)`);
    req.log.info({ jobId: v.id, outcome }, 'job cancel requested');
    return reply.code(202).send({ id: v.id, outcome });
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/report', {
    schema: { summary: 'report.json of a job', tags: ['jobs'], params: idParams, response: { 404: errorSchema } },
  }, async (req, reply) => {
    const v = await mustView(req.params.id);
    let text: string;
    try {
      text = await readFile(path.join(jobDir(app.cfg.dataDir, v.id), 'report.json'), 'utf8');
    } catch {
      throw new HttpError(404, 'report_not_ready', `job ${v.id} has no report yet (state ${v.state})`);
    }
    return reply.type('application/json').send(text);
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', {
    schema: { summary: 'Live progress as server-sent events: progress, state, done', tags: ['jobs'], params: idParams, response: { 404: errorSchema } },
  }, async (req, reply) => {
    const id = req.params.id;
    if (!JOB_ID_RE.test(id)) throw new HttpError(404, 'job_not_found', `no job with id ${JSON.stringify(id)}`);
    // Subscribe before reading the state so no event between the two is lost.
    const buffered: JobEvent[] = [];
    let live: ((e: JobEvent) => void) | null = null;
    const listener = (e: JobEvent) => (live ? live(e) : buffered.push(e));
    app.jobEvents.on(`job:${id}`, listener);
    let view: JobView;
    try {
      view = await mustView(id);
    } catch (err) {
      app.jobEvents.off(`job:${id}`, listener);
      throw err;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    let closed = false;
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      app.jobEvents.off(`job:${id}`, listener);
      openStreams.delete(finish);
      res.end();
    };
    openStreams.add(finish);
    res.on('close', finish); // client went away (or we ended the stream)
    const done = async () => {
      const final = await app.encodeQueue.view(id).catch(() => null);
      if (closed) return;
      if (final && !TERMINAL.includes(final.state)) { send('state', { state: final.state }); return; } // failed attempt, will retry
      if (final) { send('state', { state: final.state }); send('done', final); }
      finish();
    };
    send('state', { state: view.state });
    send('progress', view.progress);
    if (TERMINAL.includes(view.state)) return done();
    // A flow parent's progress is the sum over its children: re-read its view when a child reports (coalesced).
    let refreshing = false;
    let refreshAgain = false;
    let lastState = view.state;
    const refresh = async () => {
      if (refreshing) { refreshAgain = true; return; }
      refreshing = true;
      try {
        do {
          refreshAgain = false;
          const v = await app.encodeQueue.view(id).catch(() => null);
          if (closed || !v || TERMINAL.includes(v.state)) break;
          if (v.state !== lastState) { lastState = v.state; send('state', { state: v.state }); }
          send('progress', v.progress);
        } while (refreshAgain && !closed);
      } finally { refreshing = false; }
    };
    live = (e) => {
      if (closed) return;
      switch (e.type) {
        case 'progress': send('progress', e.data); break;
        case 'child': void refresh(); break;
        case 'active': lastState = 'active'; send('state', { state: 'active' }); break;
        // a flow parent whose children all finished waits for a worker: its view says whether that is 'active'
        case 'waiting': void refresh(); break;
        case 'completed': case 'failed': case 'removed': void done(); break;
      }
    };
    for (const e of buffered.splice(0)) live(e);
  });
};
