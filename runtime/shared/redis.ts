import { Redis } from 'ioredis';
import { redactUrl } from '../db/data-source.js';

/**
 * A Redis connection for state shared by an app's processes (JIT_REDIS_URL). No offline queue:
 * while Redis is away, commands fail fast (limiters fall back to their in-memory stand-in) instead
 * of piling up; the client reconnects on its own.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  redis.on('error', () => {}); // reconnects on its own; each failed command is handled by its caller
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at ${redactUrl(url)} (JIT_REDIS_URL): ${(err as Error).message}`);
  }
}
