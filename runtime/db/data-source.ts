import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { RuntimeErrors } from '../errcode.js';
import { engineFamily, pendingMigrations, schemaDrift, type MigrationClass } from './migrations.js';
import { withSchemaLock } from './schema-lock.js';

export interface DatabaseOptions {
  /** `postgres://…`, `mysql://…` / `mariadb://…`, `sqlite:<file>` or `sqlite::memory:`; default: SQLite in dataDir. */
  url?: string | undefined;
  dataDir: string;
  entities: Function[];
  migrations?: MigrationClass[];
  /**
   * Bring the schema up to date at open: apply pending migrations, then create
   * what models no migration covers (additive changes only on PostgreSQL and
   * MySQL). Default: on for SQLite, off for database servers, where
   * `jit db migrate` does it deliberately.
   */
  migrate?: boolean;
}

export const DEFAULT_SQLITE_FILE = 'app.sqlite';

/** Hides the password of a database URL so it can appear in messages and logs. */
export function redactUrl(url: string): string {
  // user:password@ and :password@ (Redis URLs carry a password without a user) alike.
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/**
 * TypeORM reads MariaDB's catalogue differently from MySQL's (column defaults
 * come back as the string 'NULL'); with the wrong flavour every start would see
 * phantom schema changes. A mysql:// URL may point at either, so ask the server.
 */
async function mysqlFlavour(url: string): Promise<'mysql' | 'mariadb'> {
  const { default: mysql } = await import('mysql2/promise');
  const connection = await mysql.createConnection(url);
  try {
    const [rows] = await connection.query('SELECT VERSION() AS version');
    return String((rows as Array<{ version: string }>)[0]?.version).includes('MariaDB') ? 'mariadb' : 'mysql';
  } finally {
    await connection.end();
  }
}

export async function dataSourceOptions(options: DatabaseOptions): Promise<DataSourceOptions> {
  const common = { entities: options.entities, migrations: options.migrations ?? [], migrationsTableName: 'jit_migrations', synchronize: false, logging: false } as const;
  const url = options.url?.trim();
  if (!url || url.startsWith('sqlite:')) {
    const target = url ? url.slice('sqlite:'.length).replace(/^\/\//, '') : '';
    let database = ':memory:';
    if (target !== ':memory:') {
      mkdirSync(options.dataDir, { recursive: true });
      database = target ? (isAbsolute(target) ? target : resolve(target)) : join(options.dataDir, DEFAULT_SQLITE_FILE);
    }
    // WAL lets readers carry on while a sync writes; one writer at a time is SQLite's rule anyway.
    // With WAL, synchronous=NORMAL stays corruption-safe and only risks the last commits on power loss;
    // FULL would fsync every login. Wait up to 5 s for another process's write lock instead of failing.
    return {
      type: 'better-sqlite3',
      database,
      enableWAL: database !== ':memory:',
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      },
      ...common,
    };
  }
  const scheme = url.slice(0, url.indexOf(':'));
  if (scheme === 'postgres' || scheme === 'postgresql') return { type: 'postgres', url, ...common };
  if (scheme === 'mysql' || scheme === 'mariadb') {
    const mysqlUrl = url.replace(/^mariadb:/, 'mysql:');
    let type: 'mysql' | 'mariadb';
    try {
      type = await mysqlFlavour(mysqlUrl);
    } catch (err) {
      throw RuntimeErrors.DATABASE_UNAVAILABLE.create({ where: redactUrl(url), cause: (err as Error).message });
    }
    return { type, url: mysqlUrl, ...common };
  }
  throw RuntimeErrors.DATABASE_UNAVAILABLE.create({ where: redactUrl(url), cause: `unsupported URL scheme "${scheme}:"; use postgres://, mysql://, mariadb:// or sqlite:.` });
}

export const isSqlite = (dataSource: DataSource): boolean => engineFamily(dataSource.options.type) === 'sqlite';

export async function openDataSource(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(await dataSourceOptions(options));
  const where = options.url ? redactUrl(options.url) : join(options.dataDir, DEFAULT_SQLITE_FILE);
  try {
    await dataSource.initialize();
  } catch (err) {
    throw RuntimeErrors.DATABASE_UNAVAILABLE.create({ where, cause: (err as Error).message });
  }
  try {
    await bringSchemaUpToDate(dataSource, options.migrate ?? isSqlite(dataSource), where);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

/** Applies pending migrations and additive model changes, or explains what is missing. */
export async function bringSchemaUpToDate(dataSource: DataSource, migrate: boolean, where: string): Promise<{ applied: string[]; created: number }> {
  return migrate ? withSchemaLock(dataSource, () => applySchema(dataSource, true, where)) : applySchema(dataSource, false, where);
}

async function applySchema(dataSource: DataSource, migrate: boolean, where: string): Promise<{ applied: string[]; created: number }> {
  const pending = await pendingMigrations(dataSource);
  if (pending.length > 0 && !migrate) {
    throw RuntimeErrors.SCHEMA_OUTDATED.create({ where, problem: `it lacks ${pending.length} migration(s) (${pending.join(', ')}). Run: jit db migrate <appDir> (or start with --migrate).` }, { pending });
  }
  const applied = pending.length > 0 ? (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name) : [];
  const drift = await schemaDrift(dataSource);
  if (drift.length === 0) return { applied, created: 0 };
  const destructive = drift.filter((sql) => /\bDROP\s+(TABLE|COLUMN)\b/i.test(sql) || /\bALTER\s+COLUMN\b.*\bTYPE\b/i.test(sql));
  // SQLite alters a table by copying it into a new one (rows kept), which reads as DROP TABLE; servers really drop.
  if (!migrate || (destructive.length > 0 && !isSqlite(dataSource))) {
    throw RuntimeErrors.SCHEMA_OUTDATED.create({ where, problem: `the models differ from it in ways ${migrate ? 'that would drop data' : 'no migration covers'}: ${(destructive.length ? destructive : drift).slice(0, 5).join('; ')}. Write a migration (scripts/generate-migration.ts) or run jit db migrate.` }, { statements: drift });
  }
  await dataSource.synchronize();
  return { applied, created: drift.length };
}
