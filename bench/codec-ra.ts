// Random-access codec benchmark: nnvvc-enc --config ra (per preset) against VTM-23.2's random-access anchor.
//   npm run bench:codec -- --config ra [--sequence BasketballPass,BQTerrace] [--frames N] [--presets medium,fast]
//                                      [--qps 22,27,32,37] [--intra-period N] [--reuse-vtm]
// Per sequence: VTM-23.2 EncoderApp (VTM_ENCODER_APP) with vtm/cfg/encoder_randomaccess_anchor.cfg (VTM-23.2's RA
// configuration, GOP 32), then per preset nnvvc-enc --config ra (GOP 32), both on the same first frames with the same
// intra period (--intra-period, a multiple of 32, else the multiple of 32 nearest to one second at the sequence's fps,
// the default of both encoders), at the same QPs, one
// after the other in this run (single-threaded encoders; wall-clock times). Per point and overall: kbps (whole
// bitstream file), PSNR (6Y+U+V)/8 of the reconstruction (output order) against the source, encode seconds T1 (ours)
// and T2 (VTM), T1/T2, our encode fps; per sequence and preset the BD-rate (PCHIP, PSNR YUV 6:1:1) against VTM.
// Default frames: 33 for BasketballPass, else 17 (all frames when a sequence has fewer), as issue 9 asks.
// Without VTM_ENCODER_APP it says so loudly and prints our figures alone; it stops (loudly, exit 0) when nnvvc-enc
// does not list "ra" under --list-configs. VTM results are saved in bench/.cache/vtm-ra/ and reused only with
// --reuse-vtm (then T2 was not measured in this run, and the table says so).
// Env: NNVVC_ENC, VTM_ENCODER_APP, SHARED_SEQUENCES, BENCH_TIMEOUT_S (per encode, default 7200).
// Results also go to test-output/bench-codec-ra.json.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bdRate, bitrateKbps, combinePsnr, psnrYuvFiles } from '../src/quality/index.js';
import { defaultIntraPeriod, RA_GOP_SIZE } from '../src/quality/anchors.js';
import { describeExit, encoderArgs, encoderPath, isExecutable, type ProcResult, readManifest, repoRoot, runProcess, type SequenceInfo } from '../test/conformance/lib.js';

export class UsageError extends Error {}

export interface RaBenchOptions {
  /** Name substrings of the shared sequences to run. */
  sequences: string[];
  /** Frames per sequence; undefined = 33 for BasketballPass, else 17 (capped at the sequence's length). */
  frames?: number;
  presets: string[];
  qps: number[];
  /** undefined = defaultIntraPeriod(fps) per sequence. */
  intraPeriod?: number;
  reuseVtm: boolean;
  /** Encodes run at once (each encoder single-threaded; with CPU-time timing concurrent runs do not bias T1/T2). */
  jobs: number;
  help: boolean;
}

export const RA_BENCH_USAGE = `usage: npm run bench:codec -- --config ra [options]
  --sequence A,B       shared sequences whose names contain A or B (default BasketballPass,BQTerrace)
  --frames N           frames per sequence (default 33 for BasketballPass, else 17; fewer if the file has fewer)
  --presets P,Q        nnvvc-enc presets (default medium, the encoder's default)
  --qps 22,27,32,37    QPs (default 22,27,32,37)
  --intra-period N     intra period for both encoders, a multiple of the GOP size 32 (default: nearest to 1 s at the fps)
  --reuse-vtm          reuse VTM results saved by an earlier run instead of encoding again (T2 not from this run)
  --jobs N             run N encodes (QP points) at once, default 1; needs CPU-time timing (/usr/bin/time)`;

function intList(flag: string, text: string | undefined, min: number, max: number): number[] {
  if (text === undefined || text === '') throw new UsageError(`${flag} needs a value`);
  const values = text.split(',').map((s) => s.trim());
  return values.map((s) => {
    const v = Number(s);
    if (s === '' || !Number.isInteger(v) || v < min || v > max) throw new UsageError(`${flag}: '${s}' is not an integer in ${min}..${max}`);
    return v;
  });
}

function nameList(flag: string, text: string | undefined): string[] {
  const names = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new UsageError(`${flag} needs a value`);
  for (const n of names) if (!/^[A-Za-z0-9_.-]+$/.test(n)) throw new UsageError(`${flag}: '${n}' has characters other than letters, digits, . _ -`);
  return names;
}

/** Parses the options after `--config ra` (a leading `--config ra` is accepted too). Throws UsageError. */
export function parseRaArgs(argv: string[]): RaBenchOptions {
  const o: RaBenchOptions = { sequences: ['BasketballPass', 'BQTerrace'], presets: ['medium'], qps: [22, 27, 32, 37], reuseVtm: false, jobs: 1, help: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) { value = arg.slice(eq + 1); arg = arg.slice(0, eq); }
    const next = () => value ?? argv[++i];
    switch (arg) {
      case '--config': {
        const c = next();
        if (c !== 'ra') throw new UsageError(`--config ${c ?? ''}: this is the random-access bench (--config ra)`);
        break;
      }
      case '--sequence': case '--sequences': o.sequences = nameList(arg, next()); break;
      case '--frames': [o.frames] = intList(arg, next(), 1, 10000); break;
      case '--presets': case '--preset': o.presets = nameList(arg, next()); break;
      case '--qps': {
        o.qps = intList(arg, next(), 0, 63);
        if (new Set(o.qps).size !== o.qps.length) throw new UsageError('--qps: each QP once');
        if (o.qps.length < 4) throw new UsageError(`--qps: BD-rate needs 4 QPs, got ${o.qps.length}`);
        break;
      }
      case '--intra-period': {
        [o.intraPeriod] = intList(arg, next(), 32, 1024);
        if (o.intraPeriod % RA_GOP_SIZE !== 0) throw new UsageError(`--intra-period ${o.intraPeriod}: must be a multiple of the GOP size ${RA_GOP_SIZE}`);
        break;
      }
      case '--reuse-vtm': o.reuseVtm = true; break;
      case '--jobs': [o.jobs] = intList(arg, next(), 1, 64); break;
      case '-h': case '--help': o.help = true; break;
      default: throw new UsageError(`unknown option '${argv[i]}'`);
    }
  }
  return o;
}

/** Frames a sequence is run with: --frames, else 33 for BasketballPass and 17 for the others, never more than it has. */
export function framesFor(seq: Pick<SequenceInfo, 'name' | 'frames'>, frames?: number): number {
  return Math.min(seq.frames, frames ?? (/BasketballPass/i.test(seq.name) ? 33 : 17));
}

export function intraPeriodFor(seq: Pick<SequenceInfo, 'fps'>, intraPeriod?: number): number {
  return intraPeriod ?? defaultIntraPeriod(seq.fps);
}

export const VTM_RA_CFG = path.join(repoRoot, 'vtm', 'cfg', 'encoder_randomaccess_anchor.cfg');
export const VTM_AI_CFG = path.join(repoRoot, 'vtm', 'cfg', 'encoder_intra_anchor.cfg');

/** VTM EncoderApp arguments: our RA anchor cfg plus the per-run values (one thread: VTM's encoder is single-threaded). */
export function vtmRaArgs(o: { cfg: string; seq: SequenceInfo; frames: number; qp: number; intraPeriod: number; bitstream: string; recon: string }): string[] {
  return ['-c', o.cfg, '-i', o.seq.path, '-b', o.bitstream, '-o', o.recon, '-wdt', String(o.seq.width), '-hgt', String(o.seq.height),
    '-fr', String(o.seq.fps), '-f', String(o.frames), `--InputBitDepth=${o.seq.bitDepth}`, '--InternalBitDepth=10', '--OutputBitDepth=10',
    '--InputChromaFormat=420', `--IntraPeriod=${o.intraPeriod}`, '-q', String(o.qp)];
}

export interface RaPoint { qp: number; bytes: number; kbps: number; psnr: { y: number; u: number; v: number; yuv: number }; seconds: number; cached?: boolean }
export interface RaRun { encoder: string; points: RaPoint[]; error?: string }

export interface RaComparison {
  sequence: string; preset: string; frames: number; intraPeriod: number;
  points: { qp: number; ours: RaPoint; vtm?: RaPoint; timeRatio?: number }[];
  /** BD-rate in %, or the reason it could not be computed. */
  bdRateYuv: number | string;
  t1: number; t2?: number; timeRatio?: number;
  /** Our encode speed over all points: frames per second of wall-clock time. */
  fps: number;
  /** T2 came (partly) from an earlier run's saved VTM results. */
  vtmCached: boolean;
  error?: string;
}

/** Per point and overall T1/T2, our fps, BD-rate (PSNR YUV 6:1:1, PCHIP) of ours against VTM. */
export function compareRa(sequence: string, preset: string, frames: number, intraPeriod: number, ours: RaRun, vtm?: RaRun): RaComparison {
  const byQp = new Map((vtm?.points ?? []).map((p) => [p.qp, p]));
  const points = ours.points.map((p) => {
    const v = byQp.get(p.qp);
    return { qp: p.qp, ours: p, vtm: v, ...(v && v.seconds > 0 ? { timeRatio: p.seconds / v.seconds } : {}) };
  });
  const t1 = ours.points.reduce((s, p) => s + p.seconds, 0);
  const paired = points.filter((p) => p.vtm);
  const t2 = vtm && paired.length === points.length && points.length ? paired.reduce((s, p) => s + p.vtm!.seconds, 0) : undefined;
  let bdRateYuv: number | string;
  if (!vtm) bdRateYuv = 'no VTM anchor';
  else if (ours.error || vtm.error) bdRateYuv = 'encode failed';
  else if (paired.length < 4) bdRateYuv = `${paired.length} common QPs (need 4)`;
  else {
    try {
      bdRateYuv = bdRate(paired.map((p) => ({ kbps: p.vtm!.kbps, psnr: p.vtm!.psnr.yuv })), paired.map((p) => ({ kbps: p.ours.kbps, psnr: p.ours.psnr.yuv })));
    } catch (e) {
      bdRateYuv = (e as Error).message;
    }
  }
  return {
    sequence, preset, frames, intraPeriod, points, bdRateYuv, t1,
    ...(t2 !== undefined ? { t2, timeRatio: t1 / t2 } : {}),
    fps: t1 > 0 ? (frames * ours.points.length) / t1 : 0,
    vtmCached: paired.some((p) => p.vtm!.cached),
    ...(ours.error || vtm?.error ? { error: [ours.error, vtm?.error].filter(Boolean).join('; ') } : {}),
  };
}

const num = (x: number | undefined, d: number, w: number) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d)).padStart(w);
const bdText = (b: number | string) => (typeof b === 'number' ? `${b >= 0 ? '+' : ''}${b.toFixed(2)}%` : `n/a (${b})`);

/** The per-point table of one comparison, then its overall line. */
export function formatComparison(c: RaComparison): string {
  const head = `${c.sequence}, ${c.frames} frames, intra period ${c.intraPeriod}, nnvvc-enc --preset ${c.preset} vs VTM-23.2 RA${c.vtmCached ? ' (VTM from saved results: T2 not measured in this run)' : ''}`;
  const cols = '  QP   ours kbps  ours YUV dB    VTM kbps   VTM YUV dB     T1 s      T2 s   T1/T2  ours fps';
  const rows = c.points.map((p) => `  ${String(p.qp).padStart(2)} ${num(p.ours.kbps, 2, 11)} ${num(p.ours.psnr.yuv, 4, 12)} ${num(p.vtm?.kbps, 2, 11)} ${num(p.vtm?.psnr.yuv, 4, 12)}`
    + ` ${num(p.ours.seconds, 2, 8)} ${num(p.vtm?.seconds, 2, 9)} ${num(p.timeRatio, 4, 7)} ${num(p.ours.seconds > 0 ? c.frames / p.ours.seconds : undefined, 3, 9)}`);
  const all = `  all ${''.padStart(10)} ${''.padStart(12)} ${''.padStart(11)} ${''.padStart(12)} ${num(c.t1, 2, 8)} ${num(c.t2, 2, 9)} ${num(c.timeRatio, 4, 7)} ${num(c.fps, 3, 9)}`;
  return [head, cols, ...rows, all, `  BD-rate (PSNR YUV (6Y+U+V)/8, PCHIP) vs VTM-23.2: ${bdText(c.bdRateYuv)}${c.error ? `; ERROR ${c.error}` : ''}`].join('\n');
}

/** One line per sequence and preset: BD-rate, T1/T2 overall, our fps. */
export function formatSummary(cs: RaComparison[]): string {
  const lines = ['sequence                                 preset      frames  IP   BD-rate YUV     T1/T2   ours fps'];
  for (const c of cs) {
    lines.push(`${c.sequence.padEnd(41)}${c.preset.padEnd(12)}${String(c.frames).padStart(6)} ${String(c.intraPeriod).padStart(3)} ${bdText(c.bdRateYuv).padStart(13)} ${num(c.timeRatio, 4, 9)} ${num(c.fps, 3, 10)}`);
  }
  return lines.join('\n');
}

/**
 * Runs an encoder and times it. With /usr/bin/time present the time is the process's CPU time (user + system):
 * on a shared machine that is far steadier than wall-clock, and both encoders are single-threaded, so T1/T2 on
 * CPU time compares like with like. Without it (or with BENCH_TIME=wall) wall-clock seconds are used.
 */
export const TIME_BASIS: 'cpu' | 'wall' = process.env.BENCH_TIME === 'wall' || !isExecutable('/usr/bin/time') ? 'wall' : 'cpu';
export async function runTimed(cmd: string, args: string[], timeoutMs: number): Promise<ProcResult & { timed: number }> {
  if (TIME_BASIS === 'wall') { const r = await runProcess(cmd, args, { timeoutMs }); return { ...r, timed: r.seconds }; }
  const tf = path.join(mkdtempSync(path.join(os.tmpdir(), 'nnvvc-time-')), 't');
  const r = await runProcess('/usr/bin/time', ['-f', '%U %S', '-o', tf, cmd, ...args], { timeoutMs });
  const [u, sy] = existsSync(tf) ? readFileSync(tf, 'utf8').trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN];
  rmSync(path.dirname(tf), { recursive: true, force: true });
  return { ...r, timed: Number.isFinite(u + sy) ? u + sy : r.seconds };
}

async function measure(seq: SequenceInfo, frames: number, bitstream: string, recon: string, seconds: number, qp: number): Promise<RaPoint> {
  const bytes = statSync(bitstream).size;
  const p = await psnrYuvFiles({ source: seq.path, sourceBitDepth: seq.bitDepth, decoded: recon, width: seq.width, height: seq.height, frames });
  return { qp, bytes, kbps: bitrateKbps(bytes, frames, seq.fps), psnr: { y: p.y, u: p.u, v: p.v, yuv: combinePsnr(p) }, seconds };
}

/** fn over items, at most `limit` at once; results in item order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => { for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]); };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * VTM-23.2's anchor for one sequence, random access by default: encoded with our anchor cfg (QPs at most `jobs` at once), each point saved
 * in bench/.cache/vtm-ra/ (keyed by sequence, frames, intra period, QP and the cfg's hash); with `reuse`, saved points
 * are taken instead of encoding (marked `cached`: their T2 was not measured in this run). bench:cnn shares it.
 * `config: 'ai'`: VTM's all-intra anchor instead (our intra anchor cfg, every frame coded), cached in
 * bench/.cache/vtm-ai-anchor/.
 */
export async function vtmAnchor(a: { app: string; seq: SequenceInfo; frames: number; intraPeriod: number; qps: number[]; jobs: number; reuse: boolean; work: string; timeoutMs: number; config?: 'ai' | 'ra' }): Promise<RaRun> {
  const vtm: RaRun = { encoder: 'VTM-23.2', points: [] };
  const cpu = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`;
  const ai = a.config === 'ai';
  const cfg = ai ? VTM_AI_CFG : VTM_RA_CFG;
  const cfgHash = createHash('sha1').update(readFileSync(cfg)).digest('hex').slice(0, 10);
  const cacheDir = path.join(repoRoot, 'bench', '.cache', ai ? 'vtm-ai-anchor' : 'vtm-ra');
  mkdirSync(cacheDir, { recursive: true });
  const { seq, frames, intraPeriod } = a;
  const vtmPoints = await mapLimit(a.qps, a.jobs, async (qp): Promise<RaPoint | string> => {
    const cacheFile = path.join(cacheDir, `${seq.name}_f${frames}${ai ? '' : `_ip${intraPeriod}`}_qp${qp}_${cfgHash}.json`);
    if (a.reuse && existsSync(cacheFile)) return { ...(JSON.parse(readFileSync(cacheFile, 'utf8')) as RaPoint), cached: true };
    const b = path.join(a.work, `vtm_${qp}.266`), rec = path.join(a.work, `vtm_${qp}.yuv`);
    const args = vtmRaArgs({ cfg, seq, frames, qp, intraPeriod, bitstream: b, recon: rec });
    // all-intra: no intra period; TemporalSubsampleRatio=1 codes every frame (the standard intra cfg skips 7 of 8)
    if (ai) args.splice(args.findIndex((x) => x.startsWith('--IntraPeriod=')), 1, '--TemporalSubsampleRatio=1');
    const r = await runTimed(a.app, args, a.timeoutMs);
    if (r.code !== 0) return `VTM QP ${qp}: ${describeExit(r)}: ${(r.stdout + r.stderr).trim().slice(-300)}`;
    const p = await measure(seq, frames, b, rec, r.timed, qp);
    writeFileSync(cacheFile, JSON.stringify({ ...p, machine: cpu, measuredAt: new Date().toISOString() }));
    console.error(`  VTM ${seq.name} QP ${qp}: ${r.timed.toFixed(1)} s ${TIME_BASIS}`);
    rmSync(rec, { force: true });
    return p;
  });
  const vtmError = vtmPoints.find((p): p is string => typeof p === 'string');
  if (vtmError) vtm.error = vtmError;
  else vtm.points.push(...(vtmPoints as RaPoint[]));
  return vtm;
}

/** Whether an nnvvc-enc binary supports random access (`--list-configs` lists "ra"). */
export async function supportsRa(enc: string): Promise<{ ok: boolean; listed: string }> {
  const r = await runProcess(enc, ['--list-configs'], { timeoutMs: 20_000 });
  const listed = r.code === 0 ? r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).join(', ') : `no --list-configs (${describeExit(r)}): all intra only`;
  return { ok: r.code === 0 && r.stdout.split('\n').some((l) => l.trim() === 'ra'), listed };
}

export async function main(argv: string[]): Promise<number> {
  let o: RaBenchOptions;
  try {
    o = parseRaArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench:codec --config ra: ${e.message}\n${RA_BENCH_USAGE}`);
    return 2;
  }
  if (o.help) { console.log(RA_BENCH_USAGE); return 0; }
  if (o.jobs > 1 && TIME_BASIS !== 'cpu') { console.error('bench:codec: --jobs > 1 needs CPU-time timing (/usr/bin/time, BENCH_TIME unset): wall-clock times of concurrent encodes are not comparable'); return 2; }
  const timeoutMs = Number(process.env.BENCH_TIMEOUT_S ?? 7200) * 1000;
  const enc = encoderPath();
  if (!isExecutable(enc)) { console.error(`bench:codec: nnvvc-enc not found at ${enc}: build the codec or set NNVVC_ENC`); return 2; }
  const ra = await supportsRa(enc);
  if (!ra.ok) {
    console.log(`*** SKIPPED: ${enc} does not encode random access yet (--list-configs: ${ra.listed}); nothing to compare ***`);
    return 0;
  }
  const seqs = readManifest().filter((s) => o.sequences.some((f) => s.name.includes(f)));
  const missing = o.sequences.filter((f) => !seqs.some((s) => s.name.includes(f)));
  if (missing.length) { console.error(`bench:codec: no shared sequence matches ${missing.join(', ')}`); return 2; }
  const vtmApp = process.env.VTM_ENCODER_APP;
  if (vtmApp && !isExecutable(vtmApp)) { console.error(`bench:codec: VTM_ENCODER_APP=${vtmApp} is not an executable file`); return 2; }
  if (vtmApp && !existsSync(VTM_RA_CFG)) { console.error(`bench:codec: ${VTM_RA_CFG} is missing`); return 2; }
  const cpu = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`;
  console.log(`bench:codec — random access, QP ${o.qps.join('/')}, presets ${o.presets.join(', ')}, machine ${cpu}; times (T1, T2, fps) are ${TIME_BASIS === 'cpu' ? 'CPU seconds (user+sys, /usr/bin/time)' : 'wall-clock seconds'}`);
  if (!vtmApp) console.log('  *** SKIPPED: VTM-23.2 anchor — VTM_ENCODER_APP not set: no BD-rate, no T1/T2 (our figures only) ***');
  else console.log(`  VTM anchor: ${vtmApp} -c ${path.relative(repoRoot, VTM_RA_CFG)}${o.reuseVtm ? ' (saved results reused where present)' : ''}`);

  const comparisons: RaComparison[] = [];
  let failed = false;
  for (const seq of seqs) {
    const frames = framesFor(seq, o.frames);
    const intraPeriod = intraPeriodFor(seq, o.intraPeriod);
    const work = mkdtempSync(path.join(os.tmpdir(), 'nnvvc-bench-ra-'));
    try {
      const vtm = vtmApp ? await vtmAnchor({ app: vtmApp, seq, frames, intraPeriod, qps: o.qps, jobs: o.jobs, reuse: o.reuseVtm, work, timeoutMs }) : undefined;
      for (const preset of o.presets) {
        const ours: RaRun = { encoder: `nnvvc-enc ${preset}`, points: [] };
        const ourPoints = await mapLimit(o.qps, o.jobs, async (qp): Promise<RaPoint | string> => {
          const b = path.join(work, `ours_${preset}_${qp}.266`), rec = path.join(work, `ours_${preset}_${qp}.yuv`);
          const r = await runTimed(encoderPath(), encoderArgs({ seq, frames, qp, bitstream: b, recon: rec, preset, config: 'ra', intraPeriod }), timeoutMs);
          if (r.code !== 0) return `nnvvc-enc QP ${qp}: ${describeExit(r)}: ${(r.stderr || r.stdout).trim().slice(-300)}`;
          const p = await measure(seq, frames, b, rec, r.timed, qp);
          console.error(`  nnvvc-enc ${preset} ${seq.name} QP ${qp}: ${r.timed.toFixed(1)} s ${TIME_BASIS}`);
          rmSync(rec, { force: true });
          return p;
        });
        const ourError = ourPoints.find((p): p is string => typeof p === 'string');
        if (ourError) ours.error = ourError;
        else ours.points.push(...(ourPoints as RaPoint[]));
        const c = compareRa(seq.name, preset, frames, intraPeriod, ours, vtm);
        failed ||= Boolean(c.error);
        comparisons.push(c);
        console.log(`\n${formatComparison(c)}`); // each as soon as it is done: a stopped run still leaves figures
        mkdirSync(path.join(repoRoot, 'test-output'), { recursive: true });
        writeFileSync(path.join(repoRoot, 'test-output', 'bench-codec-ra.json'),
          JSON.stringify({ generatedAt: new Date().toISOString(), machine: cpu, options: o, vtm: vtmApp ?? null, comparisons }, null, 2));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  console.log(`\n${formatSummary(comparisons)}`);
  return failed ? 1 : 0;
}
