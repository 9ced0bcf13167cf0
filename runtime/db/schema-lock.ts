import type { DataSource } from 'typeorm';
import { RuntimeErrors } from '../errcode.js';
import { engineFamily } from './migrations.js';

/** Arbitrary, fixed: every jit process agrees on it. */
const POSTGRES_LOCK_KEY = 7_267_001;
const MYSQL_LOCK_NAME = 'jit.schema';
const MYSQL_WAIT_SECONDS = 300;

/**
 * Runs schema changes under a database-wide lock, so servers started together
 * with --migrate migrate one after the other: the second finds the work done.
 * (The lease table cannot serve here: it is itself made by a migration.)
 * PostgreSQL advisory lock, MySQL/MariaDB GET_LOCK; SQLite serialises writers
 * on its file already.
 */
export async function withSchemaLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  const family = engineFamily(dataSource.options.type);
  if (family === 'sqlite') return work();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (family === 'postgres') await runner.query('SELECT pg_advisory_lock($1)', [POSTGRES_LOCK_KEY]);
    else {
      const [row] = (await runner.query('SELECT GET_LOCK(?, ?) AS got', [MYSQL_LOCK_NAME, MYSQL_WAIT_SECONDS])) as Array<{ got: number | string | null }>;
      if (Number(row?.got) !== 1) throw RuntimeErrors.BUSY.create({ problem: `Another process has held the schema lock for ${MYSQL_WAIT_SECONDS} s; is a migration stuck?` });
    }
    try {
      return await work();
    } finally {
      await runner.query(family === 'postgres' ? 'SELECT pg_advisory_unlock($1)' : 'SELECT RELEASE_LOCK(?)', [family === 'postgres' ? POSTGRES_LOCK_KEY : MYSQL_LOCK_NAME]);
    }
  } finally {
    await runner.release();
  }
}
