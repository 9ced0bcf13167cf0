import { mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Code, RuntimeCodes } from '../errcode.js';

export interface DatabaseOptions {
  /** `postgres://…`, `mysql://…` / `mariadb://…`, `sqlite:<file>` or `sqlite::memory:`; default: SQLite in dataDir. */
  url?: string | undefined;
  dataDir: string;
  entities: Function[];
}

export const DEFAULT_SQLITE_FILE = 'app.sqlite';

/** Hides the password of a database URL so it can appear in messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export function dataSourceOptions(options: DatabaseOptions): DataSourceOptions {
  const common = { entities: options.entities, synchronize: true, logging: false } as const;
  const url = options.url?.trim();
  if (!url || url.startsWith('sqlite:')) {
    const target = url ? url.slice('sqlite:'.length).replace(/^\/\//, '') : '';
    let database = ':memory:';
    if (target !== ':memory:') {
      mkdirSync(options.dataDir, { recursive: true });
      database = target ? (isAbsolute(target) ? target : resolve(target)) : join(options.dataDir, DEFAULT_SQLITE_FILE);
    }
    // WAL lets readers carry on while a sync writes; one writer at a time is SQLite's rule anyway.
    return { type: 'better-sqlite3', database, enableWAL: database !== ':memory:', ...common };
  }
  const scheme = url.slice(0, url.indexOf(':'));
  if (scheme === 'postgres' || scheme === 'postgresql') return { type: 'postgres', url, ...common };
  if (scheme === 'mysql' || scheme === 'mariadb') return { type: 'mysql', url: url.replace(/^mariadb:/, 'mysql:'), ...common };
  throw new Code(RuntimeCodes.DATABASE_UNAVAILABLE, `Unsupported database URL scheme "${scheme}:" in ${redactUrl(url)}. Use postgres://, mysql://, mariadb:// or sqlite:.`);
}

export async function openDataSource(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(options));
  try {
    return await dataSource.initialize();
  } catch (err) {
    const where = options.url ? redactUrl(options.url) : join(options.dataDir, DEFAULT_SQLITE_FILE);
    throw new Code(RuntimeCodes.DATABASE_UNAVAILABLE, `Cannot open the database at ${where}: ${(err as Error).message}`);
  }
}
