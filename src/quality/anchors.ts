// The VTM-23.2 anchor tables: per QP the anchor's rate, PSNRs and encode time, for one sequence (by sha256),
// configuration and frame count. Stored as JSON files under DATA_DIR/anchors/<key>.json, written by "anchor"
// jobs or imported (JSON or CSV with the challenge's columns qp,kbps,psnrY,psnrU,psnrV,encodeSeconds).
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { combinePsnr } from './psnr.js';
import type { MachineInfo } from './machine.js';

export const ANCHOR_QPS = [22, 27, 32, 37];
export const ANCHOR_ENCODER = 'VTM-23.2';
/** GOP of VTM-23.2's random-access configuration (encoder_randomaccess_vtm.cfg), the anchor's and our default. */
export const RA_GOP_SIZE = 32;
export const RA_GOP_SIZES = [16, 32] as const;

export interface AnchorPoint {
  qp: number; kbps: number; psnrY: number; psnrU: number; psnrV: number;
  /** (6Y+U+V)/8, derived. */
  psnrYuv: number;
  encodeSeconds: number;
  bits?: number;
  /** VTM's own printed rate (NAL bytes without SEI), for reference. */
  vtmKbps?: number;
  /** VTM's printed CPU (user) time. */
  userSeconds?: number;
}

export interface AnchorTable {
  key: string;
  sequence: { sha256: string; name?: string; width?: number; height?: number; bitDepth?: number; fps?: number; id?: string };
  config: 'ra' | 'ai';
  frames: number;
  intraPeriod?: number;
  /** ra, computed: the GOP size of the VTM configuration it was encoded with (tables stored before GOP 32 became the
   * anchor's lack it: they were GOP 16). */
  gopSize?: number;
  encoder: string;
  source: 'computed' | 'imported';
  machine?: Partial<MachineInfo>;
  jobId?: string;
  createdAt: string;
  points: AnchorPoint[];
}

export class AnchorValidationError extends Error {
  constructor(message: string, readonly details?: unknown) { super(message); this.name = 'AnchorValidationError'; }
}

const SHA_RE = /^[0-9a-f]{64}$/;
const KEY_RE = /^[0-9a-f]{64}\.(ra|ai)\.\d+f(\.ip\d+)?$/;

/**
 * Random-access intra period when a job gives none: the multiple of the GOP size nearest to one second, as the
 * common test conditions and nnvvc-enc's own default (codec/src/encoder/gop_plan.cpp) choose it. GOP 32 (default):
 * 24/25/30 fps -> 32, 50 and 60 fps -> 64, 12 fps -> 32; GOP 16: 32, 48, 64, 16. The anchor and our encoder use the
 * same one.
 */
export function defaultIntraPeriod(fps: number, gopSize: number = RA_GOP_SIZE): number {
  return Math.max(1, Math.floor(fps / gopSize + 0.5)) * gopSize;
}

/**
 * GOP size of the VTM anchor for an intra period: VTM-23.2's RA configuration (GOP 32) wherever the intra period is a
 * multiple of 32; VTM needs the intra period to be a multiple of its GOP, so other multiples of 16 get the GOP-16 table.
 */
export function anchorGopSize(intraPeriod: number): number {
  return intraPeriod % RA_GOP_SIZE === 0 ? RA_GOP_SIZE : 16;
}

/** The intra period that goes into an anchor key: none for AI or when it is the default for the frame rate. */
export function keyIntraPeriod(config: 'ra' | 'ai', fps: number, intraPeriod?: number): number | undefined {
  return config === 'ra' && intraPeriod !== undefined && intraPeriod !== defaultIntraPeriod(fps) ? intraPeriod : undefined;
}

export function anchorKey(sha256: string, config: 'ra' | 'ai', frames: number, intraPeriod?: number): string {
  if (!SHA_RE.test(sha256)) throw new AnchorValidationError(`sha256=${JSON.stringify(sha256)} must be 64 lowercase hex digits`);
  if (config !== 'ra' && config !== 'ai') throw new AnchorValidationError(`config=${JSON.stringify(config)} must be 'ra' or 'ai'`);
  if (!Number.isInteger(frames) || frames < 1) throw new AnchorValidationError(`frames=${frames} must be a positive integer`);
  // The intra period is part of the key only when it was not the default chosen from the frame rate.
  return `${sha256}.${config}.${frames}f${intraPeriod !== undefined && config === 'ra' ? `.ip${intraPeriod}` : ''}`;
}

export function isAnchorKey(key: string): boolean { return KEY_RE.test(key); }

export const ANCHOR_COLUMNS = ['qp', 'kbps', 'psnrY', 'psnrU', 'psnrV', 'encodeSeconds'] as const;

/** Checks one row of an anchor table; returns the normalized point or throws naming the row and field. */
export function validateAnchorPoint(raw: unknown, where: string): AnchorPoint {
  if (!raw || typeof raw !== 'object') throw new AnchorValidationError(`${where}: expected an object with ${ANCHOR_COLUMNS.join(', ')}`);
  const r = raw as Record<string, unknown>;
  const num = (k: string, opt = false): number | undefined => {
    const v = r[k];
    if (v === undefined || v === null || v === '') {
      if (opt) return undefined;
      throw new AnchorValidationError(`${where}: missing ${k}`);
    }
    const n = typeof v === 'string' ? Number(v.trim()) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new AnchorValidationError(`${where}: ${k}=${JSON.stringify(v)} is not a number`);
    return n;
  };
  const qp = num('qp')!, kbps = num('kbps')!, psnrY = num('psnrY')!, psnrU = num('psnrU')!, psnrV = num('psnrV')!;
  const encodeSeconds = num('encodeSeconds')!;
  if (!Number.isInteger(qp) || qp < -12 || qp > 63) throw new AnchorValidationError(`${where}: qp=${qp} must be an integer in [-12, 63]`);
  if (!(kbps > 0)) throw new AnchorValidationError(`${where}: kbps=${kbps} must be > 0`);
  for (const [k, v] of [['psnrY', psnrY], ['psnrU', psnrU], ['psnrV', psnrV]] as const) {
    if (!(v > 0 && v <= 999.99)) throw new AnchorValidationError(`${where}: ${k}=${v} must be in (0, 999.99] dB`);
  }
  if (!(encodeSeconds >= 0)) throw new AnchorValidationError(`${where}: encodeSeconds=${encodeSeconds} must be >= 0`);
  const p: AnchorPoint = { qp, kbps, psnrY, psnrU, psnrV, psnrYuv: combinePsnr({ y: psnrY, u: psnrU, v: psnrV }), encodeSeconds };
  const bits = num('bits', true), vtmKbps = num('vtmKbps', true), userSeconds = num('userSeconds', true);
  if (bits !== undefined) p.bits = bits;
  if (vtmKbps !== undefined) p.vtmKbps = vtmKbps;
  if (userSeconds !== undefined) p.userSeconds = userSeconds;
  return p;
}

export function validateAnchorPoints(rows: unknown[]): AnchorPoint[] {
  if (!Array.isArray(rows) || rows.length === 0) throw new AnchorValidationError('anchor table has no rows');
  if (rows.length > 16) throw new AnchorValidationError(`anchor table has ${rows.length} rows; at most 16`);
  const pts = rows.map((r, i) => validateAnchorPoint(r, `row ${i + 1}`));
  const seen = new Set<number>();
  for (const p of pts) {
    if (seen.has(p.qp)) throw new AnchorValidationError(`qp ${p.qp} appears twice`);
    seen.add(p.qp);
  }
  pts.sort((a, b) => a.qp - b.qp);
  // Higher QP must give fewer bits; a table breaking that is mislabelled.
  for (let i = 1; i < pts.length; i++) {
    if (!(pts[i].kbps < pts[i - 1].kbps)) throw new AnchorValidationError(`kbps must fall as qp rises: qp ${pts[i - 1].qp} -> ${pts[i - 1].kbps}, qp ${pts[i].qp} -> ${pts[i].kbps}`);
  }
  return pts;
}

/** CSV with a header row naming (at least) the challenge's columns, in any order; ',' or ';' or tab separated. */
export function parseAnchorCsv(text: string): AnchorPoint[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length < 2) throw new AnchorValidationError(`CSV needs a header row and at least one data row (got ${lines.length} line(s))`);
  const sep = lines[0].includes('\t') ? '\t' : lines[0].includes(';') ? ';' : ',';
  const header = lines[0].split(sep).map((h) => h.trim().replace(/^"|"$/g, ''));
  const missing = ANCHOR_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) throw new AnchorValidationError(`CSV header lacks column(s) ${missing.join(', ')}; need ${ANCHOR_COLUMNS.join(',')}`, { header });
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(sep).map((c) => c.trim().replace(/^"|"$/g, ''));
    if (cells.length !== header.length) throw new AnchorValidationError(`CSV row ${i + 1}: ${cells.length} cells, header has ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, cells[j]]));
  });
  return validateAnchorPoints(rows);
}

export function anchorsDir(dataDir: string): string { return path.join(dataDir, 'anchors'); }

export class AnchorStore {
  constructor(readonly dataDir: string) {}
  private file(key: string): string {
    if (!isAnchorKey(key)) throw new AnchorValidationError(`anchor key ${JSON.stringify(key)} is malformed (expected <sha256>.<ra|ai>.<frames>f[.ip<N>])`);
    return path.join(anchorsDir(this.dataDir), `${key}.json`);
  }
  async get(key: string): Promise<AnchorTable | undefined> {
    try { return JSON.parse(await readFile(this.file(key), 'utf8')) as AnchorTable; } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  async put(t: AnchorTable): Promise<AnchorTable> {
    const file = this.file(t.key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, JSON.stringify(t, null, 2) + '\n');
    await rename(tmp, file);
    return t;
  }
  async list(): Promise<AnchorTable[]> {
    let names: string[];
    try { names = await readdir(anchorsDir(this.dataDir)); } catch { return []; }
    const out: AnchorTable[] = [];
    for (const n of names.filter((x) => x.endsWith('.json')).sort()) {
      const t = await this.get(n.slice(0, -5)).catch(() => undefined);
      if (t) out.push(t);
    }
    return out;
  }
}

/** The anchor point to compare a rate point with: same QP when the anchor has it, else the nearest rate. */
export function anchorPointFor(table: AnchorTable, p: { qp?: number; targetKbps?: number; kbps: number }): AnchorPoint | undefined {
  if (p.qp !== undefined && p.targetKbps === undefined) {
    const same = table.points.find((a) => a.qp === p.qp);
    if (same) return same;
  }
  const ref = p.targetKbps ?? p.kbps;
  let best: AnchorPoint | undefined;
  for (const a of table.points) if (!best || Math.abs(Math.log(a.kbps / ref)) < Math.abs(Math.log(best.kbps / ref))) best = a;
  return best;
}

/**
 * The stored anchor for a job's sequence/config/frames, if any. A computed random-access table encoded with another
 * GOP than the anchor's for that intra period (those stored while the anchor was GOP 16) is stale: not returned, so
 * an anchor job computes it again.
 */
export async function findAnchor(dataDir: string, o: { sha256: string; config: 'ra' | 'ai'; frames: number; fps: number; intraPeriod?: number }): Promise<AnchorTable | undefined> {
  let t: AnchorTable | undefined;
  try { t = await new AnchorStore(dataDir).get(anchorKey(o.sha256, o.config, o.frames, keyIntraPeriod(o.config, o.fps, o.intraPeriod))); } catch { return undefined; }
  if (!t) return undefined;
  if (o.config === 'ra' && t.source === 'computed' && (t.gopSize ?? 16) !== anchorGopSize(o.intraPeriod ?? defaultIntraPeriod(o.fps))) return undefined;
  return t;
}
