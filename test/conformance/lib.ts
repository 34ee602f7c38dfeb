// Shared helpers for the codec QA tests (conformance, CLI behaviour, fuzz) and bench/codec-ai.ts.
// Everything external is given by path: our CLIs (NNVVC_ENC / NNVVC_DEC, default codec/build/*) and VTM
// (VTM_DECODER_APP / VTM_ENCODER_APP). Nothing here builds or contains VTM.
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SequenceInfo {
  file: string;
  path: string;
  width: number;
  height: number;
  fps: number;
  bitDepth: 8 | 10;
  frames: number;
  name: string; // file name without .yuv
}

export function sharedSequencesDir(): string {
  return process.env.SHARED_SEQUENCES
    ? path.resolve(process.env.SHARED_SEQUENCES)
    : path.resolve(repoRoot, '..', 'shared', 'sequences');
}

/** Reads MANIFEST.tsv (header: file width height fps bit_depth frames ...). Throws with the path if absent. */
export function readManifest(dir = sharedSequencesDir()): SequenceInfo[] {
  const manifest = path.join(dir, 'MANIFEST.tsv');
  if (!existsSync(manifest)) {
    throw new Error(`sequence manifest not found: ${manifest} (set SHARED_SEQUENCES to the folder holding MANIFEST.tsv)`);
  }
  const lines = readFileSync(manifest, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`MANIFEST.tsv has no column '${name}' (header: ${header.join(', ')})`);
    return i;
  };
  const [cFile, cW, cH, cFps, cBd, cFrames] = ['file', 'width', 'height', 'fps', 'bit_depth', 'frames'].map(col);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    const bitDepth = Number(f[cBd]);
    if (bitDepth !== 8 && bitDepth !== 10) throw new Error(`MANIFEST.tsv: unsupported bit depth ${f[cBd]} for ${f[cFile]}`);
    return {
      file: f[cFile],
      path: path.join(dir, f[cFile]),
      width: Number(f[cW]),
      height: Number(f[cH]),
      fps: Number(f[cFps]),
      bitDepth,
      frames: Number(f[cFrames]),
      name: f[cFile].replace(/\.yuv$/, ''),
    };
  });
}

export const encoderPath = () => process.env.NNVVC_ENC ?? path.join(repoRoot, 'codec', 'build', 'nnvvc-enc');
export const decoderPath = () => process.env.NNVVC_DEC ?? path.join(repoRoot, 'codec', 'build', 'nnvvc-dec');

export function isExecutable(p: string | undefined): p is string {
  if (!p) return false;
  try {
    return statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  seconds: number;
}

/** Runs a process without a shell; kills it (SIGKILL) after timeoutMs. Output is capped to keep memory bounded. */
export function runProcess(cmd: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<ProcResult> {
  const cap = 4 << 20;
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { if (stdout.length < cap) stdout += d.toString(); });
    child.stderr.on('data', (d) => { if (stderr.length < cap) stderr += d.toString(); });
    const timer = opts.timeoutMs
      ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, opts.timeoutMs)
      : undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    };
    child.on('error', (err) => { stderr += `spawn error: ${err.message}`; finish(null, null); });
    child.on('close', finish);
  });
}

/** Exit status in words, for messages. */
export function describeExit(r: ProcResult): string {
  if (r.timedOut) return 'timed out (killed)';
  if (r.signal) return `killed by signal ${r.signal}`;
  return `exit code ${r.code}`;
}

/** True when the process died the way a crash does (signal, or the 128+signal codes a shell/sanitizer uses). */
export function looksLikeCrash(r: ProcResult): boolean {
  if (r.signal) return true;
  if (r.code === null) return true;
  // 134 SIGABRT, 136 SIGFPE, 139 SIGSEGV, 132 SIGILL, 135 SIGBUS; sanitizers default to exit code 1 but print a report.
  if ([132, 134, 135, 136, 139].includes(r.code)) return true;
  return /AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|core dumped|terminate called/.test(r.stdout + r.stderr);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoder CLI

export interface EncoderHelp {
  text: string;
  presets: string[];     // as listed in --help, in the order given
  fastest?: string;      // best guess at the fastest preset
  slowest?: string;      // best guess at the most exhaustive preset
  middle?: string;       // 'medium' if listed, else the middle of the speed-ordered list
  presetOption?: string; // e.g. --preset
}

// Speed words ordered fast -> slow (x264/VVenC style names); unknown names keep their listed order.
const SPEED_ORDER = ['trivial', 'ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'default', 'slow', 'slower',
  'veryslow', 'placebo', 'full', 'exhaustive'];

/** Reads `nnvvc-enc --help` and extracts the preset names (from lines that mention "preset"). */
export async function encoderHelp(enc = encoderPath()): Promise<EncoderHelp> {
  const r = await runProcess(enc, ['--help'], { timeoutMs: 20_000 });
  const text = r.stdout + r.stderr;
  return { text, ...parsePresets(text) };
}

export function parsePresets(text: string): Omit<EncoderHelp, 'text'> {
  const lines = text.split('\n');
  const idx = lines.findIndex((l) => /--preset\b/.test(l));
  if (idx < 0) return { presets: [] };
  const presetOption = '--preset';
  // The option's description may run over a few lines; collect words that look like preset names.
  const block = lines.slice(idx, idx + 6).join(' ');
  const listed: string[] = [];
  // Forms: "fast|medium|slow", "{fast,medium,slow}", "(fast, medium, slow)", "one of: fast medium slow".
  const altMatch = block.match(/[A-Za-z0-9_-]+(?:\s*[|,\/]\s*[A-Za-z0-9_-]+)+/g) ?? [];
  for (const m of altMatch) for (const w of m.split(/\s*[|,\/]\s*/)) if (!listed.includes(w)) listed.push(w);
  for (const w of SPEED_ORDER) if (new RegExp(`\\b${w}\\b`).test(block) && !listed.includes(w)) listed.push(w);
  const presets = listed.filter((w) => SPEED_ORDER.includes(w.toLowerCase()) || /^\d+$/.test(w));
  const known = presets.filter((p) => SPEED_ORDER.includes(p.toLowerCase()));
  const bySpeed = [...known].sort((a, b) => SPEED_ORDER.indexOf(a.toLowerCase()) - SPEED_ORDER.indexOf(b.toLowerCase()));
  const middle = bySpeed.find((p) => p.toLowerCase() === 'medium') ?? bySpeed[Math.floor(bySpeed.length / 2)];
  return { presets, presetOption, fastest: bySpeed[0], slowest: bySpeed[bySpeed.length - 1], middle };
}

export interface EncodeOptions {
  seq: SequenceInfo;
  frames: number;
  qp: number;
  bitstream: string;
  recon?: string;
  preset?: string;
  stats?: string;
  timeoutMs?: number;
  extraArgs?: string[];
  config?: 'ai' | 'ra';   // default 'ai'
  intraPeriod?: number;   // ra only (default: the encoder's)
}

export function encoderArgs(o: EncodeOptions): string[] {
  const args = ['-i', o.seq.path, '-s', `${o.seq.width}x${o.seq.height}`, '--fps', String(o.seq.fps),
    '--frames', String(o.frames), '--input-bitdepth', String(o.seq.bitDepth), '--qp', String(o.qp),
    '--config', o.config ?? 'ai', '-b', o.bitstream];
  if (o.intraPeriod) args.push('--intra-period', String(o.intraPeriod));
  if (o.recon) args.push('-o', o.recon);
  if (o.preset) args.push('--preset', o.preset);
  if (o.stats) args.push('--stats', o.stats);
  return args.concat(o.extraArgs ?? []);
}

export function encode(o: EncodeOptions, enc = encoderPath()): Promise<ProcResult> {
  return runProcess(enc, encoderArgs(o), { timeoutMs: o.timeoutMs ?? 300_000 });
}

// ---------------------------------------------------------------------------------------------------------------
// VTM DecoderApp

export interface VtmDecodeResult extends ProcResult {
  version?: string;      // "23.2" parsed from the banner
  pictures: number;      // POC lines printed
  md5Ok: number;         // pictures whose MD5 SEI matched
  md5Error: number;      // pictures whose MD5 SEI mismatched
  md5Missing: number;    // pictures decoded with no hash SEI ("(unk)" or no MD5 field)
  mismatchReported: boolean; // the "***ERROR*** A decoding mismatch" trailer
  errorText?: string;    // VTM exception / error message, if any
}

/** Parses VTM DecoderApp console output (one "POC n ..." line per output picture with [MD5:y,u,v,(OK)]). */
export function parseVtmDecoderOutput(out: string): Omit<VtmDecodeResult, keyof ProcResult> {
  const version = out.match(/VTM Decoder Version ([0-9.]+)/)?.[1];
  let pictures = 0, md5Ok = 0, md5Error = 0, md5Missing = 0;
  for (const line of out.split('\n')) {
    if (!/^POC\s+-?\d+/.test(line)) continue;
    pictures++;
    const hash = line.match(/\[MD5:[^\]]*\]/)?.[0];
    if (!hash) md5Missing++;
    else if (hash.includes('(OK)')) md5Ok++;
    else if (hash.includes('***ERROR***')) md5Error++;
    else md5Missing++;
  }
  const mismatchReported = /\*\*\*ERROR\*\*\* A decoding mismatch/.test(out);
  const err = out.split('\n').find((l) => /^ERROR:|Exception|Assertion|terminate called|what\(\)/.test(l));
  return { version, pictures, md5Ok, md5Error, md5Missing, mismatchReported, errorText: err?.trim() };
}

export async function vtmDecode(app: string, bitstream: string, output: string, timeoutMs = 120_000): Promise<VtmDecodeResult> {
  const r = await runProcess(app, ['-b', bitstream, '-o', output, '-d', '10'], { timeoutMs });
  return { ...r, ...parseVtmDecoderOutput(r.stdout + '\n' + r.stderr) };
}

// ---------------------------------------------------------------------------------------------------------------
// YUV helpers (4:2:0, 10-bit little-endian = 2 bytes per sample)

export function planeSizes(width: number, height: number): { w: number; h: number }[] {
  const cw = (width + 1) >> 1, ch = (height + 1) >> 1;
  return [{ w: width, h: height }, { w: cw, h: ch }, { w: cw, h: ch }];
}

export function frameBytes(width: number, height: number, bytesPerSample: number): number {
  return planeSizes(width, height).reduce((s, p) => s + p.w * p.h, 0) * bytesPerSample;
}

export interface YuvCompare {
  identical: boolean;
  reason?: string;
  firstDiff?: { frame: number; plane: 'Y' | 'U' | 'V'; x: number; y: number; expected: number; actual: number };
  differingSamples?: number;
}

/** Byte-exact comparison of two 10-bit 4:2:0 files; on mismatch locates the first differing sample. */
export function compareYuv10(expectedFile: string, actualFile: string, width: number, height: number, frames: number): YuvCompare {
  if (!existsSync(actualFile)) return { identical: false, reason: `no output file ${actualFile}` };
  if (!existsSync(expectedFile)) return { identical: false, reason: `no reference file ${expectedFile}` };
  const fb = frameBytes(width, height, 2);
  const a = readFileSync(expectedFile);
  const b = readFileSync(actualFile);
  if (a.length !== fb * frames) return { identical: false, reason: `reference is ${a.length} bytes, expected ${fb * frames} (${frames} frames of ${width}x${height} 10-bit)` };
  if (b.length !== a.length) return { identical: false, reason: `output is ${b.length} bytes, expected ${a.length} (${frames} frames of ${width}x${height} 10-bit)` };
  if (a.equals(b)) return { identical: true };
  let first: YuvCompare['firstDiff'];
  let differing = 0;
  const planes = planeSizes(width, height);
  const names = ['Y', 'U', 'V'] as const;
  let off = 0;
  for (let f = 0; f < frames; f++) {
    for (let p = 0; p < 3; p++) {
      const { w, h } = planes[p];
      for (let i = 0; i < w * h; i++, off += 2) {
        const va = a.readUInt16LE(off), vb = b.readUInt16LE(off);
        if (va !== vb) {
          differing++;
          if (!first) first = { frame: f, plane: names[p], x: i % w, y: Math.floor(i / w), expected: va, actual: vb };
        }
      }
    }
  }
  const d = first!;
  return {
    identical: false, firstDiff: first, differingSamples: differing,
    reason: `${differing} samples differ; first at frame ${d.frame} ${d.plane} (${d.x},${d.y}): expected ${d.expected}, got ${d.actual}`,
  };
}

/** Reads `frames` frames of an 8- or 10-bit 4:2:0 file as Uint16 planes (for PSNR). */
export function readYuvFrames(file: string, width: number, height: number, bitDepth: 8 | 10, frames: number, firstFrame = 0): Uint16Array[][] {
  const bps = bitDepth > 8 ? 2 : 1;
  const fb = frameBytes(width, height, bps);
  const fd = openSync(file, 'r');
  try {
    const out: Uint16Array[][] = [];
    const buf = Buffer.alloc(fb);
    for (let f = 0; f < frames; f++) {
      const n = readSync(fd, buf, 0, fb, (firstFrame + f) * fb);
      if (n !== fb) throw new Error(`${file}: frame ${firstFrame + f} is short (${n} of ${fb} bytes)`);
      let off = 0;
      out.push(planeSizes(width, height).map(({ w, h }) => {
        const plane = new Uint16Array(w * h);
        for (let i = 0; i < w * h; i++, off += bps) plane[i] = bps === 2 ? buf.readUInt16LE(off) : buf[off];
        return plane;
      }));
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Locates a hash SEI payload (payloadType 132) in an Annex-B VVC stream; returns byte offsets of its digest. */
export function findPictureHashDigests(stream: Buffer): { offset: number; length: number }[] {
  const found: { offset: number; length: number }[] = [];
  // NAL start positions (after 00 00 01).
  const starts: number[] = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) { starts.push(i + 3); i += 2; }
  }
  for (let k = 0; k < starts.length; k++) {
    const s = starts[k];
    const end = k + 1 < starts.length ? starts[k + 1] - 3 : stream.length;
    if (s + 2 > end) continue;
    const nalType = stream[s + 1] >> 3;
    if (nalType !== 23 && nalType !== 24) continue; // PREFIX_SEI_NUT / SUFFIX_SEI_NUT
    // Walk sei_message()s. Emulation-prevention bytes inside payloads are rare for the small header fields; we
    // only accept a digest whose bytes contain no 00 00 03 pattern so the offsets are exact.
    let p = s + 2;
    while (p < end - 1) {
      let type = 0, size = 0;
      while (stream[p] === 0xff) { type += 255; p++; }
      type += stream[p++];
      while (stream[p] === 0xff) { size += 255; p++; }
      size += stream[p++];
      if (p + size > end) break;
      if (type === 132 && size >= 17) {
        // decoded_picture_hash: hash_type u(8), single_component_flag u(1) + reserved u(7), then 16-byte MD5 per plane.
        const hashType = stream[p];
        if (hashType === 0) {
          const payload = stream.subarray(p, p + size);
          let hasEpb = false;
          for (let i = 0; i + 2 < payload.length; i++) if (payload[i] === 0 && payload[i + 1] === 0 && payload[i + 2] === 3) hasEpb = true;
          if (!hasEpb) found.push({ offset: p + 2, length: size - 2 });
        }
      }
      p += size;
      if (stream[p] === 0x80) break; // rbsp trailing bits
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Conformance cases (shared by the all-intra and random-access suites)

export interface HalfResult {
  status: 'pass' | 'fail' | 'skipped';
  reason?: string;
  seconds?: number;
  md5?: { ok: number; error: number; missing: number; pictures: number };
  version?: string; // VTM version from its banner
}
export interface CaseResult {
  sequence: string;
  width: number;
  height: number;
  bitDepth: number;
  qp: number;
  frames: number;
  preset?: string;
  config?: 'ai' | 'ra';
  intraPeriod?: number;
  extraArgs?: string[];
  encode: { ok: boolean; seconds: number; bytes?: number; reason?: string };
  vtm: HalfResult;
  ours: HalfResult;
}

/**
 * For a stream VTM rejects or decodes differently: when VTM_TRACE_DECODER (a syntax-trace build of VTM's
 * DecoderApp) is set, keep its syntax-element trace next to the failing stream; the first element where it and
 * our writer disagree is usually visible near the end of the trace. Small streams only (traces are large).
 */
async function traceFailure(stream: string, name: string, qp: number, frames: number, failDir: string): Promise<void> {
  const tracer = process.env.VTM_TRACE_DECODER;
  if (!tracer || !isExecutable(tracer) || statSync(stream).size > 512 * 1024) return;
  const out = path.join(failDir, `${name}_qp${qp}_f${frames}.trace.txt`);
  await runProcess(tracer, ['-b', stream, '-o', '/dev/null', `--TraceFile=${out}`, '--TraceRule=D_SYNTAX:poc>=0'], { timeoutMs: 120_000 });
}

export function tail(s: string, n = 600): string {
  const t = s.trim();
  return t.length > n ? '…' + t.slice(-n) : t;
}

/** One conformance case: what to encode and how. */
export interface ConformanceCase {
  seq: SequenceInfo;
  qp: number;
  frames: number;
  preset?: string;
  config?: 'ai' | 'ra';
  intraPeriod?: number;
  extraArgs?: string[];   // further nnvvc-enc options (coding tools that are off by default)
  vtmApp?: string;        // VTM-23.2 DecoderApp (the VTM half is skipped without it)
  hasOurDecoder: boolean;
  failDir: string;        // failing streams and logs are kept here
}

/**
 * Encodes one case with nnvvc-enc, then checks (a) VTM-23.2 DecoderApp: every MD5 SEI OK and output == recon, and
 * (b) nnvvc-dec: output == recon. Both decoders output in output (POC) order, as the encoder writes its recon.
 */
export async function runConformanceCase(cc: ConformanceCase): Promise<CaseResult> {
  const { seq, qp, preset, config, intraPeriod, failDir } = cc;
  const FRAMES = cc.frames;
  const VTM_APP = cc.vtmApp;
  const hasOurDecoder = cc.hasOurDecoder;
  const label = `${seq.name}_${config ?? 'ai'}${intraPeriod ? `_ip${intraPeriod}` : ''}${cc.extraArgs?.length ? `_${cc.extraArgs.join('').replace(/[^a-z0-9]+/gi, '')}` : ''}`;
  const base: Omit<CaseResult, 'encode' | 'vtm' | 'ours'> = {
    sequence: seq.name, width: seq.width, height: seq.height, bitDepth: seq.bitDepth, qp, frames: FRAMES, preset, config, intraPeriod,
    ...(cc.extraArgs?.length ? { extraArgs: cc.extraArgs } : {}),
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nnvvc-conf-'));
  const stream = path.join(dir, 's.266');
  const recon = path.join(dir, 'recon.yuv');
  const keep = (kind: 'enc' | 'vtm' | 'ours', why: string, logs: Record<string, string>) => {
    mkdirSync(failDir, { recursive: true });
    const stem = path.join(failDir, `${label}_qp${qp}_f${FRAMES}`);
    if (existsSync(stream)) copyFileSync(stream, `${stem}.266`);
    writeFileSync(`${stem}.${kind}.log`, `${why}\n\n` + Object.entries(logs).map(([k, v]) => `== ${k}\n${v}`).join('\n'));
  };
  try {
    const e = await encode({ seq, frames: FRAMES, qp, bitstream: stream, recon, preset, config, intraPeriod, extraArgs: cc.extraArgs, timeoutMs: 1_800_000 });
    const expectRecon = frameBytes(seq.width, seq.height, 2) * FRAMES;
    let encReason: string | undefined;
    if (e.code !== 0 || e.signal || e.timedOut) encReason = `nnvvc-enc ${describeExit(e)}: ${tail(e.stderr || e.stdout)}`;
    else if (!existsSync(stream) || statSync(stream).size === 0) encReason = 'nnvvc-enc wrote no bitstream';
    else if (!existsSync(recon) || statSync(recon).size !== expectRecon) {
      encReason = `nnvvc-enc recon is ${existsSync(recon) ? statSync(recon).size : 'missing'} bytes, expected ${expectRecon}`;
    }
    const encodeRes = { ok: !encReason, seconds: e.seconds, bytes: existsSync(stream) ? statSync(stream).size : undefined, reason: encReason };
    if (encReason) {
      keep('enc', encReason, { 'nnvvc-enc stdout': e.stdout, 'nnvvc-enc stderr': e.stderr });
      const r = { status: 'fail' as const, reason: `encode failed: ${encReason}` };
      return { ...base, encode: encodeRes, vtm: VTM_APP ? r : { status: 'skipped', reason: 'VTM_DECODER_APP not set' }, ours: r };
    }

    // (a) VTM-23.2 DecoderApp
    let vtm: HalfResult = { status: 'skipped', reason: 'VTM_DECODER_APP not set' };
    if (VTM_APP) {
      const out = path.join(dir, 'vtm.yuv');
      const d = await vtmDecode(VTM_APP, stream, out, 300_000);
      const md5 = { ok: d.md5Ok, error: d.md5Error, missing: d.md5Missing, pictures: d.pictures };
      let reason: string | undefined;
      if (d.code !== 0 || d.timedOut || d.signal) {
        reason = `VTM DecoderApp ${describeExit(d)}${d.mismatchReported ? ' (MD5 mismatch)' : ''}${d.errorText ? ': ' + d.errorText : ''}`;
      } else if (d.pictures !== FRAMES) reason = `VTM decoded ${d.pictures} pictures, expected ${FRAMES}`;
      else if (d.md5Error > 0) reason = `VTM reports MD5 mismatch on ${d.md5Error}/${d.pictures} pictures`;
      else if (d.md5Missing > 0) reason = `no decoded-picture-hash SEI on ${d.md5Missing}/${d.pictures} pictures`;
      else {
        const c = compareYuv10(recon, out, seq.width, seq.height, FRAMES);
        if (!c.identical) reason = `VTM output != nnvvc-enc recon: ${c.reason}`;
      }
      vtm = { status: reason ? 'fail' : 'pass', reason, seconds: d.seconds, md5, version: d.version };
      if (reason) {
        keep('vtm', reason, { 'VTM stdout': tail(d.stdout, 20000), 'VTM stderr': tail(d.stderr, 20000) });
        await traceFailure(stream, label, qp, FRAMES, failDir);
      }
    }

    // (b) our decoder
    let ours: HalfResult;
    if (!hasOurDecoder) ours = { status: 'fail', reason: `nnvvc-dec not found at ${decoderPath()}` };
    else {
      const out = path.join(dir, 'ours.yuv');
      const d = await runProcess(decoderPath(), ['-b', stream, '-o', out], { timeoutMs: 300_000 });
      let reason: string | undefined;
      if (d.code !== 0 || d.timedOut || d.signal) {
        reason = `nnvvc-dec ${describeExit(d)}${looksLikeCrash(d) ? ' (CRASH)' : ''}: ${tail(d.stderr || d.stdout)}`;
      } else {
        const c = compareYuv10(recon, out, seq.width, seq.height, FRAMES);
        if (!c.identical) reason = `nnvvc-dec output != nnvvc-enc recon: ${c.reason}`;
      }
      ours = { status: reason ? 'fail' : 'pass', reason, seconds: d.seconds };
      if (reason) keep('ours', reason, { 'nnvvc-dec stdout': tail(d.stdout, 20000), 'nnvvc-dec stderr': tail(d.stderr, 20000) });
    }
    return { ...base, encode: encodeRes, vtm, ours };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


/**
 * Runs conformance cases on `jobs` parallel workers; cases not started within `budgetS` seconds fail as "not run"
 * (the message names `budgetVar`). `onDone` prints each result as it arrives. Results are in case order.
 */
export async function runConformanceCases(cases: ConformanceCase[], jobs: number, budgetS: number, budgetVar: string,
  onDone: (r: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i];
      if ((Date.now() - t0) / 1000 > budgetS) {
        const r = { status: 'fail' as const, reason: `not run: suite time budget ${budgetVar}=${budgetS}s exceeded` };
        results[i] = { sequence: c.seq.name, width: c.seq.width, height: c.seq.height, bitDepth: c.seq.bitDepth, qp: c.qp,
          frames: c.frames, preset: c.preset, config: c.config, intraPeriod: c.intraPeriod, encode: { ok: false, seconds: 0, reason: r.reason },
          vtm: c.vtmApp ? r : { status: 'skipped', reason: 'VTM_DECODER_APP not set' }, ours: r };
        continue;
      }
      results[i] = await runConformanceCase(c);
      onDone(results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cases.length) }, worker));
  return results;
}
