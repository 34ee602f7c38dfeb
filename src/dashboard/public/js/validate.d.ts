// Types for validate.js.
export function frameBytes(width: number, height: number, bitDepth: number): number;
export function validateUpload(fields: Record<string, string>, file?: { size: number; isY4m?: boolean }): { errors: Record<string, string | undefined>; ok: boolean };
export function fieldForServerError(body: unknown): string;
export function parseNumberList(text: string, o: { min: number; max: number; integer: boolean; label: string }): { values?: number[]; error?: string };
export function validateNewJob(fields: Record<string, unknown>): { errors: Record<string, string | undefined>; body: Record<string, unknown>; ok: boolean };
export function jobFieldForServerError(body: unknown): string;
