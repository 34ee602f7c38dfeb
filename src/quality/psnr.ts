// PSNR exactly as VTM-23.2's encoder summary computes it (EncGOP::xCalculateAddPSNR + Analyze):
//  - the source is brought to the 10-bit internal depth (8-bit samples << 2);
//  - per picture and plane: PSNR = 10*log10(maxval^2 * W*H / SSD) with maxval = 255 << (bitDepth-8) = 1020
//    for 10 bits (not 1023), and 999.99 when SSD == 0;
//  - the sequence value is the arithmetic mean of the per-picture PSNRs (not the PSNR of the mean MSE).
// The challenge's combined figure is (6*Y + U + V) / 8 of those per-plane means.
import { open, type FileHandle } from 'node:fs/promises';

export interface PlanePsnr { y: number; u: number; v: number }
export interface PsnrResult extends PlanePsnr { yuv: number; perFrame: PlanePsnr[] }

export const INTERNAL_BIT_DEPTH = 10;
export const PSNR_PEAK_10BIT = 255 << (INTERNAL_BIT_DEPTH - 8); // 1020
/** VTM prints this for a lossless plane; keeps averages finite. */
export const PSNR_LOSSLESS = 999.99;

export function psnrFromSsd(ssd: number, samples: number, peak = PSNR_PEAK_10BIT): number {
  if (!(samples > 0)) throw new Error(`psnrFromSsd: samples=${samples} must be > 0`);
  return ssd === 0 ? PSNR_LOSSLESS : 10 * Math.log10((peak * peak * samples) / ssd);
}

/** The challenge's weighted PSNR: (6*Y + U + V) / 8. */
export function combinePsnr(p: PlanePsnr): number {
  return (6 * p.y + p.u + p.v) / 8;
}

export interface PsnrFilesOptions {
  source: string; sourceBitDepth: 8 | 10; decoded: string /* 10-bit LE */; width: number; height: number; frames: number;
}

function planeDims(width: number, height: number): [number, number][] {
  const cw = width >> 1, ch = height >> 1;
  return [[width, height], [cw, ch], [cw, ch]];
}

async function readExactly(fh: FileHandle, buf: Buffer, pos: number, what: string): Promise<void> {
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, pos + got);
    if (bytesRead === 0) throw new Error(`${what}: file too short (needed ${buf.length} bytes at offset ${pos}, got ${got})`);
    got += bytesRead;
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** 16-bit little-endian samples as a typed array (a copy only on a big-endian host or an odd offset). */
function samples16(b: Buffer, n: number): Uint16Array {
  if (LITTLE_ENDIAN && b.byteOffset % 2 === 0) return new Uint16Array(b.buffer, b.byteOffset, n);
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = b.readUInt16LE(2 * i);
  return out;
}

/** SSD of one plane, source samples shifted up to 10 bits. Exact: sums stay far below 2^53. */
export function planeSsd(src: Buffer, srcBitDepth: 8 | 10, dec: Buffer, samples: number): number {
  const d16 = samples16(dec, samples);
  let ssd = 0;
  if (srcBitDepth === 8) {
    for (let i = 0; i < samples; i++) { const d = (src[i] << 2) - d16[i]; ssd += d * d; }
  } else {
    const s16 = samples16(src, samples);
    for (let i = 0; i < samples; i++) { const d = s16[i] - d16[i]; ssd += d * d; }
  }
  return ssd;
}

/** Per-plane PSNR of a 4:2:0 source (8 or 10 bit) against a 10-bit little-endian decoded file. */
export async function psnrYuvFiles(o: PsnrFilesOptions): Promise<PsnrResult> {
  for (const [k, v] of [['width', o.width], ['height', o.height], ['frames', o.frames]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`psnrYuvFiles: ${k}=${v} must be a positive integer`);
  }
  if (o.width % 2 || o.height % 2) throw new Error(`psnrYuvFiles: ${o.width}x${o.height} is not a 4:2:0 size (odd dimension)`);
  if (o.sourceBitDepth !== 8 && o.sourceBitDepth !== 10) throw new Error(`psnrYuvFiles: sourceBitDepth=${o.sourceBitDepth} must be 8 or 10`);
  const dims = planeDims(o.width, o.height);
  const srcBps = o.sourceBitDepth === 8 ? 1 : 2;
  const frameSamples = dims.reduce((s, [w, h]) => s + w * h, 0);
  const src = await open(o.source, 'r');
  let dec: FileHandle | undefined;
  try {
    dec = await open(o.decoded, 'r');
    const [srcSize, decSize] = [(await src.stat()).size, (await dec.stat()).size];
    if (srcSize < frameSamples * srcBps * o.frames) {
      throw new Error(`psnrYuvFiles: source ${o.source} has ${srcSize} bytes, ${o.frames} frames of ${o.width}x${o.height} ${o.sourceBitDepth}-bit need ${frameSamples * srcBps * o.frames}`);
    }
    if (decSize < frameSamples * 2 * o.frames) {
      throw new Error(`psnrYuvFiles: decoded ${o.decoded} has ${decSize} bytes, ${o.frames} frames of ${o.width}x${o.height} 10-bit need ${frameSamples * 2 * o.frames}`);
    }
    // One pair of buffers per plane, reused for every frame; unpooled: even byteOffset for Uint16Array views.
    const bufs = dims.map(([w, h]) => ({ n: w * h, sb: Buffer.alloc(w * h * srcBps), db: Buffer.alloc(w * h * 2) }));
    const perFrame: PlanePsnr[] = [];
    for (let f = 0; f < o.frames; f++) {
      const vals: number[] = [];
      let srcOff = f * frameSamples * srcBps, decOff = f * frameSamples * 2;
      for (const { n, sb, db } of bufs) {
        await readExactly(src, sb, srcOff, o.source);
        await readExactly(dec, db, decOff, o.decoded);
        vals.push(psnrFromSsd(planeSsd(sb, o.sourceBitDepth, db, n), n));
        srcOff += n * srcBps; decOff += n * 2;
      }
      perFrame.push({ y: vals[0], u: vals[1], v: vals[2] });
    }
    const mean = (k: keyof PlanePsnr) => perFrame.reduce((s, p) => s + p[k], 0) / perFrame.length;
    const r = { y: mean('y'), u: mean('u'), v: mean('v') };
    return { ...r, yuv: combinePsnr(r), perFrame };
  } finally {
    await src.close();
    await dec?.close();
  }
}
