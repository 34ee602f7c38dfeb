// DATA_DIR layout: one place so API, worker and tests agree.
import path from 'node:path';

export const SEQ_ID_RE = /^s_[a-z0-9]{12}$/;
export const JOB_ID_RE = /^j_[a-z0-9]{12}$/;

/** New sequence ('s') or job ('j') id: time-ordered (base36 ms) + random, so directory listings sort newest-last. */
export function newId(kind: 's' | 'j'): string {
  return `${kind}_${Date.now().toString(36).padStart(8, '0')}${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}

export function sequencesDir(dataDir: string): string { return path.join(dataDir, 'sequences'); }
export function sequenceDir(dataDir: string, id: string): string { return path.join(sequencesDir(dataDir), id); }
export function sequenceInput(dataDir: string, id: string): string { return path.join(sequenceDir(dataDir, id), 'input.yuv'); }
export function sequenceMetaFile(dataDir: string, id: string): string { return path.join(sequenceDir(dataDir, id), 'meta.json'); }
export function jobsDir(dataDir: string): string { return path.join(dataDir, 'jobs'); }
export function jobDir(dataDir: string, id: string): string { return path.join(jobsDir(dataDir), id); }
export function jobFile(dataDir: string, id: string): string { return path.join(jobDir(dataDir, id), 'job.json'); }
export function uploadsTmpDir(dataDir: string): string { return path.join(dataDir, 'tmp'); }

export interface SequenceMeta {
  id: string; name: string; width: number; height: number; bitDepth: 8 | 10; fps: number; frames: number;
  bytes: number; sha256: string; createdAt: string; sourceFormat: 'yuv' | 'y4m';
}

/** Bytes of one planar 4:2:0 frame; samples are 1 byte at 8-bit and 2 bytes (LE) at 10-bit. */
export function frameBytes(width: number, height: number, bitDepth: 8 | 10): number {
  return (width * height + 2 * (width / 2) * (height / 2)) * (bitDepth === 8 ? 1 : 2);
}

// Challenge runs (POST /v1/challenges): one small JSON record each, DATA_DIR/challenges/<id>.json.
export const CHALLENGE_ID_RE = /^c_[a-z0-9]{12}$/;
/** New challenge id: same time-ordered scheme as newId, prefix 'c'. */
export function newChallengeId(): string {
  return `c_${newId('j').slice(2)}`;
}
export function challengesDir(dataDir: string): string { return path.join(dataDir, 'challenges'); }
export function challengeFile(dataDir: string, id: string): string { return path.join(challengesDir(dataDir), `${id}.json`); }
