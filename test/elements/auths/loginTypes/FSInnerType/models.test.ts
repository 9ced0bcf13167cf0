import { afterEach, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { FSInnerAuthModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { migrations as fsInnerMigrations } from '../../../../../elements/auths/loginTypes/FSInnerType/migrations/index.js';
import { migrations as authMigrations } from '../../../../../runtime/auth/migrations/index.js';
import { dataSourceOptions } from '../../../../../runtime/db/data-source.js';
import type { MigrationClass } from '../../../../../runtime/db/migrations.js';
import { createTestDatabase } from '../../../../helpers/database.js';
import { tempDir } from '../../../../helpers/fixture.js';
import { INSTANCE, scanAndLogin, useFeishuWorld } from './harness.js';

const world = useFeishuWorld();
const OTHER = 'auths.loginTypes.Other';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('FSInnerAuthModel', () => {
  test('two instances keep separate rows for the same Feishu user', async () => {
    const w = await world({
      tree: { 'apps/demo/auths/loginTypes/Other/e.json': { title: 'Other', type: 'auths.loginTypes.FSInnerType' } },
      otherConfig: 'Other',
    });
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    await w.fs(OTHER).syncUserInfo({ userId: 'zhangsan' });
    const login = await scanAndLogin(w, 'zhangsan', OTHER);

    const rows = await w.app.dataSource.getRepository(FSInnerAuthModel).findBy({ userId: 'zhangsan' });
    expect(rows.map((r) => r.instance).sort()).toEqual([INSTANCE, OTHER].sort());
    // The binding made through one instance is that instance's alone.
    expect(rows.find((r) => r.instance === OTHER)!.localUserId).toBe(login.localUserId);
    expect(rows.find((r) => r.instance === INSTANCE)!.localUserId).toBeNull();
    expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).localUserId).toBeNull();
  });

  test('(instance, userId) is unique in the database', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    const repo = w.app.dataSource.getRepository(FSInnerAuthModel);
    const now = w.clock.now();
    // SQLite and PostgreSQL say "unique", MariaDB says "duplicate entry".
    await expect(repo.insert({ instance: INSTANCE, userId: 'zhangsan', createdAt: now, updatedAt: now })).rejects.toThrow(/UNIQUE|duplicate/i);
    await expect(repo.insert({ instance: OTHER, userId: 'zhangsan', createdAt: now, updatedAt: now })).resolves.toBeDefined();
  });
});

describe('FSInnerAuthModel.contactReadAt', () => {
  /** A database of the engine under test with the given migrations applied (no entities: raw rows only). */
  async function migrated(url: string, dataDir: string, migrations: MigrationClass[]): Promise<DataSource> {
    const ds = new DataSource(await dataSourceOptions({ url, dataDir, entities: [], migrations }));
    await ds.initialize();
    cleanups.push(() => (ds.isInitialized ? ds.destroy() : undefined));
    await ds.runMigrations();
    return ds;
  }

  test('the migration adding it counts rows stamped syncedAt before it as read then; rows never synced stay unread', async () => {
    const t = tempDir('jit-fs-mig-');
    cleanups.push(t.cleanup);
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const url = db.url ?? `sqlite:${join(t.dir, 'app.sqlite')}`;
    const added = fsInnerMigrations.findIndex((m) => new m().name?.startsWith('ContactReadAt'));
    expect(added).toBeGreaterThan(0);

    const before = await migrated(url, t.dir, [...authMigrations, ...fsInnerMigrations.slice(0, added)]);
    const q = (sql: string) => before.query(before.options.type === 'postgres' ? sql : sql.replace(/"/g, '`'));
    await q(`INSERT INTO "FSInnerAuthModel" ("instance","userId","syncedAt","createdAt","updatedAt") VALUES ('${INSTANCE}','synced',1700000000000,1700000000000,1700000000000)`);
    await q(`INSERT INTO "FSInnerAuthModel" ("instance","userId","syncedAt","createdAt","updatedAt") VALUES ('${INSTANCE}','loggedInOnly',NULL,1700000000000,1700000000000)`);
    await before.destroy();

    const after = await migrated(url, t.dir, [...authMigrations, ...fsInnerMigrations]);
    const rows = await after.query(after.options.type === 'postgres' ? 'SELECT "userId", "contactReadAt" FROM "FSInnerAuthModel"' : 'SELECT `userId`, `contactReadAt` FROM `FSInnerAuthModel`');
    // Drivers differ: a bigint may come back as a string.
    const readAt = Object.fromEntries((rows as Array<{ userId: string; contactReadAt: number | string | null }>).map((r) => [r.userId, r.contactReadAt === null ? null : Number(r.contactReadAt)]));
    expect(readAt).toEqual({ synced: 1700000000000, loggedInOnly: null });
  });
});
