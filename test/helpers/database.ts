import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { openDataSource } from '../../runtime/db/data-source.js';
import { tempDir } from './fixture.js';

/**
 * Which database engine the suite runs on: `JIT_TEST_DATABASE=postgres|mysql`
 * (npm run test:postgres / test:mysql), default SQLite. Each test world gets a
 * database of its own, created here and dropped after the test, so tests on
 * a shared server never see each other's rows.
 */
export type Engine = 'sqlite' | 'postgres' | 'mysql';

export const ENGINE: Engine = ((): Engine => {
  const value = process.env['JIT_TEST_DATABASE'] ?? 'sqlite';
  if (value !== 'sqlite' && value !== 'postgres' && value !== 'mysql') throw new Error(`JIT_TEST_DATABASE must be sqlite, postgres or mysql, not "${value}"`);
  return value;
})();

/** Admin connections of the local servers (brief: trust auth / root without password, database `test`). */
export const SERVERS = {
  postgres: process.env['JIT_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  mysql: process.env['JIT_TEST_MYSQL_URL'] ?? 'mysql://root@127.0.0.1:3306/test',
};

export interface TestDatabase {
  /** Undefined on SQLite: the app's default file in its data folder. */
  url: string | undefined;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.href;
}

export async function createTestDatabase(engine: Engine = ENGINE): Promise<TestDatabase> {
  if (engine === 'sqlite') return { url: undefined, drop: async () => undefined };
  try {
    return await createServerDatabase(engine);
  } catch (err) {
    throw new Error(`The ${engine} suite needs a server at ${SERVERS[engine]} (JIT_TEST_${engine.toUpperCase()}_URL names another): ${(err as Error).message}`);
  }
}

async function createServerDatabase(engine: 'postgres' | 'mysql'): Promise<TestDatabase> {
  const name = `jit_t_${randomBytes(6).toString('hex')}`;
  if (engine === 'postgres') {
    const admin = new pg.Client({ connectionString: SERVERS.postgres });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return {
      url: withDatabase(SERVERS.postgres, name),
      drop: async () => {
        const c = new pg.Client({ connectionString: SERVERS.postgres });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const admin = await mysql.createConnection(SERVERS.mysql);
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    url: withDatabase(SERVERS.mysql, name),
    drop: async () => {
      const c = await mysql.createConnection(SERVERS.mysql);
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

/**
 * One fresh database for a test (SQLite file in a temp folder, or the suite's server engine) and a
 * function that opens a connection of its own to it each call, as a separate process would.
 * Every connection, the database and the folder go with `cleanups` (run them after the test).
 */
export async function sharedTestDatabase(entities: Function[], cleanups: Array<() => Promise<void> | void>): Promise<() => Promise<DataSource>> {
  const t = tempDir('jit-db-');
  cleanups.push(t.cleanup);
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  const url = db.url ?? `sqlite:${t.dir}/app.sqlite`;
  return async () => {
    const ds = await openDataSource({ url, dataDir: t.dir, entities, migrate: true });
    cleanups.push(() => (ds.isInitialized ? ds.destroy() : undefined));
    return ds;
  };
}
