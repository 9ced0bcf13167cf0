import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { redactUrl } from '../db/data-source.js';
import { HttpErrors } from './http-errors.js';

export interface SignInLimitOptions {
  /** Sign-in requests per client and minute. */
  perMinute: number;
  /** `redis://…` (JIT_REDIS_URL): count in Redis instead of the app's database. */
  redisUrl?: string | undefined;
  /** Keeps apps apart in a shared store (the app name). */
  scope: string;
}

const WINDOW_SECONDS = 60;
const TABLE = 'jit_rate_limit'; // RateLimitCounterModel, created by the runtime's migrations

/**
 * The sign-in budget of one client (its address), shared by every process of the app,
 * counted by rate-limiter-flexible in one of its stores:
 *
 *   JIT_REDIS_URL set → Redis, keys `jit-signin:<app>:<client>`
 *   otherwise         → the app's database, table jit_rate_limit (SQLite, PostgreSQL or MariaDB):
 *                       N servers on one database give a client one budget, not N
 *   store failing     → an in-memory limiter of the same budget stands in (the library's
 *                       insurance limiter), so a database hiccup neither stops sign-in nor lifts the limit
 */
export class SignInLimit {
  private constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly redis: Redis | undefined,
  ) {}

  static async open(dataSource: DataSource, options: SignInLimitOptions): Promise<SignInLimit> {
    const common = { points: options.perMinute, duration: WINDOW_SECONDS, keyPrefix: `jit-signin:${options.scope}` };
    const insuranceLimiter = new RateLimiterMemory(common);
    if (options.redisUrl) {
      const redis = await connectRedis(options.redisUrl);
      return new SignInLimit(new RateLimiterRedis({ ...common, storeClient: redis, insuranceLimiter }), redis);
    }
    return new SignInLimit(databaseLimiter(dataSource, { ...common, insuranceLimiter }), undefined);
  }

  /** Counts one attempt of this client; Code TOO_MANY_REQUESTS (with retryAfterSeconds) once the budget is spent. */
  async consume(client: string): Promise<void> {
    try {
      await this.limiter.consume(client);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw HttpErrors.TOO_MANY_REQUESTS.create({ seconds: retryAfterSeconds }, { retryAfterSeconds });
    }
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

type LimiterOptions = { points: number; duration: number; keyPrefix: string; insuranceLimiter: RateLimiterMemory };

/** The store of the app's own database, reached through the connection TypeORM already holds. */
function databaseLimiter(dataSource: DataSource, common: LimiterOptions): RateLimiterAbstract {
  const store = { ...common, tableName: TABLE, tableCreated: true, clearExpiredByTimeout: false };
  const driver = dataSource.driver as unknown as { databaseConnection?: unknown; pool?: unknown; database?: string };
  switch (dataSource.options.type) {
    case 'better-sqlite3':
      return new RateLimiterSQLite({ ...store, storeClient: driver.databaseConnection, storeType: 'better-sqlite3' });
    case 'postgres':
      return new RateLimiterPostgres({ ...store, storeClient: dataSource, storeType: 'typeorm' });
    case 'mysql':
    case 'mariadb':
      return new RateLimiterMySQL({ ...store, storeClient: driver.pool, storeType: 'pool', dbName: driver.database });
    default:
      return new RateLimiterMemory(common);
  }
}

async function connectRedis(url: string): Promise<Redis> {
  // No offline queue: while Redis is away, attempts fail fast into the insurance limiter instead of piling up.
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 });
  redis.on('error', () => {}); // reconnects on its own; each failed attempt falls back to the insurance limiter
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at ${redactUrl(url)} (JIT_REDIS_URL): ${(err as Error).message}`);
  }
}
