// Types for rdplot.js.
import type { RdPoint } from './bdrate.js';
export const PALETTE: string[];
export function rdPlotSvg(series: { label: string; points: RdPoint[]; color?: string; dashed?: boolean }[],
  o?: { title?: string; metric?: string; width?: number; height?: number }): string;
export function reportSeries(report: unknown, metric?: 'yuv' | 'y'): { ours: RdPoint[]; anchor: RdPoint[] };
