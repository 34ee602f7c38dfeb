// Types for bdrate.js (the browser module is plain JS so it needs no build step).
export interface RdPoint { kbps: number; psnr: number }
export function pchipSlopes(x: number[], y: number[]): number[];
export function pchipIntegral(x: number[], y: number[], lo: number, hi: number): number;
export function bdRate(anchor: RdPoint[], test: RdPoint[]): number;
