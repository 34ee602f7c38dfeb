// Adapters for our own codec CLIs (codec/build/nnvvc-enc, nnvvc-dec) and what the service knows about them:
// the presets nnvvc-enc accepts and the coding structures (configs) it supports. The VTM-23.2 adapters live in
// vtm/adapter.ts; both implement the interfaces in ./tool-adapter.ts.
import { stat } from 'node:fs/promises';
import { execa } from 'execa';
import { runTool } from './exec.js';
import { BadInputError, ToolError } from './errors.js';
import {
  isExecutable, type DecodeRequest, type DecodeResult, type DecoderAdapter, type EncodeRequest, type EncodeResult, type EncoderAdapter,
} from './tool-adapter.js';

/**
 * Every --preset nnvvc-enc accepts, as its --help lists them (test/service/encoder-capabilities.test.ts compares
 * the two). The API refuses any other preset at submission.
 */
export const NNVVC_PRESETS = ['exhaustive', 'slow', 'medium', 'fast', 'faster', 'trivial'] as const;
/** The preset nnvvc-enc uses when none is given. */
export const NNVVC_DEFAULT_PRESET = 'medium';
/** Presets that run the RD partition search (and so accept --split-hints). */
export const RD_PRESETS = ['exhaustive', 'slow', 'medium', 'fast', 'faster'];

export type CodingConfig = 'ai' | 'ra';
export const CODING_CONFIGS: readonly CodingConfig[] = ['ai', 'ra'];

const configCache = new Map<string, Promise<CodingConfig[]>>();

/**
 * The configs an nnvvc-enc binary supports: what `nnvvc-enc --list-configs` prints, one per line. A binary
 * without that option (it exits non-zero) predates random access: all-intra only. Cached per file version.
 */
export async function nnvvcConfigs(file: string): Promise<CodingConfig[]> {
  let st;
  try { st = await stat(file); } catch { return ['ai']; }
  const key = `${file}\0${st.mtimeMs}\0${st.size}`;
  let p = configCache.get(key);
  if (!p) {
    p = (async () => {
      const r = await execa(file, ['--list-configs'], { reject: false, timeout: 10_000, stdin: 'ignore' });
      if (r.exitCode !== 0) return ['ai'];
      const listed = String(r.stdout).split(/\r?\n/).map((l) => l.trim()).filter((l): l is CodingConfig => (CODING_CONFIGS as string[]).includes(l));
      return listed.length ? [...new Set(listed)] : ['ai'];
    })();
    configCache.set(key, p);
  }
  return p;
}

/** Counts finished frames from encoder output: VTM prints one "POC n ..." line per frame, nnvvc-enc "frame n ...". */
export function frameCounter(onFrame?: (n: number) => void): ((line: string) => void) | undefined {
  if (!onFrame) return undefined;
  let done = 0;
  return (line) => {
    if (/^\s*(POC|frame)\s+\d+/i.test(line)) onFrame(++done);
  };
}

/** nnvvc-enc's exit status for a usage error (bad option or value): the job's input is wrong, a retry cannot help. */
export const USAGE_ERROR_EXIT = 2;

/** codec/build/nnvvc-enc (path from NNVVC_ENC). */
export class NnvvcEncoder implements EncoderAdapter {
  readonly name = 'nnvvc-enc';
  constructor(private readonly file: string) {}
  available(): Promise<boolean> { return isExecutable(this.file); }
  async encode(r: EncodeRequest): Promise<EncodeResult> {
    const args = [
      '-i', r.input, '-s', `${r.width}x${r.height}`, '--fps', String(r.fps), '--frames', String(r.frames),
      '--input-bitdepth', String(r.bitDepth), '--qp', String(r.qp), '--config', r.config,
      '-b', r.bitstream, '-o', r.recon,
    ];
    // Random access only; without them the encoder picks its own GOP (32) and intra period.
    if (r.config === 'ra' && r.gopSize !== undefined) args.push('--gop-size', String(r.gopSize));
    if (r.config === 'ra' && r.intraPeriod !== undefined) args.push('--intra-period', String(r.intraPeriod));
    if (r.preset !== undefined) args.push('--preset', r.preset);
    if (r.firstFrame) args.push('--first-frame', String(r.firstFrame));
    if (r.splitHints) args.push('--split-hints', r.splitHints);
    if (r.stats) args.push('--stats', r.stats);
    let seconds: number;
    try {
      ({ seconds } = await runTool({
        file: this.file, args, logFile: r.logFile, signal: r.signal, timeoutMs: r.timeoutMs, onLine: frameCounter(r.onFrame),
      }));
    } catch (e) {
      if (e instanceof ToolError && e.exitCode === USAGE_ERROR_EXIT) {
        throw new BadInputError(`${this.name} refused the job: ${e.stderr || 'usage error (exit 2)'}`);
      }
      throw e;
    }
    const bytes = (await stat(r.bitstream)).size;
    return { bitstream: r.bitstream, recon: r.recon, encodeSeconds: seconds, bits: bytes * 8, encoderName: this.name };
  }
}

/** codec/build/nnvvc-dec (path from NNVVC_DEC); exits non-zero on an MD5 SEI mismatch. */
export class NnvvcDecoder implements DecoderAdapter {
  readonly name = 'nnvvc-dec';
  constructor(private readonly file: string) {}
  available(): Promise<boolean> { return isExecutable(this.file); }
  async decode(r: DecodeRequest): Promise<DecodeResult> {
    const { seconds } = await runTool({ file: this.file, args: ['-b', r.bitstream, '-o', r.output], logFile: r.logFile, signal: r.signal });
    return { output: r.output, md5Ok: true, seconds };
  }
}
