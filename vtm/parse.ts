// Parsers for the text VTM-23.2 EncoderApp / DecoderApp print. Pure functions on the captured log so they can be
// unit-tested without the binaries.

export interface VtmFrameLine {
  poc: number; temporalId: number; nalType: string; sliceType: string; qp: number; bits?: number;
  psnr?: { y: number; u: number; v: number };
  /** Exact doubles from --PrintHexPSNR=1 output, when present. */
  psnrExact?: { y: number; u: number; v: number };
  /** Decoder only: MD5 verdict for this picture ('ok' | 'error' | 'unknown' when no hash SEI). */
  md5?: 'ok' | 'error' | 'unknown';
}

export interface VtmEncoderSummary {
  version: string;
  frames: VtmFrameLine[];
  /** From the "Total Frames | Bitrate ..." summary of all frames (kbps as VTM counts: NAL bytes without SEI). */
  totalFrames: number; kbps: number; psnr: { y: number; u: number; v: number; yuvMse: number };
  /** Exact per-plane means from --PrintHexPSNR=1 (xY-PSNR ...), when present. */
  psnrExact?: { y: number; u: number; v: number };
  userSeconds?: number; elapsedSeconds?: number;
}

export interface VtmDecoderSummary {
  version?: string; frames: VtmFrameLine[]; md5Ok: number; md5Errors: number; md5Unknown: number;
  mismatchReported: boolean; seconds?: number;
}

const VERSION_RE = /VTM (?:Encoder|Decoder) Version ([0-9][0-9.]*)/;
// POC    0 LId:  0 TId: 0 ( IDR_N_LP, I-SLICE, QP 34 )       9168 bits [Y 34.3414 dB    U 38.8271 dB    V 39.4529 dB] ...
const FRAME_RE = /^POC\s+(-?\d+)\s+LId:\s*\d+\s+TId:\s*(\d+)\s+\(\s*([A-Z_0-9]+),\s*([A-Za-z])-SLICE,\s*QP\s+(-?\d+)\s*\)(.*)$/;
const BITS_RE = /^\s*(\d+)\s+bits/;
const PSNR_RE = /\[Y\s+([0-9.]+)\s+dB\s+U\s+([0-9.]+)\s+dB\s+V\s+([0-9.]+)\s+dB\]/;
const HEX_RE = /\[xY\s+([0-9a-f]+)\s+xU\s+([0-9a-f]+)\s+xV\s+([0-9a-f]+)\]/;
const MD5_RE = /\[MD5:[0-9a-f,]+,\((OK|\*\*\*ERROR\*\*\*|unk)\)\]/;

/** VTM prints a double's bytes as a 64-bit hex integer (little-endian host). */
export function hexToDouble(hex: string): number {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(`0x${hex}`));
  return b.readDoubleLE(0);
}

export function parseVtmVersion(text: string): string | undefined {
  return VERSION_RE.exec(text)?.[1];
}

function parseFrameLine(line: string): VtmFrameLine | undefined {
  const m = FRAME_RE.exec(line.trim());
  if (!m) return undefined;
  const rest = m[6];
  const f: VtmFrameLine = { poc: Number(m[1]), temporalId: Number(m[2]), nalType: m[3], sliceType: m[4], qp: Number(m[5]) };
  const b = BITS_RE.exec(rest);
  if (b) f.bits = Number(b[1]);
  const p = PSNR_RE.exec(rest);
  if (p) f.psnr = { y: Number(p[1]), u: Number(p[2]), v: Number(p[3]) };
  const x = HEX_RE.exec(rest);
  if (x) f.psnrExact = { y: hexToDouble(x[1]), u: hexToDouble(x[2]), v: hexToDouble(x[3]) };
  const h = MD5_RE.exec(rest);
  if (h) f.md5 = h[1] === 'OK' ? 'ok' : h[1] === 'unk' ? 'unknown' : 'error';
  return f;
}

/** Parse an EncoderApp log. Throws with the reason when the summary is absent (the encode did not finish). */
export function parseEncoderLog(text: string): VtmEncoderSummary {
  const version = parseVtmVersion(text);
  if (!version) throw new Error('VTM encoder log has no "VTM Encoder Version" banner');
  const lines = text.split(/\r?\n/);
  const frames: VtmFrameLine[] = [];
  for (const l of lines) { const f = parseFrameLine(l); if (f) frames.push(f); }
  // The first summary block after "LayerId" is the all-frames one ("a" marker); I/P/B blocks follow only at
  // higher verbosity. Header line then a value line.
  let summary: { n: number; kbps: number; y: number; u: number; v: number; yuv: number } | undefined;
  let exact: { y: number; u: number; v: number } | undefined;
  for (let i = 0; i < lines.length - 1; i++) {
    if (/Total Frames\s*\|\s*Bitrate\s+Y-PSNR\s+U-PSNR\s+V-PSNR\s+YUV-PSNR/.test(lines[i])) {
      const m = /^\s*(\d+)\s+a\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)(?:\s+([0-9a-f]{16})\s+([0-9a-f]{16})\s+([0-9a-f]{16}))?/.exec(lines[i + 1]);
      if (m) {
        summary = { n: Number(m[1]), kbps: Number(m[2]), y: Number(m[3]), u: Number(m[4]), v: Number(m[5]), yuv: Number(m[6]) };
        if (m[7] && /xY-PSNR/.test(lines[i])) exact = { y: hexToDouble(m[7]), u: hexToDouble(m[8]), v: hexToDouble(m[9]) };
        break;
      }
    }
  }
  if (!summary) throw new Error('VTM encoder log has no summary line ("Total Frames | Bitrate ..."): the encode did not complete');
  const t = /Total Time:\s*([0-9.]+)\s*sec\.\s*\[user\]\s*([0-9.]+)\s*sec\.\s*\[elapsed\]/.exec(text);
  return {
    version, frames, totalFrames: summary.n, kbps: summary.kbps,
    psnr: { y: summary.y, u: summary.u, v: summary.v, yuvMse: summary.yuv }, ...(exact ? { psnrExact: exact } : {}),
    userSeconds: t ? Number(t[1]) : undefined, elapsedSeconds: t ? Number(t[2]) : undefined,
  };
}

export function parseDecoderLog(text: string): VtmDecoderSummary {
  const frames: VtmFrameLine[] = [];
  for (const l of text.split(/\r?\n/)) { const f = parseFrameLine(l); if (f) frames.push(f); }
  const count = (k: VtmFrameLine['md5']) => frames.filter((f) => f.md5 === k).length;
  const t = /Total Time:\s*([0-9.]+)\s*sec\./.exec(text);
  return {
    version: parseVtmVersion(text), frames, md5Ok: count('ok'), md5Errors: count('error'),
    md5Unknown: frames.filter((f) => f.md5 !== 'ok' && f.md5 !== 'error').length,
    mismatchReported: /A decoding mismatch occured/.test(text), seconds: t ? Number(t[1]) : undefined,
  };
}
