// Streaming ingest of an uploaded sequence: raw planar 4:2:0 .yuv (8-bit, or 10-bit in 16-bit LE words) or
// .y4m (detected by its "YUV4MPEG2 " signature; converted to raw while streaming). The body is never held in
// memory: it flows through a byte limit, the y4m parser, a SHA-256 hash and into a temporary file in the sequence's
// own folder, renamed to input.yuv once whole. A full disk (ENOSPC / EDQUOT) is a 507 insufficient_storage naming
// the file that could not be written; on any error the sequence folder is removed, so nothing half-written stays.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { frameBytes, newId, sequenceDir, sequenceInput, sequenceMetaFile, type SequenceMeta } from '../config/layout.js';
import { describeNoSpace, noSpaceCode, tempPathFor, writeFileAtomic } from '../storage.js';
import { HttpError } from './errors.js';

export interface UploadQuery { width?: number; height?: number; bitDepth?: number; fps?: number; name?: string }

interface Geometry { width: number; height: number; bitDepth: 8 | 10; fps: number }

const Y4M_SIGNATURE = 'YUV4MPEG2 ';
const MAX_HEADER_LINE = 1024;
export const MAX_DIMENSION = 8192;

function checkGeometry(g: { width?: number; height?: number; bitDepth?: number; fps?: number }, source: string): Geometry {
  const { width, height } = g;
  if (width === undefined || height === undefined) {
    throw new HttpError(400, 'missing_dimensions', 'raw .yuv upload needs ?width=&height=&fps= (and bitDepth=10 for 10-bit; 8 when not given)');
  }
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 2 || v > MAX_DIMENSION) throw new HttpError(400, 'bad_dimensions', `${k}=${v} (${source}) must be an integer in 2..${MAX_DIMENSION}`);
    if (v % 2 !== 0) throw new HttpError(400, 'bad_dimensions', `${k}=${v} (${source}) is odd; 4:2:0 needs even width and height`);
  }
  const bitDepth = g.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 10) {
    throw new HttpError(400, 'unsupported_bit_depth', `unsupported bit depth ${bitDepth} (${source}): only 8 and 10 are supported`);
  }
  // No default: a wrong frame rate silently skews every kbps figure (and the RA intra period chosen from it).
  const fps = g.fps;
  if (fps === undefined) {
    throw new HttpError(400, 'missing_fps', source === 'query'
      ? 'raw .yuv upload needs the frame rate: add ?fps= (e.g. fps=30); it sets the bit rates (kbps) and the random-access intra period'
      : 'the y4m header has no F<num>:<den> frame rate: add ?fps= (e.g. fps=30)');
  }
  if (!(fps > 0 && fps <= 1000)) throw new HttpError(400, 'bad_fps', `fps=${fps} (${source}) must be in (0, 1000]`);
  return { width, height, bitDepth, fps };
}

/** Parses a y4m stream header line (without the signature and newline). */
export function parseY4mHeader(line: string): { width?: number; height?: number; bitDepth: number; fps?: number; chroma: string } {
  let width: number | undefined, height: number | undefined, fps: number | undefined;
  let chroma = '420jpeg';
  for (const tok of line.trim().split(/\s+/)) {
    const tag = tok[0], val = tok.slice(1);
    if (tag === 'W') width = Number(val);
    else if (tag === 'H') height = Number(val);
    else if (tag === 'C') chroma = val;
    else if (tag === 'F') {
      const [n, d] = val.split(':').map(Number);
      if (n > 0 && d > 0) fps = Math.round((n / d) * 1000) / 1000;
    }
  }
  const m = /^(\d{3})(?:p(\d+))?/.exec(chroma);
  const sampling = m?.[1] ?? chroma;
  if (sampling !== '420') {
    throw new HttpError(400, 'unsupported_chroma', `unsupported y4m chroma format C${chroma}: only 4:2:0 is supported`);
  }
  const bitDepth = m?.[2] ? Number(m[2]) : 8;
  return { width, height, bitDepth, fps, chroma };
}

async function* limitBytes(src: AsyncIterable<Buffer>, max: number, counter: { n: number }): AsyncGenerator<Buffer> {
  for await (const chunk of src) {
    counter.n += chunk.length;
    if (counter.n > max) throw new HttpError(413, 'too_large', `upload exceeds MAX_UPLOAD_BYTES=${max}`, { maxBytes: max });
    yield chunk;
  }
}

/** y4m -> raw planar frames. Calls onHeader once the stream header is known (before any frame data). */
async function* y4mToRaw(src: AsyncIterable<Buffer>, onHeader: (line: string) => number /* frame bytes */, stats: { frames: number }): AsyncGenerator<Buffer> {
  let buf: Buffer = Buffer.alloc(0);
  let fb = 0;
  let state: 'header' | 'frameHeader' | 'frameData' = 'header';
  let remaining = 0;
  for await (const chunk of src) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (state === 'header' || state === 'frameHeader') {
        const nl = buf.indexOf(0x0a);
        if (nl < 0) {
          if (buf.length > MAX_HEADER_LINE) throw new HttpError(400, 'bad_y4m', `y4m ${state === 'header' ? 'stream' : 'frame'} header longer than ${MAX_HEADER_LINE} bytes`);
          break;
        }
        const line = buf.subarray(0, nl).toString('latin1');
        buf = buf.subarray(nl + 1);
        if (state === 'header') {
          fb = onHeader(line.slice(Y4M_SIGNATURE.length));
          state = 'frameHeader';
        } else {
          if (!line.startsWith('FRAME')) {
            throw new HttpError(400, 'bad_y4m', `y4m frame ${stats.frames}: expected "FRAME" marker, got ${JSON.stringify(line.slice(0, 16))}`);
          }
          state = 'frameData';
          remaining = fb;
        }
      } else {
        if (buf.length === 0) break;
        const take = Math.min(remaining, buf.length);
        yield buf.subarray(0, take);
        buf = buf.subarray(take);
        remaining -= take;
        if (remaining === 0) { stats.frames++; state = 'frameHeader'; }
      }
    }
  }
  if (state === 'header') throw new HttpError(400, 'bad_y4m', 'y4m stream header is not terminated by a newline');
  if (state === 'frameData' && remaining > 0) {
    throw new HttpError(400, 'truncated', `y4m is truncated: frame ${stats.frames} has ${fb - remaining} of ${fb} bytes`, {
      completeFrames: stats.frames, frameBytes: fb, bytesInLastFrame: fb - remaining,
    });
  }
  if (state === 'frameHeader' && buf.length > 0) {
    throw new HttpError(400, 'truncated', `y4m is truncated after frame ${stats.frames}: partial FRAME header`, { completeFrames: stats.frames });
  }
}

async function* prepend(head: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (head.length) yield head;
  for (;;) {
    const n = await rest.next();
    if (n.done) return;
    yield n.value;
  }
}

export interface IngestOptions { dataDir: string; maxBytes: number; query: UploadQuery; contentLength?: number }

export async function ingestSequence(body: AsyncIterable<Buffer>, o: IngestOptions): Promise<SequenceMeta> {
  if (o.contentLength !== undefined && o.contentLength > o.maxBytes) {
    throw new HttpError(413, 'too_large', `upload of ${o.contentLength} bytes exceeds MAX_UPLOAD_BYTES=${o.maxBytes}`, { bytes: o.contentLength, maxBytes: o.maxBytes });
  }
  const counter = { n: 0 };
  const it = limitBytes(body, o.maxBytes, counter)[Symbol.asyncIterator]();
  // Peek enough bytes to recognise the y4m signature.
  let head = Buffer.alloc(0);
  while (head.length < Y4M_SIGNATURE.length) {
    const n = await it.next();
    if (n.done) break;
    head = Buffer.concat([head, n.value]);
  }
  if (head.length === 0) throw new HttpError(400, 'empty_body', 'request body is empty: send the sequence bytes (curl --data-binary @file.yuv)');
  const isY4m = head.subarray(0, Y4M_SIGNATURE.length).toString('latin1') === Y4M_SIGNATURE;

  let geom: Geometry | null = null;
  const y4mStats = { frames: 0 };
  let raw: AsyncIterable<Buffer>;
  if (isY4m) {
    raw = y4mToRaw(prepend(head, it), (line) => {
      const h = parseY4mHeader(line);
      for (const k of ['width', 'height'] as const) {
        if (o.query[k] !== undefined && h[k] !== undefined && o.query[k] !== h[k]) {
          throw new HttpError(400, 'dimension_mismatch', `${k}=${o.query[k]} contradicts the y4m header (${h[k]})`);
        }
      }
      geom = checkGeometry({ width: h.width, height: h.height, bitDepth: h.bitDepth, fps: h.fps ?? o.query.fps }, 'y4m header');
      return frameBytes(geom.width, geom.height, geom.bitDepth);
    }, y4mStats);
  } else {
    geom = checkGeometry(o.query, 'query');
    raw = prepend(head, it);
  }

  const id = newId('s');
  const dir = sequenceDir(o.dataDir, id);
  const input = sequenceInput(o.dataDir, id);
  const tmpFile = tempPathFor(input);
  const rel = (file: string) => path.relative(o.dataDir, file);
  // what is being written when a write fails (for the 507 answer)
  let writing = { what: 'the sequence folder', file: dir };
  const hash = createHash('sha256');
  let stored = 0;
  async function* tap(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of src) { hash.update(c); stored += c.length; yield c; }
  }
  try {
    await mkdir(dir, { recursive: true });
    writing = { what: 'the uploaded sequence', file: input };
    await pipeline(Readable.from(tap(raw)), createWriteStream(tmpFile));
    const g = geom as Geometry | null;
    if (!g) throw new HttpError(400, 'bad_y4m', 'y4m stream header missing');
    const fb = frameBytes(g.width, g.height, g.bitDepth);
    if (stored === 0) throw new HttpError(400, 'no_frames', 'upload contains no frames');
    if (stored % fb !== 0) {
      const frames = Math.floor(stored / fb);
      throw new HttpError(400, 'not_whole_frames',
        `body has ${stored} bytes, which is not a whole number of ${g.width}x${g.height} ${g.bitDepth}-bit 4:2:0 frames ` +
        `(${fb} bytes each): ${frames} frames + ${stored - frames * fb} extra bytes`,
        { bytes: stored, frameBytes: fb, wholeFrames: frames, remainderBytes: stored - frames * fb, width: g.width, height: g.height, bitDepth: g.bitDepth });
    }
    const meta: SequenceMeta = {
      id, name: sanitizeName(o.query.name) ?? id, width: g.width, height: g.height, bitDepth: g.bitDepth, fps: g.fps,
      frames: stored / fb, bytes: stored, sha256: hash.digest('hex'), createdAt: new Date().toISOString(),
      sourceFormat: isY4m ? 'y4m' : 'yuv',
    };
    await rename(tmpFile, input);
    // meta.json last: a sequence exists (is listed, can be used) only once it is there, whole
    writing = { what: 'the sequence metadata', file: sequenceMetaFile(o.dataDir, id) };
    await writeFileAtomic(sequenceMetaFile(o.dataDir, id), JSON.stringify(meta, null, 2) + '\n');
    return meta;
  } catch (err) {
    await rm(tmpFile, { force: true }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    const code = noSpaceCode(err);
    if (code) {
      throw new HttpError(507, 'insufficient_storage',
        `insufficient storage on the server: could not write ${writing.what} (${rel(writing.file)}): ${describeNoSpace(code)} ` +
        `after ${counter.n} bytes of the upload had been received${o.contentLength !== undefined ? ` (of ${o.contentLength})` : ''}; ` +
        'nothing was stored. Free space under DATA_DIR (delete finished jobs or sequences) and upload again',
        { file: rel(writing.file), code, bytesReceived: counter.n, ...(o.contentLength !== undefined ? { bytes: o.contentLength } : {}) });
    }
    throw err;
  } finally {
    await it.return?.(undefined);
  }
}

function sanitizeName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const clean = name.replace(/[^A-Za-z0-9._ -]/g, '_').slice(0, 128).trim();
  return clean || undefined;
}
