// The interfaces every encoder/decoder adapter implements: ours (src/worker/encoders.ts, running codec/build's
// nnvvc-enc/nnvvc-dec) and VTM-23.2's (vtm/adapter.ts). Both import them from here, so neither imports the other.
import { access, constants, stat } from 'node:fs/promises';

export interface EncodeRequest {
  input: string; width: number; height: number; bitDepth: 8 | 10; fps: number; frames: number;
  /** First frame of the input to encode (segments; nnvvc-enc --first-frame): POCs stay the input's frame numbers. */
  firstFrame?: number;
  qp: number; config: 'ra' | 'ai';
  /** Random access only: frames between intra pictures; undefined = the encoder's own default. */
  intraPeriod?: number;
  /** Random access only: GOP size (nnvvc-enc --gop-size); undefined = the encoder's default. VTM takes its anchor's. */
  gopSize?: number;
  preset?: string;
  bitstream: string; recon: string; stats?: string; splitHints?: string; logFile: string;
  signal?: AbortSignal; timeoutMs?: number;
  /** Called with the number of frames this encode has finished so far (1, 2, ... frames). */
  onFrame?: (framesDone: number) => void;
}
export interface EncodeResult {
  bitstream: string; recon: string; encodeSeconds: number; bits: number;
  psnr?: { y: number; u: number; v: number }; encoderName: string;
}
export interface EncoderAdapter { name: string; available(): Promise<boolean>; encode(r: EncodeRequest): Promise<EncodeResult>; }

export interface DecodeRequest { bitstream: string; output: string; logFile: string; signal?: AbortSignal }
export interface DecodeResult { output: string; md5Ok: boolean; seconds: number }
export interface DecoderAdapter { name: string; available(): Promise<boolean>; decode(r: DecodeRequest): Promise<DecodeResult>; }

/** True when `file` is an executable regular file. */
export async function isExecutable(file: string | undefined): Promise<boolean> {
  if (!file) return false;
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
