// Runs one external program (encoder / decoder) with a timeout, cancellation and its output appended to a
// log file under the job's logs/. Lines are handed to onLine so adapters can report per-frame progress.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CancelledError, ToolError } from './errors.js';

export interface RunToolOptions {
  file: string;
  args: string[];
  logFile: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  onLine?: (line: string) => void;
  cwd?: string;
}

export interface RunToolResult { seconds: number; output: string }

/** Keeps at most this much of the program's output in memory (for parsing summaries); all of it goes to the log. */
const KEEP_OUTPUT_CHARS = 256 * 1024;
/** The end of stderr kept for error messages. */
const KEEP_STDERR_CHARS = 4096;

/** The program's own words for a failure: the last non-empty stderr lines, at most ~300 characters. */
export function stderrSummary(stderr: string): string {
  const lines = stderr.split(/\r?\n|\r/).map((l) => l.trim()).filter(Boolean);
  let out = '';
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 3; i--) {
    const next = out ? `${lines[i]} | ${out}` : lines[i];
    if (next.length > 300) break;
    out = next;
  }
  return out || (lines.length ? `${lines[lines.length - 1].slice(0, 297)}...` : '');
}

export async function runTool(o: RunToolOptions): Promise<RunToolResult> {
  await mkdir(path.dirname(o.logFile), { recursive: true });
  const log = createWriteStream(o.logFile, { flags: 'a' });
  // A log that cannot be written (disk full) must not crash the process ('error' without a listener throws): the
  // first error is kept and reported once the program has ended.
  let logError: NodeJS.ErrnoException | null = null;
  log.on('error', (err: NodeJS.ErrnoException) => { err.path ??= o.logFile; logError ??= err; });
  const name = path.basename(o.file);
  log.write(`$ ${o.file} ${o.args.join(' ')}\n`);
  const started = process.hrtime.bigint();
  let kept = '';
  let stderr = '';
  let partial = '';
  try {
    const sub = execa(o.file, o.args, {
      cancelSignal: o.signal,
      timeout: o.timeoutMs,
      forceKillAfterDelay: 3000,
      all: true,
      buffer: false,
      reject: false,
      stdin: 'ignore',
      cwd: o.cwd,
    });
    sub.all?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log.write(text);
      if (kept.length < KEEP_OUTPUT_CHARS) kept += text.slice(0, KEEP_OUTPUT_CHARS - kept.length);
      if (o.onLine) {
        const lines = (partial + text).split(/\r?\n|\r/);
        partial = lines.pop() ?? '';
        for (const line of lines) o.onLine(line);
      }
    });
    sub.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-KEEP_STDERR_CHARS);
    });
    const r = await sub;
    if (o.onLine && partial) o.onLine(partial);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log.write(`# exit=${r.exitCode ?? 'none'} signal=${r.signal ?? 'none'} seconds=${seconds.toFixed(3)}\n`);
    const where = `see logs/${path.basename(o.logFile)}`;
    if (r.isCanceled) throw new CancelledError(`${name} cancelled`);
    if (r.timedOut) throw new ToolError(`${name} timed out after ${o.timeoutMs} ms (${where})`, o.logFile);
    if (r.failed) {
      const how = r.exitCode !== undefined ? `exited with code ${r.exitCode}` : `was killed by ${r.signal}`;
      const detail = r.code === 'ENOENT' ? 'program not found' : how;
      const said = stderrSummary(stderr);
      throw new ToolError(`${name} ${detail}${said ? `: ${said}` : ''} (${where})`, o.logFile, r.exitCode, said);
    }
    if (logError) throw logError;
    return { seconds, output: kept };
  } finally {
    await new Promise<void>((resolve) => { if (log.destroyed) resolve(); else log.end(() => resolve()); });
  }
}
