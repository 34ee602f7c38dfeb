// /v1/challenges: the challenge run as a resource (src/quality/challenge.ts). One rate-matched job per sequence,
// aimed at the four VTM-23.2 anchor rates (QP 22/27/32/37) of an anchor table already in the AnchorStore, submitted
// through the same path as POST /v1/jobs; the record (job ids, anchors used) is DATA_DIR/challenges/<id>.json.
//   POST /v1/challenges                  {sequences: [{sequenceId, anchorKey?}], preset?, frames?, config?: 'ra'} -> 201 view
//   GET  /v1/challenges                  list, newest first
//   GET  /v1/challenges/:id              state, per sequence and point: rates, T1/T2, PSNR, VTM MD5; BD-rate; summary
//   GET  /v1/challenges/:id/table.csv    the same table as CSV (+ summary row)
//   GET  /v1/challenges/:id/archive      .tar: per sequence its four bitstreams, decoded YUVs, table.csv, report.json
//                                        (409 until every job completed)
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { jobDir, newChallengeId } from '../../config/layout.js';
import { AnchorStore, RA_GOP_SIZE } from '../../quality/anchors.js';
import {
  ChallengeStore, challengeAnchor, challengeCsv, challengeView, chooseAnchor,
  type ChallengeJobInput, type ChallengeRecord, type ChallengeSequence, type ChallengeView,
} from '../../quality/challenge.js';
import type { Report } from '../../quality/report.js';
import type { JobRequest } from '../../queue/types.js';
import { HttpError } from '../errors.js';
import { challengeListSchema, challengeRequestSchema, challengeViewSchema, errorSchema, idParams } from '../schemas.js';
import { tarSize, tarStream, type TarEntry } from '../tar.js';
import { checkJobRequest, submitJob } from './jobs.js';

interface ChallengeBody { sequences: { sequenceId: string; anchorKey?: string }[]; preset?: string; frames?: number; config?: 'ra' | 'ai' }
interface Problem { index: number; sequenceId: string; error: string; message: string }

/** A folder name from a sequence name: letters, digits, . _ - only. */
function folderName(name: string, used: Set<string>): string {
  const base = (name.replace(/\.(yuv|y4m)$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 60)) || 'sequence';
  let n = base;
  for (let i = 2; used.has(n); i++) n = `${base}-${i}`;
  used.add(n);
  return n;
}

export const challengesPlugin: FastifyPluginAsync = async (app) => {
  const store = new ChallengeStore(app.cfg.dataDir);
  const anchors = new AnchorStore(app.cfg.dataDir);

  async function jobInput(jobId: string): Promise<ChallengeJobInput> {
    const v = await app.encodeQueue.view(jobId);
    if (!v) return { state: 'missing', error: `job ${jobId} no longer exists (deleted or pruned)` };
    let report: Report | null = null;
    if (v.state === 'completed') {
      try { report = JSON.parse(await readFile(path.join(jobDir(app.cfg.dataDir, jobId), 'report.json'), 'utf8')) as Report; } catch { report = null; }
    }
    return { state: v.state, ...(v.error ? { error: v.error } : {}), report };
  }

  async function viewOf(rec: ChallengeRecord): Promise<{ view: ChallengeView; jobs: ChallengeJobInput[] }> {
    const jobs = await Promise.all(rec.sequences.map((s) => jobInput(s.jobId)));
    return { view: challengeView(rec, jobs), jobs };
  }

  async function mustRecord(id: string): Promise<ChallengeRecord> {
    const rec = await store.get(id);
    if (!rec) throw new HttpError(404, 'challenge_not_found', `no challenge with id ${JSON.stringify(id)}`);
    return rec;
  }

  app.post<{ Body: ChallengeBody }>('/v1/challenges', {
    schema: {
      summary: 'Start a challenge run: one job per sequence, rate-matched to its VTM-23.2 anchor (QP 22/27/32/37 rates)', tags: ['challenges'],
      body: challengeRequestSchema, response: { 201: challengeViewSchema, 400: errorSchema },
    },
  }, async (req, reply) => {
    const b = req.body;
    const config = b.config ?? 'ra';
    const tables = await anchors.list();
    const problems: Problem[] = [];
    const seen = new Set<string>();
    const planned: { seq: ChallengeSequence; request: JobRequest }[] = [];
    for (const [index, s] of b.sequences.entries()) {
      const problem = (error: string, message: string) => problems.push({ index, sequenceId: s.sequenceId, error, message });
      if (seen.has(s.sequenceId)) { problem('duplicate_sequence', `sequences[${index}]: sequence ${s.sequenceId} is listed twice`); continue; }
      seen.add(s.sequenceId);
      const seq = await app.sequences.get(s.sequenceId);
      if (!seq) { problem('unknown_sequence', `sequences[${index}]: sequence ${JSON.stringify(s.sequenceId)} does not exist (upload it with POST /v1/sequences)`); continue; }
      const choice = chooseAnchor(tables, seq, { config, frames: b.frames, anchorKey: s.anchorKey });
      if (!('table' in choice)) { problem(choice.error, `sequences[${index}]: ${choice.message}`); continue; }
      const anchor = challengeAnchor(choice.table);
      const request: JobRequest = {
        sequenceId: seq.id, config, targetKbps: anchor.points.map((p) => p.kbps), frames: anchor.frames,
        ...(anchor.intraPeriod !== undefined && config === 'ra' ? { intraPeriod: anchor.intraPeriod } : {}),
        // an anchor's intra period that our default GOP 32 cannot take (e.g. 48) is encoded with GOP 16
        ...(anchor.intraPeriod !== undefined && config === 'ra' && anchor.intraPeriod % RA_GOP_SIZE !== 0 ? { gopSize: 16 } : {}),
        ...(b.preset !== undefined ? { preset: b.preset } : {}), encoder: 'nnvvc', kind: 'encode',
      };
      planned.push({
        seq: { sequenceId: seq.id, name: seq.name, sha256: seq.sha256, width: seq.width, height: seq.height, fps: seq.fps, bitDepth: seq.bitDepth, frames: anchor.frames, jobId: '', anchor },
        request,
      });
    }
    if (problems.length) throw new HttpError(400, problems[0].error, problems.map((p) => p.message).join('; '), { problems });
    // Every job is checked (preset, config the encoder supports, ...) before any is submitted.
    for (const p of planned) {
      try { await checkJobRequest(app, p.request); } catch (e) {
        if (e instanceof HttpError) throw new HttpError(e.statusCode, e.code, `sequence ${p.seq.name} (${p.seq.sequenceId}): ${e.message}`, e.details);
        throw e;
      }
    }
    const id = newChallengeId();
    const submitted: string[] = [];
    try {
      for (const p of planned) {
        p.seq.jobId = await submitJob(app, p.request, req.log);
        submitted.push(p.seq.jobId);
      }
    } catch (e) {
      for (const jobId of submitted) await app.encodeQueue.cancel(jobId).catch(() => undefined);
      throw e;
    }
    const rec: ChallengeRecord = {
      id, createdAt: new Date().toISOString(), config, ...(b.preset !== undefined ? { preset: b.preset } : {}), ...(b.frames !== undefined ? { frames: b.frames } : {}),
      sequences: planned.map((p) => p.seq),
    };
    await store.put(rec);
    req.log.info({ challengeId: id, jobs: submitted }, 'challenge submitted');
    return reply.code(201).header('location', `/v1/challenges/${id}`).send((await viewOf(rec)).view);
  });

  app.get<{ Querystring: { limit?: number } }>('/v1/challenges', {
    schema: {
      summary: 'List challenge runs, newest first', tags: ['challenges'],
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } },
      response: { 200: challengeListSchema, 400: errorSchema },
    },
  }, async (req) => {
    const recs = await store.list(req.query.limit ?? 50);
    const items = await Promise.all(recs.map(async (rec) => {
      const { view: v } = await viewOf(rec);
      return {
        id: v.id, createdAt: v.createdAt, config: v.config, preset: v.preset, state: v.state, sequences: v.sequences.map((s) => s.name),
        completedSequences: v.summary.completedSequences, averageBdRate: v.summary.averageBdRate, worstRateRatio: v.summary.worstRateRatio,
        worstTimeRatio: v.summary.worstTimeRatio, allPass: v.summary.allPass,
      };
    }));
    return { items };
  });

  app.get<{ Params: { id: string } }>('/v1/challenges/:id', {
    schema: { summary: 'A challenge run: state, per sequence and point the rules, BD-rate, summary', tags: ['challenges'], params: idParams, response: { 200: challengeViewSchema, 404: errorSchema } },
  }, async (req) => (await viewOf(await mustRecord(req.params.id))).view);

  app.get<{ Params: { id: string } }>('/v1/challenges/:id/table.csv', {
    schema: { summary: 'The challenge table as CSV: one row per sequence x point, then a summary row', tags: ['challenges'], params: idParams, response: { 404: errorSchema } },
  }, async (req, reply) => {
    const { view } = await viewOf(await mustRecord(req.params.id));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `inline; filename="challenge-${view.id}.csv"`).send(challengeCsv(view));
  });

  app.get<{ Params: { id: string } }>('/v1/challenges/:id/archive', {
    schema: {
      summary: 'Tar archive of a finished challenge: per sequence its four bitstreams, decoded YUVs, table.csv and report.json',
      tags: ['challenges'], params: idParams, response: { 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const { view, jobs } = await viewOf(await mustRecord(req.params.id));
    if (view.state !== 'completed') {
      const open = view.sequences.filter((s) => s.jobState !== 'completed').map((s) => `${s.name}: job ${s.jobId} ${s.jobState}${s.error ? ` (${s.error})` : ''}`);
      throw new HttpError(409, 'challenge_not_finished',
        `challenge ${view.id} is ${view.state} (${view.summary.completedSequences} of ${view.summary.sequences} sequences done): ${open.join('; ')}; the archive is available once every job has completed`,
        { state: view.state });
    }
    const root = `challenge-${view.id}`;
    const mtime = new Date();
    const entries: TarEntry[] = [
      { name: `${root}/challenge.csv`, data: Buffer.from(challengeCsv(view)), mtime },
      { name: `${root}/challenge.json`, data: Buffer.from(JSON.stringify(view, null, 2) + '\n'), mtime },
    ];
    const used = new Set<string>();
    const missing: string[] = [];
    for (const [i, s] of view.sequences.entries()) {
      const dir = jobDir(app.cfg.dataDir, s.jobId);
      const folder = `${root}/${folderName(s.name, used)}`;
      entries.push({ name: `${folder}/table.csv`, data: Buffer.from(challengeCsv(view, { sequences: [s], summary: false })), mtime });
      const add = async (file: string, name: string): Promise<boolean> => {
        const st = await stat(path.join(dir, file)).catch(() => null);
        if (!st?.isFile()) return false;
        entries.push({ name: `${folder}/${name}`, file: path.join(dir, file), size: st.size, mtime: st.mtime });
        return true;
      };
      await add('report.json', 'report.json');
      const reported = jobs[i].report?.ratePoints ?? [];
      for (const p of s.points) {
        if (!p.label) continue;
        const stem = `rate-qp${p.anchorQp}`;
        if (!(await add(`${p.label}.266`, `${stem}.266`))) missing.push(`${s.name} ${p.label}.266`);
        // The decoded pictures: VTM-23.2 DecoderApp's output when it ran, else nnvvc-dec's.
        const vtmName = reported.find((r) => r.label === p.label)?.decoders.find((d) => d.name.startsWith('VTM') && d.ok === true)?.name;
        if (!((vtmName && await add(`${p.label}.${vtmName}.yuv`, `${stem}.yuv`)) || await add(`${p.label}.dec.yuv`, `${stem}.yuv`))) missing.push(`${s.name} ${p.label} decoded yuv`);
      }
    }
    if (missing.length) req.log.warn({ challengeId: view.id, missing }, 'challenge archive: files missing');
    return reply
      .type('application/x-tar')
      .header('content-length', tarSize(entries))
      .header('content-disposition', `attachment; filename="${root}.tar"`)
      .header('x-archive-missing', missing.length ? String(missing.length) : '0')
      .send(tarStream(entries));
  });
};
