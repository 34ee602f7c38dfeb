// /v1/jobs/:id/artifacts: list and download a job's files. Names are checked against a strict pattern and the
// resolved path must stay inside the job folder, so no name can reach anything else on disk.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { jobDir } from '../../config/layout.js';
import { HttpError } from '../errors.js';
import { errorSchema, idParams } from '../schemas.js';

/** A file in the job folder or in its logs/ or inputs/ subfolder; no dot-segments, no other separators. */
export const ARTIFACT_NAME_RE = /^(?:(?:logs|inputs)\/)?[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$/;

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json', '.266': 'application/octet-stream', '.yuv': 'application/octet-stream',
  '.log': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8', '.csv': 'text/csv; charset=utf-8', '.html': 'text/html; charset=utf-8',
};

export function contentTypeOf(name: string): string {
  return CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/** Resolves an artifact name to a path inside `dir`, or throws a 400. */
export function resolveArtifact(dir: string, name: string): string {
  if (!ARTIFACT_NAME_RE.test(name) || name.split('/').some((seg) => seg === '..' || seg === '.')) {
    throw new HttpError(400, 'bad_artifact_name', `artifact name ${JSON.stringify(name.slice(0, 100))} is not allowed (letters, digits, . _ -, optionally under logs/ or inputs/)`);
  }
  const root = path.resolve(dir);
  const full = path.resolve(root, name);
  if (!full.startsWith(root + path.sep)) throw new HttpError(400, 'bad_artifact_name', 'artifact name escapes the job folder');
  return full;
}

interface Artifact { name: string; bytes: number; contentType: string }

async function listArtifacts(dir: string): Promise<Artifact[]> {
  const out: Artifact[] = [];
  for (const sub of ['', 'logs', 'inputs']) {
    let entries;
    try { entries = await readdir(path.join(dir, sub), { withFileTypes: true }); } catch { continue; }
    for (const e of entries) {
      if (!e.isFile() || e.name.endsWith('.tmp')) continue;
      const name = sub ? `${sub}/${e.name}` : e.name;
      if (!ARTIFACT_NAME_RE.test(name)) continue;
      const st = await stat(path.join(dir, name)).catch(() => null);
      if (st) out.push({ name, bytes: st.size, contentType: contentTypeOf(name) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export const artifactsPlugin: FastifyPluginAsync = async (app) => {
  async function dirOf(id: string): Promise<string> {
    const v = await app.encodeQueue.view(id);
    if (!v) throw new HttpError(404, 'job_not_found', `no job with id ${JSON.stringify(id)}`);
    return jobDir(app.cfg.dataDir, v.id);
  }

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/artifacts', {
    schema: {
      summary: "List a job's files", tags: ['artifacts'], params: idParams,
      response: {
        200: {
          type: 'object',
          properties: { items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, bytes: { type: 'integer' }, contentType: { type: 'string' } } } } },
        },
        404: errorSchema,
      },
    },
  }, async (req) => ({ items: await listArtifacts(await dirOf(req.params.id)) }));

  app.get<{ Params: { id: string; '*': string } }>('/v1/jobs/:id/artifacts/*', {
    schema: { summary: 'Download one file of a job (e.g. qp22.266, report.json, logs/encode-qp22.log)', tags: ['artifacts'], response: { 400: errorSchema, 404: errorSchema } },
  }, async (req, reply) => {
    const name = req.params['*'];
    const dir = await dirOf(req.params.id);
    const full = resolveArtifact(dir, name);
    const st = await stat(full).catch(() => null);
    if (!st?.isFile()) throw new HttpError(404, 'artifact_not_found', `job ${req.params.id} has no artifact ${JSON.stringify(name)}`);
    return reply
      .type(contentTypeOf(name))
      .header('content-length', st.size)
      .header('content-disposition', `inline; filename="${path.basename(name)}"`)
      .send(createReadStream(full));
  });
};
