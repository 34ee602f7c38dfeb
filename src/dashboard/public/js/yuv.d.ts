// Types for yuv.js.
export interface CuRect { x: number; y: number; w: number; h: number; [k: string]: unknown }
export function lumaRange(width: number, height: number, bitDepth: number, n: number): { start: number; length: number };
export function lumaToRgba(buffer: ArrayBuffer, width: number, height: number, bitDepth: number): Uint8ClampedArray;
export function cusForFrame(stats: unknown, n: number): CuRect[] | undefined;
export function statsNameFor(yuvName: string, artifactNames: string[]): string | undefined;
