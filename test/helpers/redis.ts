import { Redis } from 'ioredis';

/** Where tests and benchmarks find Redis (these machines run one on 6379). */
export const REDIS_URL = process.env['JIT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers at `url` within a second (no retries). */
export async function redisReachable(url = REDIS_URL): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
