import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { SharedValueModel } from './shared-value-model.js';

/**
 * Small values every process of an app sees, each with an expiry (wall time: it is shared by
 * processes, whatever clock one of them was given). What goes in is the caller's business: a
 * token is sealed before it is stored here.
 *
 *   get(key)               the value, unless absent or expired
 *   set(key, value, ttl)   replaces it
 *   claim(key, value, ttl) sets it only if absent or expired: of racing processes exactly one wins
 *   delete(key, only?)     removes it (only while it still holds `only`, when given)
 */
export interface SharedValues {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string, only?: string): Promise<void>;
}

/** One process: a Map (nothing to share with). */
export class MemoryValues implements SharedValues {
  private readonly values = new Map<string, { value: string; expiresAt: number }>();

  async get(key: string): Promise<string | undefined> {
    const entry = this.values.get(key);
    if (entry && entry.expiresAt > Date.now()) return entry.value;
    this.values.delete(key);
    return undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.values.set(key, { value, expiresAt: Date.now() + ttlMs });
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    // No await between the check and the set: that is what makes it one step for racing callers.
    const entry = this.values.get(key);
    if (entry && entry.expiresAt > Date.now()) return false;
    this.values.set(key, { value, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async delete(key: string, only?: string): Promise<void> {
    if (only === undefined || this.values.get(key)?.value === only) this.values.delete(key);
  }
}

/** Redis: SET … PX, SET … NX PX; a conditional delete is one Lua script (atomic). */
export class RedisValues implements SharedValues {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async delete(key: string, only?: string): Promise<void> {
    if (only === undefined) await this.redis.del(this.prefix + key);
    else await this.redis.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, this.prefix + key, only);
  }
}

/** The app's database, table jit_shared_value: a claim is one INSERT, or one UPDATE of an expired row. */
export class DatabaseValues implements SharedValues {
  constructor(
    private readonly dataSource: DataSource,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.dataSource.getRepository(SharedValueModel).findOneBy({ name: this.prefix + key });
    return row && row.expiresAt > Date.now() && row.value !== null ? row.value : undefined;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(SharedValueModel)
      .values({ name: this.prefix + key, value, expiresAt: Date.now() + ttlMs })
      .orUpdate(['value', 'expiresAt'], ['name'])
      .updateEntity(false)
      .execute();
  }

  async claim(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    try {
      await this.dataSource.getRepository(SharedValueModel).insert({ name: this.prefix + key, value, expiresAt: now + ttlMs });
      return true;
    } catch {
      // Present: take it only if it has expired (one UPDATE; of racing processes one matches).
      const taken = await this.dataSource
        .createQueryBuilder()
        .update(SharedValueModel)
        .set({ value, expiresAt: now + ttlMs })
        .where('name = :name AND expiresAt <= :now', { name: this.prefix + key, now })
        .execute();
      return taken.affected === 1;
    }
  }

  async delete(key: string, only?: string): Promise<void> {
    await this.dataSource.getRepository(SharedValueModel).delete(only === undefined ? { name: this.prefix + key } : { name: this.prefix + key, value: only });
  }
}
