// One root pino logger; everything else uses child loggers carrying reqId / jobId.
// Redaction keeps credentials in URLs (REDIS_URL with a password) out of the logs.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name = 'nnvvc', destination?: DestinationStream): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['redisUrl', 'config.redisUrl', 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
  }, destination);
}

/** Hide the password part of a redis:// URL before it is printed anywhere. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}
