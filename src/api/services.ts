// Services the feature plugins share; decorated onto the root Fastify instance by buildApp.
import { EventEmitter } from 'node:events';
import { readdir, readFile, rm } from 'node:fs/promises';
import type { QueueEvents } from 'bullmq';
import type { Config } from '../config/index.js';
import { SEQ_ID_RE, sequenceDir, sequenceMetaFile, sequencesDir, type SequenceMeta } from '../config/layout.js';
import type { EncodeQueue } from '../queue/encode-queue.js';
import { parentOfChild } from '../queue/flow.js';

export class SequenceStore {
  constructor(private readonly dataDir: string) {}
  async get(id: string): Promise<SequenceMeta | null> {
    if (!SEQ_ID_RE.test(id)) return null;
    try {
      return JSON.parse(await readFile(sequenceMetaFile(this.dataDir, id), 'utf8')) as SequenceMeta;
    } catch {
      return null;
    }
  }
  async list(): Promise<SequenceMeta[]> {
    let ids: string[] = [];
    try { ids = (await readdir(sequencesDir(this.dataDir))).filter((n) => SEQ_ID_RE.test(n)).sort().reverse(); } catch { /* none yet */ }
    const metas = await Promise.all(ids.map((id) => this.get(id)));
    return metas.filter((m): m is SequenceMeta => m !== null);
  }
  async remove(id: string): Promise<void> {
    await rm(sequenceDir(this.dataDir, id), { recursive: true, force: true });
  }
}

/**
 * One BullMQ QueueEvents subscription per process, fanned out per job id to SSE clients and metrics.
 * Events: progress(data), active, waiting, completed(returnvalue), failed(reason), removed.
 */
export class JobEvents extends EventEmitter {
  constructor(readonly queueEvents: QueueEvents) {
    super();
    this.setMaxListeners(0);
    queueEvents.on('progress', ({ jobId, data }) => this.emit(`job:${jobId}`, { type: 'progress', data }));
    // A flow child's events (id `<jobId>-p<i>`) change its parent's summed progress: tell the parent's listeners.
    for (const ev of ['progress', 'active', 'completed', 'failed'] as const) {
      queueEvents.on(ev, ({ jobId }: { jobId: string }) => {
        const parent = parentOfChild(jobId);
        if (parent) this.emit(`job:${parent}`, { type: 'child' });
      });
    }
    queueEvents.on('active', ({ jobId }) => this.emit(`job:${jobId}`, { type: 'active' }));
    queueEvents.on('waiting', ({ jobId }) => this.emit(`job:${jobId}`, { type: 'waiting' }));
    queueEvents.on('completed', ({ jobId, returnvalue }) => {
      this.emit(`job:${jobId}`, { type: 'completed', data: returnvalue });
      this.emit('completed', { jobId, returnvalue });
    });
    queueEvents.on('failed', ({ jobId, failedReason }) => this.emit(`job:${jobId}`, { type: 'failed', data: failedReason }));
    queueEvents.on('removed', ({ jobId }) => this.emit(`job:${jobId}`, { type: 'removed' }));
  }
}

export interface JobEvent { type: 'progress' | 'active' | 'waiting' | 'completed' | 'failed' | 'removed' | 'child'; data?: unknown }

declare module 'fastify' {
  interface FastifyInstance {
    cfg: Config;
    encodeQueue: EncodeQueue;
    sequences: SequenceStore;
    jobEvents: JobEvents;
  }
}
