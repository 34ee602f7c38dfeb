// Disk-full handling shared by the API (uploads) and the worker (job artifacts): recognise ENOSPC / EDQUOT, say
// what could not be written, and write files under a temporary name in their own folder, renamed into place at the
// end, so a failed write never leaves a half-written file behind.
import { rename, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type NoSpaceCode = 'ENOSPC' | 'EDQUOT';

const NO_SPACE_TEXT: [RegExp, NoSpaceCode][] = [[/no space left on device|\bENOSPC\b/i, 'ENOSPC'], [/disk quota exceeded|\bEDQUOT\b/i, 'EDQUOT']];

/** Below this many available bytes a failed write or a failed external program is put down to a full disk. */
export const FULL_DISK_BYTES = 1024 * 1024;

/** ENOSPC / EDQUOT when `err` is a file system error of that kind (Node's `code`), else null. */
export function noSpaceCode(err: unknown): NoSpaceCode | null {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? code : null;
}

/** ENOSPC / EDQUOT when a program's message (e.g. its stderr) says the disk or quota is full, else null. */
export function noSpaceInText(text: string | undefined): NoSpaceCode | null {
  if (!text) return null;
  for (const [re, code] of NO_SPACE_TEXT) if (re.test(text)) return code;
  return null;
}

export function describeNoSpace(code: NoSpaceCode): string {
  return code === 'EDQUOT' ? 'disk quota exceeded (EDQUOT)' : 'no space left on device (ENOSPC)';
}

/** A file could not be written because the disk (or the quota) is full. `file` is shown as given (relative to DATA_DIR). */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(readonly what: string, readonly file: string, readonly code: NoSpaceCode, detail?: string) {
    super(`insufficient storage: could not write ${what} (${file}): ${describeNoSpace(code)}${detail ? `; ${detail}` : ''}`);
  }
}

/** Bytes the calling user may still write on the file system holding `dir`, or null when unknown. */
export async function availableBytes(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/**
 * Whether a failed external program (encoder, decoder) most likely failed because the disk is full: its message
 * says so, or less than FULL_DISK_BYTES are left where it was writing. Returns the code, or null.
 */
export async function toolFailedForSpace(err: unknown, dir: string): Promise<NoSpaceCode | null> {
  const e = err as { message?: string; stderr?: string } | null | undefined;
  const said = noSpaceCode(err) ?? noSpaceInText(e?.stderr) ?? noSpaceInText(e?.message);
  if (said) return said;
  const free = await availableBytes(dir);
  return free !== null && free < FULL_DISK_BYTES ? 'ENOSPC' : null;
}

/** A private temporary name next to `file` (same folder, so the final rename never crosses file systems). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
}

/** writeFile under a temporary name in the same folder, renamed into place; the temporary is removed on any error. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    // a failed write(2) carries no path: name the file it was for (what a 507 / a job's error then shows)
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e === 'object' && (!e.path || e.path === tmp)) e.path = file;
    throw err;
  }
}
