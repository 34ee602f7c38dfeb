// Joining a rate point's segments (jobs cut with segmentIntraPeriods): nnvvc-join makes one bitstream of them
// (segment k + 1 starts on the CRA picture segment k ends with; its copy of that picture is dropped), the
// reconstructions are concatenated the same way (each later segment without its first frame) and so are the
// per-frame stats. The joined point is what verify, measure and report see; its encode time is the sum of the
// segments' (the twice-encoded CRA pictures included).
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VerificationError } from '../errors.js';
import { writeFileAtomic } from '../../storage.js';
import { frameBytes } from '../../config/layout.js';
import { runTool } from '../exec.js';
import type { StageContext } from '../context.js';
import type { EncodedPoint } from './encoded-point.js';

interface StatsFrame { poc: number; bits: number; [k: string]: unknown }
interface StatsFile { total_bits: number; frames: StatsFrame[]; [k: string]: unknown }

export async function joinPoint(ctx: StageContext, label: string, qp: number, parts: EncodedPoint[]): Promise<EncodedPoint> {
  const sorted = [...parts].sort((a, b) => a.segment!.index - b.segment!.index);
  if (!sorted.length || sorted.some((p, i) => p.segment?.index !== i)) {
    throw new VerificationError(`${label}: segments ${sorted.map((p) => p.segment?.index).join(',')} cannot be joined (expected 0..${sorted.length - 1})`);
  }
  const bitstream = path.join(ctx.dir, `${label}.266`);
  const recon = path.join(ctx.dir, `${label}.recon.yuv`);
  const statsFile = path.join(ctx.dir, `${label}.stats.json`);
  const logFile = path.join(ctx.logsDir, `join-${label}.log`);
  await rm(logFile, { force: true });
  await runTool({ file: ctx.cfg.nnvvcJoin, args: ['-o', bitstream, ...sorted.map((p) => p.result.bitstream)], logFile, signal: ctx.signal });

  const { width, height } = ctx.data.sequence;
  const fb = frameBytes(width, height, 10);  // recon files are 10-bit whatever the input
  const out = createWriteStream(recon);
  for (const [i, p] of sorted.entries()) {
    const size = (await stat(p.result.recon)).size;
    if (size !== p.segment!.frames * fb) throw new VerificationError(`${p.label}: recon has ${size} bytes, expected ${p.segment!.frames} frames of ${fb}`);
    await pipeline(createReadStream(p.result.recon, { start: i === 0 ? 0 : fb }), out, { end: false });
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));

  const bits = (await stat(bitstream)).size * 8;
  // per-frame stats: each later segment without its first (shared) frame
  try {
    const files = await Promise.all(sorted.map(async (p) => JSON.parse(await readFile(p.stats, 'utf8')) as StatsFile));
    const frames = files.flatMap((f, i) => (i === 0 ? f.frames : f.frames.filter((fr) => fr.poc !== sorted[i].segment!.firstFrame)));
    frames.sort((a, b) => a.poc - b.poc);
    await writeFileAtomic(statsFile, JSON.stringify({ ...files[0], total_bits: bits, frames, joined_segments: sorted.length }));
  } catch (err) {
    ctx.log.warn({ stage: 'encode', label, err: (err as Error).message }, 'segment stats not joined');
  }
  // the joined files hold everything: the segments' big files go (their logs stay)
  await Promise.all(sorted.flatMap((p) => [rm(p.result.bitstream, { force: true }), rm(p.result.recon, { force: true }), rm(p.stats, { force: true })]));
  ctx.log.info({ stage: 'encode', label, segments: sorted.length, bits }, 'segments joined');
  return {
    label, qp, stats: statsFile, logFile: sorted[0].logFile,
    result: {
      bitstream, recon, bits, encoderName: sorted[0].result.encoderName,
      encodeSeconds: sorted.reduce((t, p) => t + p.result.encodeSeconds, 0),
    },
    joined: { segments: sorted.length, framesEncodedTwice: sorted.length - 1 },
  };
}
