/**
 * What the shared sign-in limit costs a sign-in request, per store:
 *
 *   npx tsx bench/sign-in-limit.ts [--requests N] [--concurrency N]
 *
 * For each store the app can count in (SQLite, PostgreSQL, MariaDB: the app's
 * own database; Redis; a server that is not running is named and skipped), the
 * same app serves N `getLoginConfig` requests through the HTTP layer (fastify
 * inject, so no socket noise) from distinct client addresses, once with the
 * limit off and once counting, on the same database engine; we print
 * requests/s, p50/p99 latency and the p50 the limiter adds.
 * Target: the limiter adds < 2 ms at p50 on every store.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from '../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { createHttpServer } from '../runtime/http/server.js';
import { createTestDatabase, type Engine } from '../test/helpers/database.js';
import { REDIS_URL, redisReachable } from '../test/helpers/redis.js';
import { drive, openApp } from './feishu-app.js';
import { below, line, percentile } from './report.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '3000' }, concurrency: { type: 'string', default: '32' } } });
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);

interface Store {
  name: string;
  engine: Engine;
  /** 0: the limit is off — the baseline of this engine. */
  limit: number;
  redis?: boolean;
}

const COUNTING = 1_000_000; // a budget no client of the run spends: every request pays for the count, none is refused
const stores: Store[] = [
  { name: 'SQLite off', engine: 'sqlite', limit: 0 },
  { name: 'SQLite counting', engine: 'sqlite', limit: COUNTING },
  { name: 'Redis counting (SQLite app)', engine: 'sqlite', limit: COUNTING, redis: true },
  { name: 'PostgreSQL off', engine: 'postgres', limit: 0 },
  { name: 'PostgreSQL counting', engine: 'postgres', limit: COUNTING },
  { name: 'MariaDB off', engine: 'mysql', limit: 0 },
  { name: 'MariaDB counting', engine: 'mysql', limit: COUNTING },
];

const sandbox = await startSandbox({ rate: 0 });
console.log(`sign-in limit cost: ${requests} getLoginConfig requests, ${concurrency} in flight, each store on this machine`);
const offP50 = new Map<Engine, number>();
for (const store of stores) {
  const database = await createTestDatabase(store.engine).catch((err: Error) => err);
  if (database instanceof Error) {
    console.log(`${store.name}: skipped (${database.message.split('\n')[0]})`);
    continue;
  }
  if (store.redis && !(await redisReachable())) {
    console.log(`${store.name}: skipped (no Redis at ${REDIS_URL})`);
    await database.drop();
    continue;
  }
  const bench = await openApp(sandbox, {}, { databaseUrl: database.url, redisUrl: store.redis ? REDIS_URL : undefined });
  const server = await createHttpServer(bench.app, { logLevel: false, loginRateLimit: store.limit });
  const call = (i: number) =>
    server.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/getLoginConfig', payload: {}, remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` }).then((reply) => {
      if (reply.statusCode !== 200) throw new Error(`HTTP ${reply.statusCode}: ${reply.body}`);
    });
  await drive(200, concurrency, call); // warm-up
  const { latencies, wallMs } = await drive(requests, concurrency, (i) => call(i + 1000));
  const p50 = percentile(latencies, 50);
  line(`${store.name}: requests/s`, (requests / wallMs) * 1000, '/s');
  line(`${store.name}: p50 latency`, p50, 'ms');
  line(`${store.name}: p99 latency`, percentile(latencies, 99), 'ms');
  const baseline = offP50.get(store.engine);
  if (store.limit === 0) offP50.set(store.engine, p50);
  else if (baseline !== undefined) line(`${store.name}: added at p50`, p50 - baseline, 'ms', below(p50 - baseline, 2, '2 ms'));
  await server.close();
  await bench.close();
  await database.drop();
}
await sandbox.close();
