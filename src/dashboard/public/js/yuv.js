// Decoded-frame helpers (pure): byte offsets in a 4:2:0 YUV file, luma -> RGBA, encoder stats -> CU rectangles.
import { frameBytes } from './validate.js';

/** Byte offset and length of frame n's luma plane in a planar 4:2:0 file. */
export function lumaRange(width, height, bitDepth, n) {
  const bps = bitDepth > 8 ? 2 : 1;
  return { start: n * frameBytes(width, height, bitDepth), length: width * height * bps };
}

/** Luma samples (8-bit, or 10-bit little-endian) to an RGBA grey image (Uint8ClampedArray w*h*4). */
export function lumaToRgba(buffer, width, height, bitDepth) {
  const count = width * height;
  const out = new Uint8ClampedArray(count * 4);
  if (bitDepth > 8) {
    const view = new DataView(buffer);
    const shift = bitDepth - 8;
    for (let i = 0; i < count; i++) {
      const v = view.getUint16(i * 2, true) >> shift;
      out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v; out[i * 4 + 3] = 255;
    }
  } else {
    const bytes = new Uint8Array(buffer);
    for (let i = 0; i < count; i++) {
      const v = bytes[i];
      out[i * 4] = v; out[i * 4 + 1] = v; out[i * 4 + 2] = v; out[i * 4 + 3] = 255;
    }
  }
  return out;
}

function toRect(cu) {
  if (Array.isArray(cu) && cu.length >= 4) return { x: +cu[0], y: +cu[1], w: +cu[2], h: +cu[3] };
  if (!cu || typeof cu !== 'object') return undefined;
  const r = { x: +cu.x, y: +cu.y, w: +(cu.w ?? cu.width), h: +(cu.h ?? cu.height) };
  if (![r.x, r.y, r.w, r.h].every(Number.isFinite) || r.w <= 0 || r.h <= 0) return undefined;
  for (const k of ['depth', 'qtDepth', 'mttDepth', 'mode', 'pred', 'split', 'qp']) if (cu[k] !== undefined) r[k] = cu[k];
  return r;
}

function frameIndex(f, i) {
  const v = f?.frame ?? f?.poc ?? f?.index ?? f?.n;
  return Number.isFinite(+v) ? +v : i;
}

/**
 * CU rectangles of frame n from the encoder's stats JSON. The codec team owns the format; accepted shapes:
 * {frames:[{frame|poc, cus:[{x,y,w,h}]}]}, {frames:[[cu...]]}, [{frame, cus}], {cus:[{frame, x,y,w,h}]}.
 * Frame entries are matched by their frame/poc number, else by position (decode order is display order for
 * ai; for ra the encoder should give `poc`). Returns undefined when the file has no CU data for frame n.
 */
export function cusForFrame(stats, n) {
  if (!stats) return undefined;
  const frames = Array.isArray(stats) ? stats : stats.frames ?? stats.pictures;
  if (Array.isArray(frames)) {
    const byNumber = frames.find((f, i) => !Array.isArray(f) && frameIndex(f, i) === n);
    const entry = byNumber ?? (frames.every((f) => Array.isArray(f) || frameIndex(f, -1) === -1) ? frames[n] : undefined);
    if (!entry) return undefined;
    const list = Array.isArray(entry) ? entry : entry.cus ?? entry.cu ?? entry.blocks;
    if (!Array.isArray(list)) return undefined;
    return list.map(toRect).filter(Boolean);
  }
  if (Array.isArray(stats.cus)) {
    const list = stats.cus.filter((c) => (c.frame ?? c.poc) === n).map(toRect).filter(Boolean);
    return list.length ? list : undefined;
  }
  return undefined;
}

/** Pairs a decoded-YUV artifact with its stats artifact: qp22.dec.yuv -> qp22.stats.json. */
export function statsNameFor(yuvName, artifactNames) {
  const base = yuvName.replace(/(\.dec|\.recon|_recon|\.rec)?\.yuv$/i, '');
  const wanted = [`${base}.stats.json`, `${base}.json`];
  return wanted.find((w) => artifactNames.includes(w));
}
