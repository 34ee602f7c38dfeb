// job.json in each job folder: the request plus the last known state. Written by the API at submission and by
// the worker on every state change, so a job's story survives Redis being flushed or the BullMQ job removed.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { jobFile } from '../config/layout.js';
import { writeFileAtomic } from '../storage.js';
import type { JobData, JobProgress, PublicState } from './types.js';

export interface JobRecord extends JobData {
  state: PublicState;
  startedAt: string | null;
  finishedAt: string | null;
  error?: string;
  attempts: number;
  progress?: JobProgress;
}

export async function readJobRecord(dataDir: string, jobId: string): Promise<JobRecord | null> {
  try {
    return JSON.parse(await readFile(jobFile(dataDir, jobId), 'utf8')) as JobRecord;
  } catch {
    return null;
  }
}

export async function writeJobRecord(dataDir: string, rec: JobRecord): Promise<void> {
  const file = jobFile(dataDir, rec.jobId);
  await mkdir(path.dirname(file), { recursive: true });
  // unique temporary per write (a process may write the same record twice at once, e.g. a child's failure and its
  // parent's), renamed into place; removed when the write fails (disk full)
  await writeFileAtomic(file, JSON.stringify(rec, null, 2) + '\n');
}

export async function updateJobRecord(dataDir: string, jobId: string, patch: Partial<JobRecord>): Promise<void> {
  const rec = await readJobRecord(dataDir, jobId);
  if (!rec) return;
  // No mkdir here: a job deleted meanwhile (DELETE, retention) must not come back as a folder holding job.json.
  try {
    await writeFileAtomic(jobFile(dataDir, jobId), JSON.stringify({ ...rec, ...patch }, null, 2) + '\n');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw err;
  }
}
