// All-intra codec benchmark: nnvvc-enc (per preset) vs VTM-23.2 on the 1080p shared sequences.
//   npm run bench:codec            (= tsx bench/codec-ai.ts)
// For each sequence, QP 22/27/32/37: encode fps, kbps (whole bitstream file), PSNR Y/U/V and (6Y+U+V)/8 (src/quality,
// VTM's PSNR convention); with VTM_ENCODER_APP set, the same for VTM all-intra (vtm/cfg/encoder_intra_anchor.cfg, or
// $VTM_CFG_DIR/encoder_intra_vtm.cfg), then BD-rate (Y and YUV, pchip) and the encode time ratio ours/VTM.
// VTM results are cached under bench/.cache/ (key: sequence, frames, QP, cfg hash) so reruns only encode ours.
// Env: BENCH_FRAMES (default 1), BENCH_PRESET (comma list; default: the slowest/most exhaustive preset listed by
// `nnvvc-enc --help`), BENCH_QPS, BENCH_SEQUENCES (comma list of name substrings; default all >= 1920x1080),
// BENCH_TIMEOUT_S (per encode, default 3600), BENCH_JOBS (QP points encoded at once, default 1; > 1 needs CPU-time
// timing), BENCH_TIME=wall, NNVVC_ENC, VTM_ENCODER_APP, VTM_CFG_DIR, SHARED_SEQUENCES.
// Times are CPU seconds (user+sys, /usr/bin/time) where /usr/bin/time exists, as in the RA bench (bench/codec-ra.ts):
// both encoders are single-threaded, and CPU time stays comparable when encodes share the machine.
// Results also go to test-output/bench-codec-ai.json.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bdRate, bitrateKbps, combinePsnr, psnrYuvFiles, type RdPoint } from '../src/quality/index.js';
import { mapLimit, runTimed, TIME_BASIS } from './codec-ra.js';
import { describeExit, encoderArgs, encoderHelp, encoderPath, isExecutable, readManifest, repoRoot, type SequenceInfo } from '../test/conformance/lib.js';

interface Point {
  qp: number;
  bytes: number;
  seconds: number;
  fps: number;
  kbps: number;
  psnr: { y: number; u: number; v: number; yuv: number };
}
interface Row { sequence: string; encoder: string; points: Point[]; error?: string }

function fail(msg: string): never {
  console.error(`bench:codec: ${msg}`);
  process.exit(2);
}

function intEnv(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) fail(`${name}=${raw} is invalid: expected an integer in ${min}..${max}`);
  return v;
}

const FRAMES = intEnv('BENCH_FRAMES', 1, 1, 1000);
const TIMEOUT_MS = intEnv('BENCH_TIMEOUT_S', 3600, 10, 86400) * 1000;
const QPS = (process.env.BENCH_QPS ?? '22,27,32,37').split(',').map((s) => {
  const q = Number(s.trim());
  if (!Number.isInteger(q) || q < 0 || q > 63) fail(`BENCH_QPS: '${s}' is not a QP in 0..63`);
  return q;
});
const JOBS = intEnv('BENCH_JOBS', 1, 1, 64);
// (the cache key holds the time basis: wall-clock entries of earlier runs are not mixed with CPU-time ones)
const cacheDir = path.join(repoRoot, 'bench', '.cache', TIME_BASIS === 'cpu' ? 'vtm-ai-cpu' : 'vtm-ai');

async function measure(seq: SequenceInfo, bitstream: string, recon: string, seconds: number, qp: number): Promise<Point> {
  const bytes = statSync(bitstream).size;
  const p = await psnrYuvFiles({ source: seq.path, sourceBitDepth: seq.bitDepth, decoded: recon, width: seq.width, height: seq.height, frames: FRAMES });
  return {
    qp, bytes, seconds, fps: FRAMES / seconds, kbps: bitrateKbps(bytes, FRAMES, seq.fps),
    psnr: { y: p.y, u: p.u, v: p.v, yuv: combinePsnr(p) },
  };
}

/** The row with its points in QP order, or with the first QP's error (a string) and the points before it. */
function withPoints(row: Row, results: (Point | string)[]): Row {
  for (const p of results) {
    if (typeof p === 'string') { row.error = p; return row; }
    row.points.push(p);
  }
  return row;
}

async function runOurs(seq: SequenceInfo, preset: string | undefined, work: string, enc: string): Promise<Row> {
  const row: Row = { sequence: seq.name, encoder: `nnvvc${preset ? ` ${preset}` : ''}`, points: [] };
  const results = await mapLimit(QPS, JOBS, async (qp): Promise<Point | string> => {
    const b = path.join(work, `ours_${preset ?? 'default'}_${qp}.266`), o = path.join(work, `ours_${preset ?? 'default'}_${qp}.yuv`);
    const r = await runTimed(enc, encoderArgs({ seq, frames: FRAMES, qp, bitstream: b, recon: o, preset }), TIMEOUT_MS);
    if (r.code !== 0) return `QP ${qp}: nnvvc-enc ${describeExit(r)}: ${(r.stderr || r.stdout).trim().slice(-300)}`;
    const p = await measure(seq, b, o, r.timed, qp);
    console.error(`  ${row.encoder} ${seq.name} QP ${qp}: ${r.timed.toFixed(1)} s`);
    rmSync(o, { force: true });
    return p;
  });
  return withPoints(row, results);
}

function vtmCfg(): string | undefined {
  const ours = path.join(repoRoot, 'vtm', 'cfg', 'encoder_intra_anchor.cfg');
  if (existsSync(ours)) return ours;
  if (process.env.VTM_CFG_DIR) {
    const std = path.join(process.env.VTM_CFG_DIR, 'encoder_intra_vtm.cfg');
    if (existsSync(std)) return std;
    fail(`VTM_CFG_DIR=${process.env.VTM_CFG_DIR} has no encoder_intra_vtm.cfg`);
  }
  return undefined;
}

async function runVtm(app: string, cfg: string, seq: SequenceInfo, work: string): Promise<Row> {
  const row: Row = { sequence: seq.name, encoder: 'VTM-23.2', points: [] };
  const cfgHash = createHash('sha1').update(readFileSync(cfg)).digest('hex').slice(0, 10);
  mkdirSync(cacheDir, { recursive: true });
  const results = await mapLimit(QPS, JOBS, async (qp): Promise<Point | string> => {
    const cacheFile = path.join(cacheDir, `${seq.name}_f${FRAMES}_qp${qp}_${cfgHash}.json`);
    if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as Point;
    const b = path.join(work, `vtm_${qp}.266`), o = path.join(work, `vtm_${qp}.yuv`);
    // TemporalSubsampleRatio=1: code every frame (the standard intra cfg skips 7 of 8).
    const args = ['-c', cfg, '-i', seq.path, '-b', b, '-o', o, '-wdt', String(seq.width), '-hgt', String(seq.height),
      '-fr', String(seq.fps), '-f', String(FRAMES), `--InputBitDepth=${seq.bitDepth}`, '--InternalBitDepth=10',
      '--OutputBitDepth=10', '--TemporalSubsampleRatio=1', '-q', String(qp)];
    const r = await runTimed(app, args, TIMEOUT_MS);
    if (r.code !== 0) return `QP ${qp}: VTM ${describeExit(r)}: ${(r.stdout + r.stderr).trim().slice(-300)}`;
    const p = await measure(seq, b, o, r.timed, qp);
    writeFileSync(cacheFile, JSON.stringify(p));
    console.error(`  VTM ${seq.name} QP ${qp}: ${r.timed.toFixed(1)} s`);
    rmSync(o, { force: true });
    return p;
  });
  return withPoints(row, results);
}

const f2 = (x: number) => x.toFixed(2);
function bd(anchor: Row, test: Row, key: 'y' | 'yuv'): string {
  if (anchor.error || test.error) return 'n/a';
  const pts = (r: Row): RdPoint[] => r.points.map((p) => ({ kbps: p.kbps, psnr: p.psnr[key] }));
  try {
    return `${bdRate(pts(anchor), pts(test)).toFixed(2)}%`;
  } catch (e) {
    return `n/a (${(e as Error).message.slice(0, 60)})`;
  }
}

function printTables(rows: Row[], comparisons: { sequence: string; encoder: string; bdRateY: string; bdRateYuv: string; timeRatio: string }[]) {
  if (rows.length) {
    console.log('');
    console.log('sequence                              encoder            QP    fps      kbps   PSNR-Y  PSNR-U  PSNR-V  YUV(6:1:1)');
  }
  for (const r of rows) {
    if (r.error) console.log(`${r.sequence.padEnd(38)}${r.encoder.padEnd(19)}ERROR ${r.error}`);
    for (const p of r.points) {
      console.log(`${r.sequence.padEnd(38)}${r.encoder.padEnd(19)}${String(p.qp).padStart(2)} ${p.fps.toFixed(3).padStart(7)} ${p.kbps.toFixed(1).padStart(10)} ${f2(p.psnr.y).padStart(7)} ${f2(p.psnr.u).padStart(7)} ${f2(p.psnr.v).padStart(7)} ${f2(p.psnr.yuv).padStart(8)}`);
    }
  }
  if (comparisons.length) {
    console.log('');
    console.log('sequence                              encoder            BD-rate Y   BD-rate YUV  enc time vs VTM');
    for (const c of comparisons) console.log(`${c.sequence.padEnd(38)}${c.encoder.padEnd(19)}${c.bdRateY.padStart(9)}   ${c.bdRateYuv.padStart(11)}  ${c.timeRatio.padStart(8)}`);
  }
}

async function main() {
  const enc = encoderPath();
  if (!isExecutable(enc)) fail(`nnvvc-enc not found at ${enc}: build the codec or set NNVVC_ENC`);
  const help = await encoderHelp(enc);
  const presets: (string | undefined)[] = process.env.BENCH_PRESET
    ? process.env.BENCH_PRESET.split(',').map((s) => s.trim()).filter(Boolean)
    : [help.slowest];
  const filter = process.env.BENCH_SEQUENCES?.split(',').map((s) => s.trim()).filter(Boolean);
  const seqs = readManifest().filter((s) => (filter?.length ? filter.some((f) => s.name.includes(f)) : s.width * s.height >= 1920 * 1080));
  if (!seqs.length) fail('no sequences selected');
  const vtmApp = process.env.VTM_ENCODER_APP;
  const cfg = vtmApp ? vtmCfg() : undefined;
  if (vtmApp && !isExecutable(vtmApp)) fail(`VTM_ENCODER_APP=${vtmApp} is not an executable file`);
  if (vtmApp && !cfg) fail('no VTM intra cfg: vtm/cfg/encoder_intra_anchor.cfg is missing and VTM_CFG_DIR is not set');

  if (JOBS > 1 && TIME_BASIS !== 'cpu') fail('BENCH_JOBS > 1 needs CPU-time timing (/usr/bin/time, BENCH_TIME unset): wall-clock times of concurrent encodes are not comparable');
  console.log(`bench:codec — all-intra, ${FRAMES} frame(s), QP ${QPS.join('/')}, machine ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}); times are ${TIME_BASIS === 'cpu' ? 'CPU seconds (user+sys, /usr/bin/time)' : 'wall-clock seconds'}, ${JOBS} encode(s) at once`);
  console.log(`  nnvvc preset(s): ${presets.map((p) => p ?? '(encoder default)').join(', ')}${process.env.BENCH_PRESET ? ' (BENCH_PRESET)' : ' (most exhaustive listed by --help)'}`);
  if (!process.env.BENCH_PRESET) {
    console.log('  note: the most exhaustive preset takes minutes per 1080p frame per QP on 2 cores; BENCH_PRESET=faster (or medium) for a quick run');
  }
  if (!vtmApp) console.log('  *** SKIPPED: VTM anchor — VTM_ENCODER_APP not set (no BD-rate / time ratio) ***');
  else console.log(`  VTM anchor: ${vtmApp} -c ${path.relative(repoRoot, cfg!)} (cache ${path.relative(repoRoot, cacheDir)})`);

  const rows: Row[] = [];
  const comparisons: { sequence: string; encoder: string; bdRateY: string; bdRateYuv: string; timeRatio: string }[] = [];
  const writeJson = () => {
    mkdirSync(path.join(repoRoot, 'test-output'), { recursive: true });
    writeFileSync(path.join(repoRoot, 'test-output', 'bench-codec-ai.json'), JSON.stringify({
      generatedAt: new Date().toISOString(), frames: FRAMES, qps: QPS, presets, vtm: vtmApp ?? null, cfg: cfg ?? null, rows, comparisons,
    }, null, 2));
  };
  for (const seq of seqs) {
    const work = mkdtempSync(path.join(os.tmpdir(), 'nnvvc-bench-'));
    const seqRows: Row[] = [];
    const seqComparisons: typeof comparisons = [];
    try {
      const vtm = vtmApp ? await runVtm(vtmApp, cfg!, seq, work) : undefined;
      if (vtm) seqRows.push(vtm);
      for (const preset of presets) {
        const ours = await runOurs(seq, preset, work, enc);
        seqRows.push(ours);
        if (vtm) {
          const sum = (r: Row) => r.points.reduce((s, p) => s + p.seconds, 0);
          seqComparisons.push({
            sequence: seq.name, encoder: ours.encoder, bdRateY: bd(vtm, ours, 'y'), bdRateYuv: bd(vtm, ours, 'yuv'),
            timeRatio: ours.error || vtm.error ? 'n/a' : `${(100 * sum(ours) / sum(vtm)).toFixed(1)}%`,
          });
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    // Print each sequence as soon as it is done: a long run that is stopped early still leaves figures.
    rows.push(...seqRows);
    comparisons.push(...seqComparisons);
    printTables(seqRows, seqComparisons);
    writeJson();
  }
  writeJson();
  if (seqs.length > 1 && comparisons.length) printTables([], comparisons); // all sequences' BD-rates together
  if (rows.some((r) => r.error)) process.exit(1);
}

main().catch((e) => fail((e as Error).stack ?? String(e)));
