// A minimal streaming tar (POSIX ustar) writer: regular files only, each entry a small in-memory Buffer or a file
// on disk read as a stream, so an archive of large bitstreams and YUVs is never held in memory. Its exact length is
// known up front (tarSize) for Content-Length. Sizes of 8 GiB and more use the GNU base-256 size field.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';

export type TarEntry =
  | { name: string; data: Buffer; mtime?: Date }
  /** A file read when the archive is streamed; exactly `size` bytes go in (zero-padded if it shrank). */
  | { name: string; file: string; size: number; mtime?: Date };

const BLOCK = 512;
const padLength = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;
const sizeOf = (e: TarEntry) => ('data' in e ? e.data.length : e.size);

/** Bytes of the whole archive: a header and the padded contents per entry, then two zero blocks. */
export function tarSize(entries: TarEntry[]): number {
  return entries.reduce((s, e) => s + BLOCK + sizeOf(e) + padLength(sizeOf(e)), 0) + 2 * BLOCK;
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

/** Splits a path into ustar's prefix (<= 155 bytes) and name (<= 100 bytes) at a '/'. */
function splitName(name: string): { prefix: string; name: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i), rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { prefix, name: rest };
  }
  throw new Error(`tar: path too long for ustar: ${name}`);
}

export function tarHeader(name: string, size: number, mtime = new Date()): Buffer {
  if (!name || name.startsWith('/') || name.split('/').includes('..')) throw new Error(`tar: bad entry name ${JSON.stringify(name)}`);
  const h = Buffer.alloc(BLOCK);
  const n = splitName(name);
  h.write(n.name, 0, 100, 'utf8');
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  if (size < 0o77777777777) octal(h, 124, 12, size);
  else { // GNU base-256: high bit set, big-endian value in the remaining bytes
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--) { h[i] = Number(v & 0xffn); v >>= 8n; }
  }
  octal(h, 136, 12, Math.floor(mtime.getTime() / 1000));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  if (n.prefix) h.write(n.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

async function* fileBytes(file: string, size: number): AsyncGenerator<Buffer> {
  let sent = 0;
  if (size > 0) {
    for await (const chunk of createReadStream(file, { start: 0, end: size - 1, highWaterMark: 1 << 20 })) {
      const b = chunk as Buffer;
      sent += b.length;
      yield b;
    }
  }
  if (sent < size) yield Buffer.alloc(size - sent); // the file shrank since it was listed: keep the archive well-formed
}

async function* tarChunks(entries: TarEntry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    const size = sizeOf(e);
    yield tarHeader(e.name, size, e.mtime);
    if ('data' in e) yield e.data;
    else yield* fileBytes(e.file, size);
    const pad = padLength(size);
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** The archive as a stream (files are opened one at a time, as they are reached). */
export function tarStream(entries: TarEntry[]): Readable {
  return Readable.from(tarChunks(entries), { objectMode: false });
}

/** Reads the entries of a tar archive (names, sizes, contents); for tests and checks. */
export function parseTar(buf: Buffer): { name: string; size: number; data: Buffer }[] {
  const out: { name: string; size: number; data: Buffer }[] = [];
  let off = 0;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, l: number) => h.subarray(a, a + l).toString('utf8').replace(/\0.*$/s, '');
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (parseInt(str(148, 8).trim(), 8) !== sum) throw new Error(`tar: bad header checksum at offset ${off}`);
    const size = h[124] & 0x80 ? Number(h.subarray(125, 136).reduce((v, b) => (v << 8n) | BigInt(b), 0n)) : parseInt(str(124, 12).trim(), 8);
    const prefix = str(345, 155);
    const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    out.push({ name, size, data: buf.subarray(off + BLOCK, off + BLOCK + size) });
    off += BLOCK + size + padLength(size);
  }
  return out;
}
