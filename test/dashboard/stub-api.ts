// In-memory stand-in for the /v1 REST API (README.md "API in brief"), used to exercise the dashboard in a browser
// deterministically: UI-only tests (compare page, CU overlay, phone layout) that do not need the real pipeline.
// The end-to-end test (e2e.test.ts) uses the real buildApp + worker instead.
import Fastify, { type FastifyInstance } from 'fastify';
import { dashboardPlugin } from '../../src/dashboard/plugin.js';

interface StubJob {
  id: string; state: string; request: Record<string, unknown>; createdAt: string; startedAt: string | null;
  finishedAt: string | null; attempts: number; error?: string;
  progress: { stage: string; ratePoint: number; ratePointsTotal: number; stagePointsDone: number; pointFramesDone: number; framesPerPoint: number; percent: number };
  report?: unknown; artifacts: Map<string, { body: Buffer; contentType: string }>;
}

function frameBytes(w: number, h: number, bitDepth: number): number {
  return (w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2)) * (bitDepth > 8 ? 2 : 1);
}

/** A 10-bit LE 4:2:0 clip with a diagonal gradient per frame, so the rendered luma is recognisable. */
function syntheticYuv(w: number, h: number, frames: number): Buffer {
  const fb = frameBytes(w, h, 10);
  const buf = Buffer.alloc(fb * frames);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) buf.writeUInt16LE(((x + y + f * 8) * 4) % 1024, f * fb + 2 * (y * w + x));
    buf.fill(0x02, f * fb + 2 * w * h, (f + 1) * fb); // chroma 0x0202 = 514 ~ mid grey
  }
  return buf;
}

/** Quadtree-ish CU list covering the frame: 64x64 blocks, split into 16x16 in the top-left quadrant. */
function syntheticStats(w: number, h: number, frames: number) {
  const cus: { x: number; y: number; w: number; h: number }[] = [];
  for (let y = 0; y < h; y += 64) {
    for (let x = 0; x < w; x += 64) {
      if (x < w / 2 && y < h / 2) {
        for (let yy = y; yy < Math.min(y + 64, h); yy += 16) for (let xx = x; xx < Math.min(x + 64, w); xx += 16) cus.push({ x: xx, y: yy, w: Math.min(16, w - xx), h: Math.min(16, h - yy) });
      } else cus.push({ x, y, w: Math.min(64, w - x), h: Math.min(64, h - y) });
    }
  }
  return { frames: Array.from({ length: frames }, (_, i) => ({ poc: i, cus })) };
}

/**
 * CNN split hints (codec/README.md "Split hints", as src/models/split-predictor.ts writes them, aggressiveness 0)
 * for syntheticStats' clips: predicted QT depth 3 (16x16 CUs) in the top-left 32x32, 1 (64x64) elsewhere.
 */
export function syntheticHints(w: number, h: number, frames: number): string {
  const cols = Math.ceil(w / 8), rows = Math.ceil(h / 8);
  const lines = ['nnvvc-split-hints 1', '# written by the CNN split predictor, aggressiveness 0', `picture ${w} ${h}`, 'ctu 128', 'grid 8', `frames ${frames}`];
  for (let f = 0; f < frames; f++) {
    lines.push(`frame ${f}`);
    for (let r = 0; r < rows; r++) lines.push(Array.from({ length: cols }, (_, c) => (c < 4 && r < 4 ? '2-4:1' : '0-2:1')).join(' '));
  }
  return lines.join('\n') + '\n';
}

/** Report with an RD curve that is `gain` (e.g. 0.9 = 10 % fewer bits) of the anchor's rate at equal PSNR. */
export function syntheticReport(jobId: string, qps: number[], gain: number, seq: Record<string, unknown>, request: Record<string, unknown> = {}) {
  return {
    jobId, sequence: seq, config: request.config ?? 'ra', encoder: 'nnvvc-enc', machine: { cpu: 'stub', cores: 2, os: 'linux' }, request,
    splitPrediction: request.preset === 'trivial' ? { model: null, note: 'preset trivial has no partition search to prune' }
      : { model: 'splitnet v1', note: 'CNN split predictor splitnet v1 (cpu)', hints: Object.fromEntries(qps.map((qp) => [`qp${qp}`, `qp${qp}.hints.txt`])) },
    ratePoints: qps.map((qp) => {
      const anchorKbps = 2000 * 2 ** ((22 - qp) / 6);
      const psnr = 44 - (qp - 22) * 0.55;
      return {
        qp, kbps: anchorKbps * gain, bits: Math.round(anchorKbps * gain * 1000), psnr: { y: psnr, u: psnr + 2, v: psnr + 2.5, yuv: (6 * psnr + psnr + 2 + psnr + 2.5) / 8 },
        encodeSeconds: 1.5, decodeOk: true, md5Ok: true, decoders: [{ name: 'nnvvc-dec', ok: true }],
        anchor: { kbps: anchorKbps, psnr: { y: psnr, u: psnr + 2, v: psnr + 2.5, yuv: (6 * psnr + psnr + 2 + psnr + 2.5) / 8 }, encodeSeconds: 3 },
        rules: { md5: true },
      };
    }),
    rules: [{ id: 'decode-md5', description: 'Every bitstream decodes with matching MD5', pass: true, detail: '4/4' },
      { id: 'rate-ratio', description: 'Rate within 2 % of anchor', pass: null, detail: 'not applicable' }],
    timeRatio: { t1: 1.5 * qps.length, t2: 3 * qps.length, ratio: 0.5, sameMachine: true },
    verdict: null,
    anchor: { key: 'stub-anchor', source: 'computed', encoder: 'VTM-23.2', createdAt: new Date().toISOString() },
  };
}

/**
 * `sse: false` leaves out the event stream (404), to exercise the dashboard's polling fallback. `nnvvcConfigs`:
 * what the stub's nnvvc-enc supports (GET /v1/encoders; other configs get the real API's 400), default ai and ra.
 */
export async function startStubApi(opts: { stepMs?: number; sse?: boolean; nnvvcConfigs?: string[] } = {}): Promise<{ app: FastifyInstance; url: string }> {
  const stepMs = opts.stepMs ?? 150;
  const nnvvcConfigs = opts.nnvvcConfigs ?? ['ai', 'ra'];
  const app = Fastify({ logger: false });
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  const sequences = new Map<string, Record<string, unknown>>();
  const jobs = new Map<string, StubJob>();
  let counter = 0;
  const bad = (reply: any, message: string, details?: unknown) => reply.code(400).send({ error: 'Bad Request', message, details });
  const view = (j: StubJob) => ({ id: j.id, state: j.state, request: j.request, progress: j.progress, createdAt: j.createdAt, startedAt: j.startedAt, finishedAt: j.finishedAt, attempts: j.attempts, error: j.error });

  app.post('/v1/sequences', async (req, reply) => {
    const q = req.query as Record<string, string>;
    const body = (req.body as Buffer | undefined) ?? Buffer.alloc(0);
    for (const k of ['width', 'height', 'fps'] as const) {
      if (q[k] === undefined || !/^\d+(\.\d+)?$/.test(q[k])) return bad(reply, `${k} must be a positive number, got "${q[k] ?? ''}"`);
    }
    const width = Number(q.width), height = Number(q.height), bitDepth = Number(q.bitDepth ?? 8);
    if (bitDepth !== 8 && bitDepth !== 10) return bad(reply, `bitDepth must be 8 or 10, got ${q.bitDepth}`);
    if (body.length === 0) return bad(reply, 'request body is empty');
    const fb = frameBytes(width, height, bitDepth);
    if (body.length % fb !== 0) return bad(reply, `body is ${body.length} bytes, not a multiple of the ${width}x${height} ${bitDepth}-bit frame size ${fb}`);
    const id = `seq${++counter}`;
    const meta = { id, name: q.name ?? id, width, height, bitDepth, fps: Number(q.fps), frames: body.length / fb, bytes: body.length, sha256: 'stub', createdAt: new Date().toISOString(), sourceFormat: 'yuv' };
    sequences.set(id, meta);
    return reply.code(201).send(meta);
  });
  app.get('/v1/sequences', async () => ({ items: [...sequences.values()] }));
  app.get('/v1/sequences/:id', async (req, reply) => sequences.get((req.params as any).id) ?? reply.code(404).send({ error: 'Not Found', message: 'no such sequence' }));

  app.get('/v1/encoders', async () => ({
    items: [
      { name: 'nnvvc', program: 'nnvvc-enc', available: true, configs: nnvvcConfigs, defaultConfig: nnvvcConfigs.includes('ra') ? 'ra' : 'ai',
        presets: ['exhaustive', 'slow', 'medium', 'fast', 'faster', 'trivial'], defaultPreset: 'medium' },
      { name: 'vtm', program: 'VTM-23.2 EncoderApp', available: false, configs: ['ai', 'ra'], defaultConfig: 'ra', presets: [], defaultPreset: null },
    ],
  }));

  app.post('/v1/jobs', async (req, reply) => {
    const body = req.body as any;
    const seq = sequences.get(body?.sequenceId);
    if (!seq) return bad(reply, `sequenceId ${body?.sequenceId} does not exist`);
    if ((body.encoder ?? 'nnvvc') === 'nnvvc' && !nnvvcConfigs.includes(body.config)) {
      return reply.code(400).send({ error: 'unsupported_config', message: `config "${body.config}" is not supported by this server's nnvvc-enc` });
    }
    const qps: number[] = body.qps ?? [22, 27, 32, 37];
    const id = `job${++counter}`;
    const frames = Number(body.frames ?? seq.frames);
    const job: StubJob = { id, state: 'waiting', request: body, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, attempts: 0,
      progress: { stage: 'queued', ratePoint: 0, ratePointsTotal: qps.length, stagePointsDone: 0, pointFramesDone: 0, framesPerPoint: frames, percent: 0 }, artifacts: new Map() };
    jobs.set(id, job);
    const total = qps.length * frames;
    const jobStepMs = body.preset === 'slow' ? 300 : stepMs;
    let done = 0;
    const log: string[] = [];
    const tick = () => {
      if (job.state === 'cancelled') return;
      if (job.state === 'waiting') { job.state = 'active'; job.startedAt = new Date().toISOString(); job.attempts = 1; }
      done++;
      job.progress = { stage: 'encode', ratePoint: Math.floor((done - 1) / frames), ratePointsTotal: qps.length, stagePointsDone: Math.floor((done - 1) / frames), pointFramesDone: ((done - 1) % frames) + 1, framesPerPoint: frames, percent: (100 * done) / total };
      log.push(`POC ${(done - 1) % frames} QP ${qps[Math.floor((done - 1) / frames)]} encoded`);
      job.artifacts.set('encode.log', { body: Buffer.from(log.join('\n') + '\n'), contentType: 'text/plain' });
      if (done < total) { setTimeout(tick, jobStepMs); return; }
      const w = seq.width as number, h = seq.height as number;
      for (const qp of qps) {
        job.artifacts.set(`qp${qp}.266`, { body: Buffer.from('stub'), contentType: 'application/octet-stream' });
        job.artifacts.set(`qp${qp}.dec.yuv`, { body: syntheticYuv(w, h, frames), contentType: 'application/octet-stream' });
        if (body.preset !== 'trivial') job.artifacts.set(`qp${qp}.hints.txt`, { body: Buffer.from(syntheticHints(w, h, frames)), contentType: 'text/plain; charset=utf-8' });
        if (qp === qps[0]) job.artifacts.set(`qp${qp}.stats.json`, { body: Buffer.from(JSON.stringify(syntheticStats(w, h, frames))), contentType: 'application/json' });
      }
      job.report = syntheticReport(id, qps, Number(body.preset === 'fast' ? 1.05 : 0.9), seq, body);
      job.artifacts.set('report.json', { body: Buffer.from(JSON.stringify(job.report)), contentType: 'application/json' });
      job.progress = { ...job.progress, stage: 'done', stagePointsDone: qps.length, percent: 100 };
      job.state = 'completed';
      job.finishedAt = new Date().toISOString();
    };
    setTimeout(tick, stepMs);
    return reply.code(201).send({ id });
  });
  app.get('/v1/jobs', async () => ({ items: [...jobs.values()].map(view) }));
  const getJob = (req: any, reply: any) => jobs.get(req.params.id) ?? reply.code(404).send({ error: 'Not Found', message: 'no such job' });
  app.get('/v1/jobs/:id', async (req, reply) => { const j = getJob(req, reply); return j.id ? view(j) : j; });
  app.delete('/v1/jobs/:id', async (req, reply) => { const j = getJob(req, reply); if (j.id) j.state = 'cancelled'; return j.id ? view(j) : j; });
  app.get('/v1/jobs/:id/report', async (req, reply) => { const j = getJob(req, reply); return j.id ? (j.report ?? reply.code(404).send({ error: 'Not Found', message: 'no report yet' })) : j; });
  app.get('/v1/jobs/:id/artifacts', async (req, reply) => {
    const j = getJob(req, reply);
    return j.id ? { items: [...j.artifacts].map(([name, a]) => ({ name, bytes: a.body.length, contentType: a.contentType })) } : j;
  });
  app.get('/v1/jobs/:id/artifacts/:name', async (req, reply) => {
    const j = getJob(req, reply);
    if (!j.id) return j;
    const a = j.artifacts.get((req.params as any).name);
    if (!a) return reply.code(404).send({ error: 'Not Found', message: 'no such artifact' });
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range) {
      const len = a.body.length;
      let start = range[1] === '' ? Math.max(0, len - Number(range[2])) : Number(range[1]);
      const end = range[1] === '' || range[2] === '' ? len - 1 : Math.min(len - 1, Number(range[2]));
      if (start >= len) return reply.code(416).send();
      return reply.code(206).header('content-range', `bytes ${start}-${end}/${len}`).type(a.contentType).send(a.body.subarray(start, end + 1));
    }
    return reply.type(a.contentType).send(a.body);
  });
  if (opts.sse !== false) app.get('/v1/jobs/:id/events', (req, reply) => {
    const j = getJob(req, reply);
    if (!j.id) return j;
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    let last = '';
    const timer = setInterval(() => {
      const p = JSON.stringify(j.progress);
      if (p !== last) { reply.raw.write(`event: progress\ndata: ${p}\n\n`); last = p; }
      if (j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled') {
        reply.raw.write(`event: state\ndata: ${JSON.stringify({ state: j.state })}\n\nevent: done\ndata: {}\n\n`);
        clearInterval(timer);
        reply.raw.end();
      }
    }, 100);
    req.raw.on('close', () => clearInterval(timer));
  });
  app.get('/', async (_req, reply) => reply.redirect('/dashboard/'));
  await app.register(dashboardPlugin, { prefix: '/dashboard' });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

// `node --import tsx test/dashboard/stub-api.ts` runs the stub on its own for manual poking.
if (import.meta.url === `file://${process.argv[1]}`) {
  startStubApi({ stepMs: Number(process.env.STUB_STEP_MS ?? 500) }).then(({ url }) => console.log(`stub API + dashboard at ${url}/dashboard/`));
}
