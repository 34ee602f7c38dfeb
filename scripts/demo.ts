// `npm run demo`: the main job end to end on the embedded default. Builds the codec (if needed), starts the
// service (`src/main.ts`: API + worker + its own redis-server), uploads a small real sequence, runs a job,
// follows its progress, prints the report and the artifact list, stops the service and ends with one verdict line
// for what it ran (encoded, decoded bit-exactly, measured; the challenge rules where an anchor exists).
// Env: DEMO_SEQUENCE (a raw 8-bit .yuv named like name_WxH_FPSfps_...; default foreman from SHARED_SEQUENCES
//      or ../shared/sequences), DEMO_FRAMES (9), DEMO_QPS ("22,27,32,37", the challenge's four QPs),
//      DEMO_CONFIG (ra: random access, as the challenge judges), REDIS_URL (use an existing Redis instead of the embedded one).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/queue/embedded-redis.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEQ = process.env.DEMO_SEQUENCE
  ?? path.join(process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences'), 'foreman_176x144_30fps_8bit_10f.yuv');
const FRAMES = Number(process.env.DEMO_FRAMES ?? 9);
const QPS = (process.env.DEMO_QPS ?? '22,27,32,37').split(',').map(Number);
const CONFIG = process.env.DEMO_CONFIG ?? 'ra';
const ENC = process.env.NNVVC_ENC ?? path.join(REPO, 'codec/build/nnvvc-enc');

function say(msg: string) { console.log(`[demo] ${msg}`); }
// Thrown, not process.exit(): once the service is started, main's `finally` must still stop it (and its redis-server).
class DemoFailure extends Error {}
function fail(msg: string): never { throw new DemoFailure(msg); }

async function main() {
  // 1. codec
  if (!existsSync(ENC) && existsSync(path.join(REPO, 'codec/CMakeLists.txt'))) {
    say('building the codec (npm run build:codec) ...');
    const r = spawnSync('npm', ['run', '--silent', 'build:codec'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) fail('codec build failed (see above); cmake and g++ are needed: apt-get install -y cmake g++');
  }
  let encoder: 'nnvvc' | 'vtm' = 'nnvvc';
  if (!existsSync(ENC)) {
    if (process.env.VTM_ENCODER_APP) { encoder = 'vtm'; say(`${ENC} not built: using VTM_ENCODER_APP instead`); }
    else fail(`${ENC} does not exist after the build, and VTM_ENCODER_APP is not set: nothing can encode`);
  }

  // 2. sequence
  const m = /_(\d+)x(\d+)_(\d+)fps/.exec(path.basename(SEQ));
  if (!existsSync(SEQ) || !m) fail(`sequence ${SEQ} not found or its name has no _WxH_FPSfps part (set DEMO_SEQUENCE)`);
  const [width, height, fps] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const frameBytes = width * height * 3 / 2;
  if ((await stat(SEQ)).size < FRAMES * frameBytes) fail(`${SEQ} has fewer than ${FRAMES} frames`);

  // 3. service (embedded Redis unless REDIS_URL is set)
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = path.join(REPO, 'data', 'demo');
  await mkdir(dataDir, { recursive: true });
  say(`starting the service on ${base} (DATA_DIR=${path.relative(REPO, dataDir)}, ${process.env.REDIS_URL ? 'REDIS_URL' : 'embedded redis-server'}) ...`);
  const svc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/main.ts')], {
    cwd: REPO, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let svcExited = false;
  svc.on('exit', (code) => { svcExited = true; if (code) console.error(`[demo] service exited with code ${code}`); });
  const stop = () => new Promise<void>((res) => { if (svcExited) return res(); svc.once('exit', () => res()); svc.kill('SIGTERM'); });
  try {
    const t0 = Date.now();
    for (;;) {
      if (svcExited) fail('the service stopped during start-up (see its message above)');
      const r = await fetch(`${base}/readyz`).catch(() => null); // null: not listening yet
      if (r?.ok) break;
      if (r && Date.now() - t0 > 30_000) fail(`service not ready: ${await r.text()}`);
      if (Date.now() - t0 > 90_000) fail('service did not start within 90 s');
      await new Promise((r) => setTimeout(r, 300));
    }

    // 4. upload the first FRAMES frames (streamed from the file)
    const up = await fetch(`${base}/v1/sequences?width=${width}&height=${height}&fps=${fps}&bitDepth=8&name=${encodeURIComponent(path.basename(SEQ, '.yuv'))}`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' },
      body: createReadStream(SEQ, { start: 0, end: FRAMES * frameBytes - 1 }) as unknown as ReadableStream, duplex: 'half',
    } as RequestInit);
    const seq = await up.json() as { id: string; frames: number; sha256: string };
    if (up.status !== 201) fail(`upload: ${up.status} ${JSON.stringify(seq)}`);
    say(`uploaded ${path.basename(SEQ)}: ${width}x${height}, ${seq.frames} frames, sequence ${seq.id}`);

    // 5. job
    const jr = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sequenceId: seq.id, config: CONFIG, qps: QPS, encoder }) });
    const job = await jr.json() as { id: string };
    if (jr.status !== 201) fail(`submit: ${jr.status} ${JSON.stringify(job)}`);
    say(`job ${job.id}: config ${CONFIG}, QPs ${QPS.join(',')}, encoder ${encoder}`);

    // 6. follow progress (SSE) until done
    const ev = await fetch(`${base}/v1/jobs/${job.id}/events`);
    const reader = ev.body!.getReader();
    const dec = new TextDecoder();
    let buf = '', last = '', final: { state: string; error?: string } | null = null;
    while (!final) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i); buf = buf.slice(i + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
        if (name === 'progress' && data) {
          const where = data.stage === 'encode'
            ? ` rate point ${data.ratePoint + 1}/${data.ratePointsTotal}, frame ${data.pointFramesDone}/${data.framesPerPoint}`
            : data.stage === 'verify' || data.stage === 'measure' ? ` ${data.stagePointsDone}/${data.ratePointsTotal} rate points` : '';
          const line = `${data.stage}${where} (${data.percent}%)`;
          if (line !== last) { say(line); last = line; }
        } else if (name === 'done') final = data;
      }
    }
    await reader.cancel().catch(() => {});
    if (!final) fail('event stream ended without a result');

    // 7. report + artifacts
    const arts = await (await fetch(`${base}/v1/jobs/${job.id}/artifacts`)).json() as { items: { name: string; bytes: number; contentType: string }[] };
    let report: DemoReport | null = null;
    if (final.state !== 'completed') {
      say(`job ${final.state}: ${final.error}`);
    } else {
      console.log('\n' + await (await fetch(`${base}/v1/jobs/${job.id}/artifacts/report.md`)).text());
      report = await (await fetch(`${base}/v1/jobs/${job.id}/report`)).json() as DemoReport;
    }
    console.log(`artifacts of ${job.id} (GET ${base}/v1/jobs/${job.id}/artifacts/<name>; files in ${path.relative(REPO, path.join(dataDir, 'jobs', job.id))}/):`);
    for (const a of arts.items) console.log(`  ${a.name.padEnd(34)} ${String(a.bytes).padStart(10)} B  ${a.contentType}`);
    verdictLine = final.state === 'completed' && report ? demoVerdict(report) : { ok: false, text: `FAILED: job ${final.state}: ${final.error ?? ''}` };
    if (!verdictLine.ok) process.exitCode = 1;
  } finally {
    say('stopping the service ...');
    await stop();
  }
  if (verdictLine) console.log(`\n[demo] RESULT: ${verdictLine.text}`);
}

interface DemoReport {
  encoder?: string; config: string; frames: number;
  ratePoints: { label: string; qp?: number; kbps: number; psnr: { yuv: number }; decodeOk: boolean; decoders: { name: string; ok: boolean | null }[] }[];
  rules: { id: string; pass: boolean | null; required: boolean; detail: string }[];
  verdict: boolean | null; bdRate?: number;
}
let verdictLine: { ok: boolean; text: string } | null = null;

/** One line: what ran and whether it held (every bitstream decoded identical to the recon), then the challenge verdict. */
function demoVerdict(r: DemoReport): { ok: boolean; text: string } {
  const pts = r.ratePoints;
  const decoders = [...new Set(pts.flatMap((p) => p.decoders.filter((d) => d.ok !== null).map((d) => d.name)))];
  const bad = pts.filter((p) => !p.decodeOk);
  const ran = `${pts.length} rate point(s) (QP ${pts.map((p) => p.qp ?? '?').join('/')}) of ${r.frames} frame(s), config ${r.config}, encoded by ${r.encoder ?? '?'}`;
  if (bad.length) return { ok: false, text: `FAILED: ${ran}; ${bad.map((p) => p.label).join(', ')} did not decode identical to the encoder's reconstruction` };
  const rates = pts.map((p) => `${p.kbps.toFixed(1)} kbps / ${p.psnr.yuv.toFixed(2)} dB`).join(', ');
  const challenge = r.verdict === null
    ? `challenge rules not judged (${r.rules.filter((x) => x.required && x.pass === null).map((x) => x.id).join(', ')}: they need a VTM-23.2 anchor and DecoderApp; set VTM_ENCODER_APP and VTM_DECODER_APP)`
    : `challenge rules ${r.verdict ? 'PASS' : 'FAIL'}${r.bdRate !== undefined ? `, BD-rate ${r.bdRate.toFixed(2)}%` : ''}`;
  return { ok: true, text: `OK: ${ran}; every bitstream decoded by ${decoders.join(' and ')} identical to the encoder's reconstruction; ${rates}; ${challenge}` };
}

main().catch((err) => {
  console.error(`[demo] FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
