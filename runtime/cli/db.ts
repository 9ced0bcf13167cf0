import { loadApp } from '../app.js';
import { RuntimeCodes } from '../errcode.js';
import { pendingMigrations, schemaDrift } from '../db/migrations.js';
import type { CliIo } from './io.js';

/** `jit db migrate`: apply pending migrations (and additive model changes) to the app's database. */
export async function migrate(appDir: string, io: CliIo): Promise<void> {
  const app = await loadApp(appDir, { migrate: true, env: io.env ?? process.env });
  try {
    const applied = app.dataSource.migrations.length;
    io.out(`database (${app.dataSource.options.type}) is up to date: ${applied} migration(s) known, none pending`);
  } finally {
    await app.close();
  }
}

/** `jit db status`: pending migrations and model changes no migration covers, without changing anything. */
export async function status(appDir: string, io: CliIo): Promise<number> {
  const app = await loadApp(appDir, { migrate: false, env: io.env ?? process.env }).catch((err: { code?: number; details?: { pending?: string[] } }) => {
    if (err.code === RuntimeCodes.SCHEMA_OUTDATED && err.details?.pending) {
      io.out(`pending migrations: ${err.details.pending.join(', ')}`);
      return undefined;
    }
    throw err;
  });
  if (!app) return 1;
  try {
    const pending = await pendingMigrations(app.dataSource);
    const drift = await schemaDrift(app.dataSource);
    io.out(pending.length ? `pending migrations: ${pending.join(', ')}` : 'no pending migrations');
    io.out(drift.length ? `model changes without a migration:\n  ${drift.join('\n  ')}` : 'models match the schema');
    return pending.length || drift.length ? 1 : 0;
  } finally {
    await app.close();
  }
}
