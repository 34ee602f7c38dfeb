// Encoder/decoder adapters (interfaces fixed by notes/service-contract.md). Implementations here run our own
// codec CLIs; the VTM adapters come from vtm/adapter.ts (engineer M).
import { access, constants, stat } from 'node:fs/promises';
import { runTool } from './exec.js';

export interface EncodeRequest {
  input: string; width: number; height: number; bitDepth: 8 | 10; fps: number; frames: number;
  qp: number; config: 'ra' | 'ai'; intraPeriod?: number; preset?: string;
  bitstream: string; recon: string; stats?: string; splitHints?: string; logFile: string;
  signal?: AbortSignal; timeoutMs?: number; onFrame?: (framesDone: number) => void;
}
export interface EncodeResult {
  bitstream: string; recon: string; encodeSeconds: number; bits: number;
  psnr?: { y: number; u: number; v: number }; encoderName: string;
}
export interface EncoderAdapter { name: string; available(): Promise<boolean>; encode(r: EncodeRequest): Promise<EncodeResult>; }
export interface DecodeRequest { bitstream: string; output: string; logFile: string; signal?: AbortSignal }
export interface DecodeResult { output: string; md5Ok: boolean; seconds: number }
export interface DecoderAdapter { name: string; available(): Promise<boolean>; decode(r: DecodeRequest): Promise<DecodeResult>; }

export async function isExecutable(file: string | undefined): Promise<boolean> {
  if (!file) return false;
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Counts finished frames from encoder output: VTM prints one "POC n ..." line per frame, nnvvc-enc "frame n ...". */
export function frameCounter(onFrame?: (n: number) => void): ((line: string) => void) | undefined {
  if (!onFrame) return undefined;
  let done = 0;
  return (line) => {
    if (/^\s*(POC|frame)\s+\d+/i.test(line)) onFrame(++done);
  };
}

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
    if (r.intraPeriod !== undefined) args.push('--intra-period', String(r.intraPeriod));
    if (r.preset !== undefined) args.push('--preset', r.preset);
    if (r.splitHints) args.push('--split-hints', r.splitHints);
    if (r.stats) args.push('--stats', r.stats);
    const { seconds } = await runTool({
      file: this.file, args, logFile: r.logFile, signal: r.signal, timeoutMs: r.timeoutMs, onLine: frameCounter(r.onFrame),
    });
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

// ---- VTM ------------------------------------------------------------------------------------------------------
// VTM adapters are engineer M's (vtm/adapter.ts): they run VTM_ENCODER_APP / VTM_DECODER_APP with our anchor cfgs.
export { VtmEncoder, VtmDecoder } from '../../vtm/adapter.js';
