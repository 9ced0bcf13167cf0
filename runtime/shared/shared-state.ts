import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterPostgres, RateLimiterRedis, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { connectRedis } from './redis.js';
import { DatabaseValues, MemoryValues, RedisValues, type SharedValues } from './shared-values.js';

/**
 * State an app's processes share — rate-limit counters (rate-limiter-flexible) and small values
 * with an expiry — kept where all of them see it:
 *
 *   JIT_REDIS_URL set            → Redis                     store "redis"
 *   a PostgreSQL/MariaDB URL     → the app's database        store "database"
 *   a SQLite file                → the app's database        store "database" (processes on one file share it)
 *   sqlite::memory:              → this process's memory     store "memory"   (no other process can see it)
 *
 * Counters in Redis or the database have an in-memory stand-in of the same budget (the library's
 * insurance limiter): a store hiccup neither stops the work nor lifts the limit in this process.
 * The App opens one, hands it to its elements (ElementHost.shared) and closes it.
 */
export class SharedState {
  readonly values: SharedValues;
  /** In memory, counters are shared by being one object: the same budget asked for twice is the same limiter. */
  private readonly memoryLimiters = new Map<string, RateLimiterMemory>();

  private constructor(
    readonly store: 'redis' | 'database' | 'memory',
    private readonly dataSource: DataSource | undefined,
    private readonly redis: Redis | undefined,
  ) {
    this.values = redis ? new RedisValues(redis, 'jit-shared:') : dataSource && store === 'database' ? new DatabaseValues(dataSource, '') : new MemoryValues();
  }

  static async open(dataSource: DataSource, options: { redisUrl?: string | undefined } = {}): Promise<SharedState> {
    if (options.redisUrl) return new SharedState('redis', dataSource, await connectRedis(options.redisUrl));
    const inMemory = dataSource.options.type === 'better-sqlite3' && dataSource.options.database === ':memory:';
    return new SharedState(inMemory ? 'memory' : 'database', dataSource, undefined);
  }

  /** State for one process only (what `sqlite::memory:` gets; tests). */
  static inMemory(): SharedState {
    return new SharedState('memory', undefined, undefined);
  }

  /** A fixed-window counter of `points` per `duration` seconds per key, counted in this app's store. Keys are the caller's; `keyPrefix` keeps owners apart. */
  limiter(options: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract {
    if (this.store === 'memory' || !this.dataSource) {
      const id = `${options.keyPrefix}\n${options.points}\n${options.duration}`;
      let limiter = this.memoryLimiters.get(id);
      if (!limiter) this.memoryLimiters.set(id, (limiter = new RateLimiterMemory(options)));
      return limiter;
    }
    const insuranceLimiter = new RateLimiterMemory(options);
    if (this.redis) return new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter });
    return databaseLimiter(this.dataSource, { ...options, insuranceLimiter });
  }

  async close(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}

const TABLE = 'jit_rate_limit'; // RateLimitCounterModel, created by the runtime's migrations

/** rate-limiter-flexible's store for the app's own database, on the connection TypeORM already holds. */
function databaseLimiter(dataSource: DataSource, options: { keyPrefix: string; points: number; duration: number; insuranceLimiter: RateLimiterMemory }): RateLimiterAbstract {
  // The table comes from a migration, not from the library. No sweeping timer: a key's row is reused
  // once it has expired, so a fixed set of keys (a budget per endpoint) keeps a fixed set of rows.
  const store = { ...options, tableName: TABLE, tableCreated: true, clearExpiredByTimeout: false };
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
      return new RateLimiterMemory(options);
  }
}
