// Types for format.js.
export function fmtNum(value: unknown, digits?: number): string;
export function fmtPercent(value: unknown, digits?: number): string;
export function fmtDuration(seconds: unknown): string;
export function fmtBytes(bytes: unknown): string;
export function fmtTime(iso: unknown): string;
export function jobTiming(job: Record<string, any>, now?: number): { elapsed?: number; eta?: number };
export function describeRequest(req?: Record<string, any>): string;
export function describeEncoder(req?: Record<string, any>, report?: Record<string, any>): string;
export function shortId(id: unknown): string;
