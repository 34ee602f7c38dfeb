// Adapter for the external VTM-23.2 tools (EncoderApp / DecoderApp), given only by path through the env vars
// VTM_ENCODER_APP / VTM_DECODER_APP. Encodes use OUR anchor configurations in vtm/cfg plus per-sequence args.
import { createWriteStream, existsSync } from 'node:fs';
import { access, constants, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseDecoderLog, parseEncoderLog, parseVtmVersion, type VtmDecoderSummary, type VtmEncoderSummary } from './parse.js';
import { CancelledError, ToolError } from '../src/worker/errors.js';
import { anchorGopSize, defaultIntraPeriod } from '../src/quality/anchors.js';
import type { DecodeRequest, DecodeResult, DecoderAdapter, EncodeRequest, EncodeResult, EncoderAdapter } from '../src/worker/tool-adapter.js';

export const VTM_REQUIRED_VERSION = '23.2';

export class VtmError extends Error {
  constructor(message: string) { super(message); this.name = 'VtmError'; }
}

/** Directory holding encoder_randomaccess_anchor.cfg (GOP 32), encoder_randomaccess_anchor_gop16.cfg, encoder_intra_anchor.cfg. */
export function anchorCfgDir(): string {
  if (process.env.VTM_ANCHOR_CFG_DIR) return path.resolve(process.env.VTM_ANCHOR_CFG_DIR);
  const here = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cfg');
  if (existsSync(here)) return here;
  return path.resolve('vtm/cfg'); // running from a compiled dist/ tree
}

/**
 * The anchor configuration: all-intra, or random access with VTM-23.2's own GOP 32 table (encoder_randomaccess_vtm.cfg)
 * wherever the intra period is a multiple of 32, else (VTM needs a multiple of its GOP) the earlier CTC GOP 16 table.
 */
export function anchorCfgFile(config: 'ra' | 'ai', intraPeriod?: number): string {
  if (config === 'ai') return path.join(anchorCfgDir(), 'encoder_intra_anchor.cfg');
  const gop = intraPeriod === undefined ? 32 : anchorGopSize(intraPeriod);
  return path.join(anchorCfgDir(), gop === 32 ? 'encoder_randomaccess_anchor.cfg' : 'encoder_randomaccess_anchor_gop16.cfg');
}

/** Random-access intra period: the multiple of the GOP (32) nearest to one second: 24/25/30 -> 32, 50 and 60 -> 64. */
export { defaultIntraPeriod } from '../src/quality/anchors.js';

const versionCache = new Map<string, Promise<string>>();

/** Runs the binary without valid args to read its banner; throws a VtmError naming the problem. */
export function checkVtmBinary(app: string | undefined, envName: string): Promise<string> {
  if (!app) return Promise.reject(new VtmError(`${envName} is not set: give the path of the VTM-${VTM_REQUIRED_VERSION} binary`));
  let p = versionCache.get(app);
  if (!p) {
    p = (async () => {
      try { await access(app, constants.X_OK); } catch {
        throw new VtmError(`${envName}=${app}: file is missing or not executable`);
      }
      const r = await execa(app, ['--version'], { reject: false, timeout: 20_000, all: true });
      const v = parseVtmVersion(r.all ?? '');
      if (!v) throw new VtmError(`${envName}=${app}: no "VTM ... Version" banner in its output; is it a VTM binary?`);
      if (v !== VTM_REQUIRED_VERSION) throw new VtmError(`${envName}=${app}: VTM version ${v}, need ${VTM_REQUIRED_VERSION}`);
      return v;
    })();
    versionCache.set(app, p);
    p.catch(() => versionCache.delete(app));
  }
  return p;
}

export interface VtmEncodeResult extends EncodeResult { vtm: VtmEncoderSummary; args: string[]; }
export interface VtmDecodeResult extends DecodeResult { vtm: VtmDecoderSummary; frames: number; }

export function vtmEncoderArgs(r: EncodeRequest): string[] {
  if (!Number.isInteger(r.qp) || r.qp < -12 || r.qp > 63) throw new VtmError(`qp=${r.qp}: VTM takes an integer QP`);
  const intraPeriod = r.config === 'ra' ? r.intraPeriod ?? defaultIntraPeriod(r.fps) : undefined;
  const args = [
    '-c', anchorCfgFile(r.config, intraPeriod),
    '-i', r.input, '-b', r.bitstream, '-o', r.recon,
    '-wdt', String(r.width), '-hgt', String(r.height), '-fr', String(r.fps), '-f', String(r.frames),
    `--InputBitDepth=${r.bitDepth}`, '--InternalBitDepth=10', '--OutputBitDepth=10',
    `--InputChromaFormat=420`, '-q', String(r.qp),
  ];
  if (intraPeriod !== undefined) args.push(`--IntraPeriod=${intraPeriod}`);
  return args;
}

export interface VtmEncoderOptions {
  /** Appended after our args, e.g. ['--PrintHexPSNR=1'] to get VTM's exact PSNR doubles. */
  extraArgs?: string[];
}

export class VtmEncoder implements EncoderAdapter {
  readonly name = `VTM-${VTM_REQUIRED_VERSION}`;
  constructor(private readonly app: string | undefined = process.env.VTM_ENCODER_APP, private readonly opts: VtmEncoderOptions = {}) {}

  async available(): Promise<boolean> {
    try { await checkVtmBinary(this.app, 'VTM_ENCODER_APP'); return true; } catch { return false; }
  }

  async encode(r: EncodeRequest): Promise<VtmEncodeResult> {
    await checkVtmBinary(this.app, 'VTM_ENCODER_APP');
    const args = [...vtmEncoderArgs(r), ...(this.opts.extraArgs ?? [])];
    const started = performance.now();
    const log = createWriteStream(r.logFile);
    await new Promise<void>((res, rej) => { log.once('open', () => res()); log.once('error', rej); });
    log.write(`$ ${this.app} ${args.join(' ')}\n`);
    const child = execa(this.app!, args, {
      reject: false, all: true, buffer: true, cancelSignal: r.signal, timeout: r.timeoutMs, forceKillAfterDelay: 2000,
    });
    let framesDone = 0;
    let partial = '';
    child.all?.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (!r.onFrame) return;
      partial += chunk.toString('latin1');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (/^POC\s+-?\d+/.test(l)) r.onFrame(++framesDone);
    });
    const res = await child;
    const encodeSeconds = (performance.now() - started) / 1000;
    await new Promise<void>((ok) => log.end(ok));
    if (res.isCanceled) throw new CancelledError(String(r.signal?.reason ?? 'VTM encode cancelled'));
    if (res.timedOut) throw new ToolError(`VTM encode timed out after ${r.timeoutMs} ms`, r.logFile);
    const text = res.all ?? '';
    if (res.exitCode !== 0) {
      const tail = text.split('\n').filter((l) => l.trim()).slice(-5).join(' | ');
      throw new ToolError(`VTM EncoderApp exited with ${res.exitCode ?? res.signal}: ${tail} (log: ${r.logFile})`, r.logFile);
    }
    const vtm = parseEncoderLog(text);
    if (vtm.totalFrames !== r.frames) throw new ToolError(`VTM encoded ${vtm.totalFrames} frames, asked for ${r.frames}`);
    const bytes = (await stat(r.bitstream)).size;
    return {
      bitstream: r.bitstream, recon: r.recon, encodeSeconds, bits: bytes * 8,
      psnr: { y: vtm.psnr.y, u: vtm.psnr.u, v: vtm.psnr.v }, encoderName: this.name, vtm, args,
    };
  }
}

export class VtmDecoder implements DecoderAdapter {
  readonly name = `VTM-${VTM_REQUIRED_VERSION}`;
  constructor(private readonly app: string | undefined = process.env.VTM_DECODER_APP) {}

  async available(): Promise<boolean> {
    try { await checkVtmBinary(this.app, 'VTM_DECODER_APP'); return true; } catch { return false; }
  }

  /** md5Ok is true only when the decoder exits 0, decodes at least one picture and every picture's MD5 SEI matched. */
  async decode(r: DecodeRequest): Promise<VtmDecodeResult> {
    await checkVtmBinary(this.app, 'VTM_DECODER_APP');
    const args = ['-b', r.bitstream, '-o', r.output, '-d', '10'];
    const started = performance.now();
    const res = await execa(this.app!, args, { reject: false, all: true, cancelSignal: r.signal, forceKillAfterDelay: 2000 });
    const seconds = (performance.now() - started) / 1000;
    const text = res.all ?? '';
    await writeFile(r.logFile, `$ ${this.app} ${args.join(' ')}\n${text}`);
    if (res.isCanceled) throw new CancelledError(String(r.signal?.reason ?? 'VTM decode cancelled'));
    const vtm = parseDecoderLog(text);
    if (res.exitCode !== 0 && vtm.frames.length === 0) {
      const tail = text.split('\n').filter((l) => l.trim()).slice(-3).join(' | ');
      throw new ToolError(`VTM DecoderApp exited with ${res.exitCode ?? res.signal} without decoding a picture: ${tail} (log: ${r.logFile})`);
    }
    const md5Ok = res.exitCode === 0 && vtm.frames.length > 0 && vtm.md5Ok === vtm.frames.length && !vtm.mismatchReported;
    return { output: r.output, md5Ok, seconds, vtm, frames: vtm.frames.length };
  }
}
