// `npm run demo`: the main job end to end on the embedded default. Builds the codec (if needed), starts the
// service (`src/main.ts`: API + worker + its own redis-server), uploads a small real sequence, runs a job,
// follows its progress, prints the report summary and the artifact list, and stops the service.
// Env: DEMO_SEQUENCE (a raw 8-bit .yuv named like name_WxH_FPSfps_...; default foreman from SHARED_SEQUENCES
//      or ../shared/sequences), DEMO_FRAMES (2), DEMO_QPS ("27,37"),
//      DEMO_CONFIG (ai), REDIS_URL (use an existing Redis instead of the embedded one).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/queue/embedded-redis.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEQ = process.env.DEMO_SEQUENCE
  ?? path.join(process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences'), 'foreman_176x144_30fps_8bit_10f.yuv');
const FRAMES = Number(process.env.DEMO_FRAMES ?? 2);
const QPS = (process.env.DEMO_QPS ?? '27,37').split(',').map(Number);
const CONFIG = process.env.DEMO_CONFIG ?? 'ai';
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
          const line = `${data.stage} rate point ${data.ratePoint + 1}/${data.ratePointsTotal} frames ${data.framesDone}/${data.framesTotal} (${data.percent}%)`;
          if (line !== last) { say(line); last = line; }
        } else if (name === 'done') final = data;
      }
    }
    await reader.cancel().catch(() => {});
    if (!final) fail('event stream ended without a result');

    // 7. report + artifacts
    const arts = await (await fetch(`${base}/v1/jobs/${job.id}/artifacts`)).json() as { items: { name: string; bytes: number; contentType: string }[] };
    if (final.state !== 'completed') {
      say(`job ${final.state}: ${final.error}`);
    } else {
      console.log('\n' + await (await fetch(`${base}/v1/jobs/${job.id}/artifacts/report.md`)).text());
    }
    console.log(`artifacts of ${job.id} (GET ${base}/v1/jobs/${job.id}/artifacts/<name>; files in ${path.relative(REPO, path.join(dataDir, 'jobs', job.id))}/):`);
    for (const a of arts.items) console.log(`  ${a.name.padEnd(34)} ${String(a.bytes).padStart(10)} B  ${a.contentType}`);
    if (final.state !== 'completed') process.exitCode = 1;
  } finally {
    say('stopping the service ...');
    await stop();
  }
}

main().catch((err) => {
  console.error(`[demo] FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
