// The B pictures' temporal features of a random-access job computed by nnvvc-feature (codec/apps/nnvvc_feature.cpp,
// the rule of temporal.ts mcTemporalFeature in compiled code, 4x (1080p) to 9x (416x240) faster than it on one thread) in one run for all
// of the job's QPs, into one file: a W x H plane of 16-bit little-endian values per picture, in the order asked.
// The caller runs the tool (the worker through its runTool, with the job's log; the bench directly) with
// nnvvcFeatureArgs and reads the planes back with FeatureFile.
import { open } from 'node:fs/promises';
import { planFrames } from './temporal.js';

/** The pictures of a random-access job that take a temporal feature (its B pictures, temporal.ts planFrames), each
 * with the frames it is compared with (the same at every QP). */
export function featurePictures(o: { frames: number; intraPeriod?: number; gopSize?: number }): { poc: number; refs: number[] }[] {
  return planFrames({ config: 'ra', ...o, baseQp: 32 }).filter((p) => !p.intra && p.refs.length > 0).map((p) => ({ poc: p.poc, refs: p.refs }));
}

/** nnvvc-feature's arguments for `pictures` of a raw 4:2:0 file. */
export function nnvvcFeatureArgs(o: { input: string; width: number; height: number; bitDepth: 8 | 10; pictures: { poc: number; refs: number[] }[]; out: string }): string[] {
  return ['-i', o.input, '-s', `${o.width}x${o.height}`, '--input-bitdepth', String(o.bitDepth), '-o', o.out,
    ...o.pictures.map((p) => `${p.poc}:${p.refs.join(',')}`)];
}

/** The planes nnvvc-feature wrote, by POC. */
export class FeatureFile {
  private readonly index = new Map<number, number>();
  constructor(readonly file: string, readonly width: number, readonly height: number, pocs: number[], readonly seconds = 0) {
    pocs.forEach((p, i) => this.index.set(p, i));
  }

  has(poc: number): boolean { return this.index.has(poc); }

  /** The feature of picture `poc` (10-bit units), or undefined when the file has none for it. */
  async read(poc: number): Promise<Uint16Array | undefined> {
    const i = this.index.get(poc);
    if (i === undefined) return undefined;
    const n = this.width * this.height;
    const buf = Buffer.alloc(2 * n);
    const fh = await open(this.file, 'r');
    try {
      const { bytesRead } = await fh.read(buf, 0, buf.length, i * 2 * n);
      if (bytesRead !== buf.length) throw new Error(`${this.file}: the temporal feature of picture ${poc} is cut short (${bytesRead} of ${buf.length} bytes)`);
    } finally {
      await fh.close();
    }
    const out = new Uint16Array(n);
    for (let k = 0; k < n; k++) out[k] = buf[2 * k] | (buf[2 * k + 1] << 8);
    return out;
  }
}
