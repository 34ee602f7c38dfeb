// Stage 4: decode every bitstream with each available decoder and require the decoded pictures to equal the
// encoder's reconstruction byte for byte (a mismatch means the bitstream does not say what the encoder meant).
// Decoders write pictures in output (POC) order and the encoders write their recon in output order too, so random
// access streams, whose coding order differs, compare the same way as all-intra ones.
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted, CancelledError } from '../errors.js';
import { StorageFullError, toolFailedForSpace } from '../../storage.js';
import type { StageContext } from '../context.js';
import type { EncodedPoint } from './encode.js';

export interface DecoderCheck {
  name: string;
  /** true: decoded and identical to recon; false: failed or differs; null: decoder not available. */
  ok: boolean | null;
  md5Ok: boolean | null;
  matchesRecon: boolean | null;
  seconds: number | null;
  detail: string;
  output?: string;
}

export interface VerifiedPoint { label: string; decoders: DecoderCheck[]; decodeOk: boolean; md5Ok: boolean }

/** Streams both files; returns null when identical, else a description of the first difference. */
export async function firstDifference(a: string, b: string): Promise<string | null> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return `sizes differ: ${sa.size} vs ${sb.size} bytes`;
  const ra = createReadStream(a, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
  const rb = createReadStream(b, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
  let bufA: Buffer = Buffer.alloc(0), bufB: Buffer = Buffer.alloc(0), offset = 0;
  try {
    for (;;) {
      if (bufA.length === 0) { const n = await ra.next(); if (!n.done) bufA = n.value as Buffer; }
      if (bufB.length === 0) { const n = await rb.next(); if (!n.done) bufB = n.value as Buffer; }
      if (bufA.length === 0 || bufB.length === 0) return null;
      const len = Math.min(bufA.length, bufB.length);
      const ca = bufA.subarray(0, len), cb = bufB.subarray(0, len);
      if (!ca.equals(cb)) {
        let i = 0;
        while (ca[i] === cb[i]) i++;
        return `first difference at byte ${offset + i}`;
      }
      offset += len;
      bufA = bufA.subarray(len); bufB = bufB.subarray(len);
    }
  } finally {
    await ra.return?.();
    await rb.return?.();
  }
}

export async function verify(ctx: StageContext, points: EncodedPoint[]): Promise<VerifiedPoint[]> {
  const out: VerifiedPoint[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    ctx.progress({ stage: 'verify', stagePointsDone: i });
    const checks: DecoderCheck[] = [];
    for (const dec of ctx.tools.decoders) {
      throwIfAborted(ctx.signal);
      // VTM-23.2 bitstreams (anchor jobs, encoder=vtm) use tools our decoder does not implement yet (inter,
      // in-loop filters), so VTM's DecoderApp alone checks them; nnvvc-dec checks every nnvvc-enc bitstream.
      const vtmBitstream = ctx.data.request.kind === 'anchor' || ctx.data.request.encoder === 'vtm';
      if (vtmBitstream && !dec.name.startsWith('VTM')) {
        checks.push({ name: dec.name, ok: null, md5Ok: null, matchesRecon: null, seconds: null, detail: 'not used for VTM bitstreams (VTM DecoderApp checks them)' });
        continue;
      }
      if (!(await dec.available())) {
        checks.push({ name: dec.name, ok: null, md5Ok: null, matchesRecon: null, seconds: null, detail: 'decoder not available' });
        continue;
      }
      const output = path.join(ctx.dir, dec.name === 'nnvvc-dec' ? `${p.label}.dec.yuv` : `${p.label}.${dec.name}.yuv`);
      const logFile = path.join(ctx.logsDir, `decode-${p.label}-${dec.name}.log`);
      await rm(logFile, { force: true });
      try {
        const r = await dec.decode({ bitstream: p.result.bitstream, output, logFile, signal: ctx.signal });
        const diff = await firstDifference(r.output, p.result.recon);
        checks.push({
          name: dec.name, ok: diff === null && r.md5Ok, md5Ok: r.md5Ok, matchesRecon: diff === null, seconds: r.seconds,
          detail: diff === null ? 'decoded output identical to encoder recon' : `decoded output differs from encoder recon: ${diff}`,
          output: path.basename(r.output),
        });
      } catch (err) {
        if (err instanceof CancelledError) throw err;
        // a decoder that could not write its output because the disk is full says nothing about the bitstream
        const full = await toolFailedForSpace(err, ctx.dir);
        if (full) {
          await rm(output, { force: true });
          throw new StorageFullError(`the ${p.label} decoded output`, path.relative(ctx.cfg.dataDir, output), full, `${dec.name} failed: ${(err as Error).message}`);
        }
        checks.push({ name: dec.name, ok: false, md5Ok: null, matchesRecon: null, seconds: null, detail: (err as Error).message });
      }
    }
    const ran = checks.filter((c) => c.ok !== null);
    const v: VerifiedPoint = {
      label: p.label, decoders: checks,
      decodeOk: ran.length > 0 && ran.every((c) => c.ok === true),
      md5Ok: ran.length > 0 && ran.every((c) => c.md5Ok === true),
    };
    ctx.log.info({ stage: 'verify', label: p.label, decodeOk: v.decodeOk, decoders: ran.map((c) => `${c.name}:${c.ok}`) }, 'verified');
    out.push(v);
  }
  ctx.progress({ stagePointsDone: points.length });
  return out;
}
