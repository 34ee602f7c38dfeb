// Redis connections. BullMQ gets connection options (it opens and closes its own clients); our own small
// uses (cancel keys, pub/sub, readiness ping) get plain ioredis clients.
import { Redis } from 'ioredis';

export function bullConnection(url: string) {
  // maxRetriesPerRequest null is required by BullMQ workers (blocking commands).
  return { url, maxRetriesPerRequest: null };
}

export function createRedis(url: string, opts: { lazy?: boolean } = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: opts.lazy ?? false });
}
