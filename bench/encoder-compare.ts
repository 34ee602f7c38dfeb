// Two nnvvc-enc builds on one sequence (npm run bench:compare): BD-rate of build B against build A (PSNR (6Y+U+V)/8,
// QP 22/27/32/37) and their CPU time, each encode run CMP_REPEAT times with A and B alternating, so that the machine's
// drift in speed (several % between minutes here) falls on both alike; the median CPU time per encode is summed.
// To judge an encoder change that may alter decisions (BD-rate) or only speed (then B's streams equal A's, reported).
// Env: CMP_A, CMP_B (nnvvc-enc paths; required), CMP_SEQ (a file of SHARED_SEQUENCES's MANIFEST.tsv, default BasketballPass),
// CMP_FRAMES (17), CMP_CONFIG (ra | ai, default ra), CMP_PRESET (medium), CMP_REPEAT (3, 1-9), CMP_ARGS (more
// nnvvc-enc options for both, space-separated), SHARED_SEQUENCES.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bdRate, bitrateKbps, combinePsnr } from '../src/quality/index.js';
import { readManifest } from '../test/conformance/lib.js';
import { median, runCpuTimed } from './cpu-time.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEQ_DIR = process.env.SHARED_SEQUENCES ?? path.resolve(REPO, '../shared/sequences');
const SEQ = process.env.CMP_SEQ ?? 'BasketballPass_416x240_50fps_8bit_101f.yuv';
const FRAMES = Number(process.env.CMP_FRAMES ?? 17);
const CONFIG = process.env.CMP_CONFIG ?? 'ra';
const PRESET = process.env.CMP_PRESET ?? 'medium';
const REPEAT = Number(process.env.CMP_REPEAT ?? 3);
const EXTRA = (process.env.CMP_ARGS ?? '').split(/\s+/).filter(Boolean);
const QPS = [22, 27, 32, 37];

function fail(msg: string): never { console.error(`bench:compare: ${msg}`); process.exit(2); }
const builds = { A: process.env.CMP_A ?? '', B: process.env.CMP_B ?? '' };
for (const [k, v] of Object.entries(builds)) if (!v || !existsSync(v)) fail(`CMP_${k}='${v}': not an nnvvc-enc file (set CMP_A and CMP_B)`);
if (!Number.isInteger(REPEAT) || REPEAT < 1 || REPEAT > 9) fail(`CMP_REPEAT=${process.env.CMP_REPEAT}: expected 1 to 9 runs`);
if (!['ra', 'ai'].includes(CONFIG)) fail(`CMP_CONFIG=${CONFIG}: expected ra or ai`);
let seq;
try { seq = readManifest(SEQ_DIR).find((x) => x.file === SEQ); } catch (e) { fail((e as Error).message); }
if (!seq) fail(`CMP_SEQ=${SEQ}: not in ${SEQ_DIR}/MANIFEST.tsv`);
if (!Number.isInteger(FRAMES) || FRAMES < 1 || FRAMES > seq.frames) fail(`CMP_FRAMES=${process.env.CMP_FRAMES}: expected a whole number of frames from 1 to ${seq.frames} (${SEQ})`);
const { path: src, width, height, fps, bitDepth } = seq;
interface Stats { total_bits: number; frames: { psnr_y: number; psnr_u: number; psnr_v: number }[] }

const tmp = await mkdtemp(path.join(os.tmpdir(), 'nnvvc-cmp-'));
try {
  const cpu: Record<'A' | 'B', number[][]> = { A: QPS.map(() => []), B: QPS.map(() => []) };
  const points: Record<'A' | 'B', { kbps: number; psnr: number }[]> = { A: [], B: [] };
  let sameStreams = true;
  for (const [qi, qp] of QPS.entries()) {
    for (let r = 0; r < REPEAT; ++r) {
      // A first on even runs, B first on odd ones
      for (const k of (r % 2 ? ['B', 'A'] : ['A', 'B']) as ('A' | 'B')[]) {
        const b = path.join(tmp, `${k}${qp}.266`), s = path.join(tmp, `${k}${qp}.json`);
        const out = await runCpuTimed(builds[k], ['-i', src, '-s', `${width}x${height}`, '--fps', String(fps), '--frames', String(FRAMES),
          '--input-bitdepth', String(bitDepth), '--qp', String(qp), '--config', CONFIG, '--preset', PRESET, '-b', b, '-o', '/dev/null',
          '--stats', s, ...EXTRA])
          .catch((e: { stderr?: string }) => fail(`build ${k} (${builds[k]}) at QP ${qp}: ${(e.stderr ?? String(e)).trim().split('\n')[0]}`));
        cpu[k][qi].push(out.cpu);
        if (r === 0) {
          const st = JSON.parse(await readFile(s, 'utf8')) as Stats;
          const n = st.frames.length;
          const avg = (f: (x: Stats['frames'][0]) => number) => st.frames.reduce((a, x) => a + f(x), 0) / n;
          points[k][qi] = { kbps: bitrateKbps(st.total_bits / 8, n, fps), psnr: combinePsnr({ y: avg((x) => x.psnr_y), u: avg((x) => x.psnr_u), v: avg((x) => x.psnr_v) }) };
        }
      }
      if (r === 0) sameStreams &&= (await readFile(path.join(tmp, `A${qp}.266`))).equals(await readFile(path.join(tmp, `B${qp}.266`)));
    }
    console.log(`qp${qp}: A ${points.A[qi].kbps.toFixed(1)} kbps ${points.A[qi].psnr.toFixed(3)} dB, CPU s ${cpu.A[qi].map((x) => x.toFixed(2)).join(' ')}; ` +
      `B ${points.B[qi].kbps.toFixed(1)} kbps ${points.B[qi].psnr.toFixed(3)} dB, CPU s ${cpu.B[qi].map((x) => x.toFixed(2)).join(' ')}`);
  }
  const sum = (k: 'A' | 'B') => cpu[k].reduce((a, runs) => a + median(runs), 0);
  const tA = sum('A'), tB = sum('B');
  console.log(`\n${SEQ} ${FRAMES} frames, ${CONFIG} ${PRESET}${EXTRA.length ? ` ${EXTRA.join(' ')}` : ''}, ${REPEAT} run(s) per encode (A: ${builds.A}, B: ${builds.B}):`);
  console.log('| build | encode CPU s (sum of 4 QPs, median runs) | time vs A | BD-rate vs A | streams |');
  console.log('|---|---|---|---|---|');
  console.log(`| A | ${tA.toFixed(2)} | - | - | - |`);
  console.log(`| B | ${tB.toFixed(2)} | ${((tB / tA - 1) * 100).toFixed(1)} % | ${sameStreams ? '0 (same streams)' : `${bdRate(points.A, points.B).toFixed(3)} %`} | ${sameStreams ? 'equal' : 'differ'} |`);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
