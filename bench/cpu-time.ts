// The benches' CPU-time measurement: an encoder run through sh, whose `times` builtin reports the child's user and
// system time (the 2 cores here are shared, so wall time is noisy), and the median of repeated runs (the machine's
// speed drifts by several % between minutes).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `file args` and returns its output and CPU seconds (user + sys of the child). Rejects as execFile does. */
export async function runCpuTimed(file: string, args: string[]): Promise<{ stdout: string; stderr: string; cpu: number }> {
  const r = await run('sh', ['-c', '"$0" "$@"; rc=$?; times >&2; exit $rc', file, ...args], { maxBuffer: 1 << 24 });
  // the last line of stderr is `times`' children line: "0m1.234s 0m0.056s"
  const t = r.stderr.trim().split('\n').pop()!.trim().split(/\s+/).map((x) => { const mm = /^(\d+)m([\d.]+)s$/.exec(x); return mm ? 60 * +mm[1] + +mm[2] : NaN; });
  return { stdout: r.stdout, stderr: r.stderr, cpu: t[0] + t[1] };
}

export function median(xs: number[]): number {
  const a = [...xs].sort((p, q) => p - q);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
}
