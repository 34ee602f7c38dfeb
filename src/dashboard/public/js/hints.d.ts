// Types for hints.js.
export interface FrameHints {
  width: number; height: number; grid: number; cols: number; rows: number; frames?: number; aggressiveness?: number;
  /** Version 2 (probability) hints: the file's per-node thresholds (one value or QT split, QT end, MTT), if given. */
  thresholds?: number[];
  /** Row-major predicted QT depth per cell; -1 where the file leaves the cell unconstrained. */
  qt: Int8Array;
}
export function probableQt(token: string): number | null;
export function predictedQt(lo: number, hi: number, a?: number): number | null;
export function hintsForFrame(text: string, n: number): FrameHints | undefined;
export function hintsNameFor(yuvName: string, names: string[], report?: unknown): string | undefined;
