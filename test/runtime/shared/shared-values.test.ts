import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { loadApp, type App } from '../../../runtime/index.js';
import { SharedState } from '../../../runtime/shared/shared-state.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../helpers/database.js';
import { tempDir, writeTree } from '../../helpers/fixture.js';
import { REDIS_URL, redisReachable } from '../../helpers/redis.js';

// CI starts Redis; a developer machine without it skips the Redis store by name.
const redisUp = process.env['CI'] ? true : await redisReachable(REDIS_URL);

/**
 * What every process of an app shares, whichever store holds it: the app's database (the
 * engine under test), Redis, or one process's memory. The same contract on each.
 */
describe.each([
  { store: `the ${ENGINE} database`, kind: 'database' as const },
  ...(redisUp ? [{ store: 'Redis', kind: 'redis' as const }] : []),
  { store: 'memory (sqlite::memory:)', kind: 'memory' as const },
])('shared state in $store', ({ kind }) => {
  let app: App;
  let database: TestDatabase | undefined;
  const prefix = `t${Math.random().toString(36).slice(2, 8)}:`; // a fresh key space in a shared Redis

  beforeAll(async () => {
    const dir = tempDir();
    writeTree(dir.dir, { 'app/app.json': { name: 'shared' } });
    database = kind === 'memory' ? undefined : await createTestDatabase(ENGINE);
    const databaseUrl = kind === 'memory' ? 'sqlite::memory:' : database?.url;
    app = await loadApp(`${dir.dir}/app`, { env: {}, dataDir: `${dir.dir}/data`, migrate: true, ...(databaseUrl ? { databaseUrl } : {}), ...(kind === 'redis' ? { redisUrl: REDIS_URL } : {}) });
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  test('the app opened the store it was given', () => {
    expect(app.shared.store).toBe(kind);
  });

  test('a value is there until it expires', async () => {
    await app.shared.values.set(`${prefix}a`, 'one', 300);
    expect(await app.shared.values.get(`${prefix}a`)).toBe('one');
    await new Promise((r) => setTimeout(r, 400));
    expect(await app.shared.values.get(`${prefix}a`)).toBeUndefined();
  });

  test('of racing claims exactly one wins; an expired claim can be taken again', async () => {
    const wins = await Promise.all(Array.from({ length: 8 }, (_, i) => app.shared.values.claim(`${prefix}claim`, `holder${i}`, 300)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await app.shared.values.claim(`${prefix}claim`, 'late', 300)).toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    expect(await app.shared.values.claim(`${prefix}claim`, 'late', 300)).toBe(true);
  });

  test('a conditional delete removes only the value it names', async () => {
    await app.shared.values.set(`${prefix}d`, 'mine', 10_000);
    await app.shared.values.delete(`${prefix}d`, 'theirs');
    expect(await app.shared.values.get(`${prefix}d`)).toBe('mine');
    await app.shared.values.delete(`${prefix}d`, 'mine');
    expect(await app.shared.values.get(`${prefix}d`)).toBeUndefined();
  });

  test('a limiter counts one budget per key, whichever limiter object asks', async () => {
    const options = { keyPrefix: `${prefix}limit`, points: 3, duration: 2 };
    const first = app.shared.limiter(options);
    const second = app.shared.limiter(options);
    await first.consume('k');
    await second.consume('k');
    await first.consume('k');
    await expect(second.consume('k')).rejects.toBeInstanceOf(RateLimiterRes);
    await expect(first.consume('other')).resolves.toBeInstanceOf(RateLimiterRes);
  });
});

test('an unreachable Redis is named, without the URL\'s password', async () => {
  await expect(SharedState.open({} as never, { redisUrl: 'redis://:hunter2@127.0.0.1:1' })).rejects.toThrow(/Cannot reach Redis at redis:\/\/(?!.*hunter2).*JIT_REDIS_URL/);
});

test('Redis keys carry the store prefix, so an app sharing a Redis keeps to its own', async () => {
  if (!redisUp) return;
  const shared = await SharedState.open({} as never, { redisUrl: REDIS_URL });
  const key = `k${Math.random().toString(36).slice(2, 8)}`;
  await shared.values.set(key, 'v', 5_000);
  const redis = new Redis(REDIS_URL);
  expect(await redis.get(`jit-shared:${key}`)).toBe('v');
  redis.disconnect();
  await shared.close();
});
