// Error kinds the pipeline distinguishes: bad input is never retried; tool crashes are (with backoff);
// cancellation is neither a failure of the input nor of the tool.

/** The job's input or request cannot succeed however often it is retried. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

/** An external program failed (non-zero exit, signal, timeout). Retried with backoff. */
export class ToolError extends Error {
  override name = 'ToolError';
  /** exitCode: undefined when killed by a signal or timed out; stderr: the program's last words (stderrSummary). */
  constructor(message: string, readonly logFile?: string, readonly exitCode?: number, readonly stderr?: string) { super(message); }
}

/** The job's AbortSignal fired (user cancel or shutdown hand-back). */
export class CancelledError extends Error {
  override name = 'CancelledError';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError(String(signal.reason ?? 'aborted'));
}

/** A decoder disagreed with the encoder's reconstruction, or failed: deterministic, so never retried. */
export class VerificationError extends Error {
  override name = 'VerificationError';
}
