// Redis connections. BullMQ gets connection options (it opens and closes its own clients); our own small
// uses (cancel keys, pub/sub, readiness ping) get plain ioredis clients.
import { Redis } from 'ioredis';

export function bullConnection(url: string) {
  // maxRetriesPerRequest null is required by BullMQ workers (blocking commands).
  return { url, maxRetriesPerRequest: null };
}

export function createRedis(url: string, opts: { lazy?: boolean; onError?: (err: Error) => void } = {}): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: opts.lazy ?? false });
  // ioredis reconnects by itself; without a listener every failed attempt is printed as "Unhandled error event".
  let last = 0;
  r.on('error', (err: Error) => {
    if (Date.now() - last < 5000) return;
    last = Date.now();
    opts.onError?.(err);
  });
  return r;
}
