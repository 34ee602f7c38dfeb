// bench/codec-ra.ts (npm run bench:codec -- --config ra): option parsing, frames and intra period per sequence,
// the VTM arguments, the comparison figures (T1/T2 per point and overall, fps, BD-rate) and the printed tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareRa, formatComparison, formatSummary, framesFor, intraPeriodFor, mapLimit, parseRaArgs, runTimed, TIME_BASIS, UsageError, vtmRaArgs,
  type RaPoint, type RaRun,
} from '../../bench/codec-ra.js';
import type { SequenceInfo } from '../conformance/lib.js';

test('options: defaults, each option, both --x v and --x=v forms', () => {
  assert.deepEqual(parseRaArgs(['--config', 'ra']), {
    sequences: ['BasketballPass', 'BQTerrace'], presets: ['medium'], qps: [22, 27, 32, 37], reuseVtm: false, jobs: 1, help: false,
  });
  const o = parseRaArgs(['--config=ra', '--sequence', 'BQTerrace', '--frames=9', '--presets', 'fast,faster', '--qps', '20,25,30,35,40', '--intra-period', '64', '--reuse-vtm', '--jobs=2']);
  assert.deepEqual(o, { sequences: ['BQTerrace'], frames: 9, presets: ['fast', 'faster'], qps: [20, 25, 30, 35, 40], intraPeriod: 64, reuseVtm: true, jobs: 2, help: false });
  assert.equal(parseRaArgs(['--help']).help, true);
});

test('options: bad values are usage errors that name the option', () => {
  const cases: [string[], RegExp][] = [
    [['--config', 'ai'], /random-access bench/],
    [['--frames', '0'], /--frames: '0' is not an integer in 1\.\.10000/],
    [['--frames'], /--frames needs a value/],
    [['--qps', '22,27,32'], /BD-rate needs 4 QPs/],
    [['--qps', '22,22,27,32'], /each QP once/],
    [['--qps', '22,27,32,64'], /'64' is not an integer in 0\.\.63/],
    [['--intra-period', '48'], /multiple of the GOP size 32/],
    [['--intra-period', '16'], /'16' is not an integer in 32\.\.1024/],
    [['--presets', 'a;b'], /characters other than/],
    [['--sequence', ''], /--sequence needs a value/],
    [['--threads', '4'], /unknown option '--threads'/],
    [['--jobs', '0'], /--jobs: '0' is not an integer in 1\.\.64/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseRaArgs(argv), (e: Error) => e instanceof UsageError && re.test(e.message), argv.join(' '));
});

test('frames: 33 for BasketballPass, 17 otherwise, --frames overrides, never past the end; intra period from fps', () => {
  assert.equal(framesFor({ name: 'BasketballPass_416x240_50fps_8bit_101f', frames: 101 }), 33);
  assert.equal(framesFor({ name: 'BQTerrace_1920x1080_60fps_8bit_17f', frames: 17 }), 17);
  assert.equal(framesFor({ name: 'Cactus_1920x1080_50fps_8bit_9f', frames: 9 }), 9);
  assert.equal(framesFor({ name: 'BQTerrace_1920x1080_60fps_8bit_17f', frames: 17 }, 5), 5);
  assert.equal(framesFor({ name: 'BQTerrace_1920x1080_60fps_8bit_17f', frames: 17 }, 40), 17);
  assert.deepEqual([30, 50, 60].map((fps) => intraPeriodFor({ fps })), [32, 64, 64]);
  assert.equal(intraPeriodFor({ fps: 60 }, 32), 32);
});

test('VTM arguments: our RA anchor cfg, the same frames, intra period and QP', () => {
  const seq: SequenceInfo = { file: 's.yuv', path: '/seq/s.yuv', width: 416, height: 240, fps: 50, bitDepth: 8, frames: 101, name: 's' };
  const a = vtmRaArgs({ cfg: '/cfg/ra.cfg', seq, frames: 33, qp: 27, intraPeriod: 48, bitstream: '/w/b.266', recon: '/w/r.yuv' });
  assert.deepEqual(a.slice(0, 2), ['-c', '/cfg/ra.cfg']);
  for (const [k, v] of [['-f', '33'], ['-q', '27'], ['-wdt', '416'], ['-hgt', '240'], ['-fr', '50'], ['-i', '/seq/s.yuv']]) assert.equal(a[a.indexOf(k) + 1], v, k);
  assert.ok(a.includes('--IntraPeriod=48') && a.includes('--InputBitDepth=8') && a.includes('--InternalBitDepth=10'));
});

const pt = (qp: number, kbps: number, yuv: number, seconds: number, cached?: boolean): RaPoint =>
  ({ qp, bytes: Math.round(kbps * 100), kbps, psnr: { y: yuv, u: yuv + 2, v: yuv + 2, yuv }, seconds, ...(cached ? { cached } : {}) });
const vtm: RaRun = { encoder: 'VTM-23.2', points: [pt(22, 1000, 40, 100), pt(27, 500, 37, 80), pt(32, 250, 34, 60), pt(37, 125, 31, 40)] };
// ours: 10 % more bits at every quality, 1/20 of the time
const ours: RaRun = { encoder: 'nnvvc-enc medium', points: vtm.points.map((p) => pt(p.qp, p.kbps * 1.1, p.psnr.yuv, p.seconds / 20)) };

test('comparison: T1/T2 per point and overall, fps over all points, BD-rate of a 10 % rate offset is +10 %', () => {
  const c = compareRa('seq', 'medium', 17, 32, ours, vtm);
  assert.deepEqual(c.points.map((p) => p.timeRatio), [0.05, 0.05, 0.05, 0.05]);
  assert.equal(c.t1, 14);
  assert.equal(c.t2, 280);
  assert.equal(c.timeRatio, 0.05);
  assert.equal(c.fps, (17 * 4) / 14);
  assert.ok(typeof c.bdRateYuv === 'number' && Math.abs(c.bdRateYuv - 10) < 1e-9, String(c.bdRateYuv));
  assert.equal(c.vtmCached, false);
  // no VTM: our figures only; a failed encode or missing points: BD-rate says why
  const alone = compareRa('seq', 'medium', 17, 32, ours);
  assert.deepEqual([alone.bdRateYuv, alone.t2, alone.timeRatio], ['no VTM anchor', undefined, undefined]);
  const short = compareRa('seq', 'medium', 17, 32, { ...ours, points: ours.points.slice(0, 3), error: 'nnvvc-enc QP 37: exit code 1' }, vtm);
  assert.equal(short.bdRateYuv, 'encode failed');
  assert.match(short.error!, /QP 37/);
  const cached = compareRa('seq', 'medium', 17, 32, ours, { ...vtm, points: vtm.points.map((p) => ({ ...p, cached: true })) });
  assert.equal(cached.vtmCached, true);
});

test('tables: one row per QP plus the overall row, BD-rate line, summary line per sequence and preset', () => {
  const c = compareRa('BQTerrace_1920x1080_60fps_8bit_17f', 'medium', 17, 64, ours, vtm);
  const text = formatComparison(c);
  const lines = text.split('\n');
  assert.match(lines[0], /^BQTerrace_1920x1080_60fps_8bit_17f, 17 frames, intra period 64, nnvvc-enc --preset medium vs VTM-23.2 RA$/);
  assert.match(lines[1], /QP +ours kbps +ours YUV dB +VTM kbps +VTM YUV dB +T1 s +T2 s +T1\/T2 +ours fps/);
  assert.deepEqual(lines[2].trim().split(/\s+/), ['22', '1100.00', '40.0000', '1000.00', '40.0000', '5.00', '100.00', '0.0500', '3.400']);
  assert.deepEqual(lines[6].trim().split(/\s+/), ['all', '14.00', '280.00', '0.0500', '4.857']);
  assert.match(lines[7], /BD-rate \(PSNR YUV \(6Y\+U\+V\)\/8, PCHIP\) vs VTM-23\.2: \+10\.00%$/);
  const sum = formatSummary([c, compareRa('BasketballPass_416x240_50fps_8bit_101f', 'fast', 33, 48, ours)]).split('\n');
  assert.equal(sum.length, 3);
  assert.deepEqual(sum[1].split(/\s+/), ['BQTerrace_1920x1080_60fps_8bit_17f', 'medium', '17', '64', '+10.00%', '0.0500', '4.857']);
  assert.match(sum[2], /^BasketballPass_416x240_50fps_8bit_101f +fast +33 +48 +n\/a \(no VTM anchor\) +- +\d+\.\d{3}$/);
  assert.match(formatComparison(compareRa('s', 'medium', 17, 32, ours, { ...vtm, points: vtm.points.map((p) => ({ ...p, cached: true })) })), /T2 not measured in this run/);
});

test('mapLimit: results in item order, never more than the limit at once (the AI and RA benches run encodes with it)', async () => {
  let running = 0, peak = 0;
  const out = await mapLimit([30, 5, 20, 1, 10], 2, async (ms) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    return ms * 2;
  });
  assert.deepEqual(out, [60, 10, 40, 2, 20]);
  assert.equal(peak, 2);
});

test('runTimed: a busy child is timed by its own CPU seconds (TIME_BASIS cpu) or wall-clock, and its exit code kept', async () => {
  const busy = "const t = Date.now(); let x = 0; while (Date.now() - t < 300) x++; process.exit(x > 0 ? 3 : 0)";
  const r = await runTimed(process.execPath, ['-e', busy], 20_000);
  assert.equal(r.code, 3);
  assert.ok(r.timed > 0.2, `timed ${r.timed} s for a 0.3 s busy loop`);
  const idle = await runTimed(process.execPath, ['-e', 'setTimeout(() => {}, 400)'], 20_000);
  if (TIME_BASIS === 'cpu') assert.ok(idle.timed < idle.seconds, `a sleeping child: CPU ${idle.timed} s < wall ${idle.seconds} s`);
});
