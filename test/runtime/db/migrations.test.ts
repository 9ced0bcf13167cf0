import { afterEach, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { migrations as fsInnerMigrations } from '../../../elements/auths/loginTypes/FSInnerType/migrations/index.js';
import { migrations as authMigrations } from '../../../runtime/auth/migrations/index.js';
import { dataSourceOptions } from '../../../runtime/db/data-source.js';
import { pendingMigrations, schemaDrift } from '../../../runtime/db/migrations.js';
import { loadApp } from '../../../runtime/index.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../../helpers/database.js';
import { tempDir } from '../../helpers/fixture.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';

const demo = fileURLToPath(new URL('../../../apps/demo', import.meta.url));
const env = { FEISHU_DOMAIN: 'http://127.0.0.1:9' };
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A database of the engine under test: a server database, or a SQLite file in a temp folder. */
async function database(): Promise<{ url: string; dataDir: string }> {
  const t = tempDir('jit-mig-');
  cleanups.push(t.cleanup);
  const db: TestDatabase = await createTestDatabase();
  cleanups.push(() => db.drop());
  return { url: db.url ?? `sqlite:${join(t.dir, 'app.sqlite')}`, dataDir: t.dir };
}

/** The schema as the first release shipped it: only the Initial migrations of the runtime and of FSInnerType. */
async function firstRelease(url: string, dataDir: string): Promise<DataSource> {
  const initial = [authMigrations[0]!, fsInnerMigrations[0]!];
  const ds = new DataSource(await dataSourceOptions({ url, dataDir, entities: [], migrations: initial }));
  await ds.initialize();
  await ds.runMigrations();
  return ds;
}

describe(`migrations on ${ENGINE}`, () => {
  test('the generated migrations build exactly the schema the models describe', async () => {
    const { url, dataDir } = await database();
    const app = await loadApp(demo, { databaseUrl: url, dataDir, env, migrate: true });
    cleanups.push(() => app.close());
    expect(await pendingMigrations(app.dataSource)).toEqual([]);
    expect(await schemaDrift(app.dataSource)).toEqual([]);
  });

  test('an upgrade from the first release keeps every stored row', async () => {
    const { url, dataDir } = await database();
    const old = await firstRelease(url, dataDir);
    const q = (sql: string) => old.query(old.options.type === 'postgres' ? sql : sql.replace(/"/g, '`'));
    await q(`INSERT INTO "jit_local_user" ("id","name","email","mobile","isAdmin","disabled","createdAt","updatedAt") VALUES ('u-1','张三','zs@example.com',NULL,${old.options.type === 'postgres' ? 'true' : 1},${old.options.type === 'postgres' ? 'false' : 0},1700000000000,1700000000000)`);
    await q(`INSERT INTO "jit_identity_binding" ("id","provider","externalId","localUserId","createdAt") VALUES ('b-1','auths.loginTypes.FSInnerExample','zhangsan','u-1',1700000000000)`);
    await q(`INSERT INTO "FSInnerAuthModel" ("instance","userId","openId","name","isLeader","accessToken","localUserId","createdAt","updatedAt") VALUES ('auths.loginTypes.FSInnerExample','zhangsan','ou_1','张三',${old.options.type === 'postgres' ? 'true' : 1},'${'t'.repeat(2048)}','u-1',1700000000000,1700000000000)`);
    await q(`INSERT INTO "FSInnerDeptModel" ("instance","deptId","name","memberCount","status","syncedAt","createdAt","updatedAt") VALUES ('auths.loginTypes.FSInnerExample','od-1','研发部',3,'active',1700000000000,1700000000000,1700000000000)`);
    await old.destroy();

    // Without migrate, loading refuses and names what is missing.
    const later = [...authMigrations.slice(1), ...fsInnerMigrations.slice(1)].map((m) => new m().name);
    await expect(loadApp(demo, { databaseUrl: url, dataDir, env, migrate: false })).rejects.toMatchObject({ code: RuntimeCodes.SCHEMA_OUTDATED, details: { pending: later } });

    const app = await loadApp(demo, { databaseUrl: url, dataDir, env, migrate: true });
    cleanups.push(() => app.close());
    const rows = await app.dataSource.query(app.dataSource.options.type === 'postgres' ? 'SELECT "userId", "name", "accessToken", "lastLoginAt", "employeeNo", "localUserId" FROM "FSInnerAuthModel"' : 'SELECT `userId`, `name`, `accessToken`, `lastLoginAt`, `employeeNo`, `localUserId` FROM `FSInnerAuthModel`');
    expect(rows).toEqual([{ userId: 'zhangsan', name: '张三', accessToken: 't'.repeat(2048), lastLoginAt: null, employeeNo: null, localUserId: 'u-1' }]);
    const users = await app.dataSource.query('SELECT id, email FROM jit_local_user');
    expect(users).toEqual([{ id: 'u-1', email: 'zs@example.com' }]);
    expect(Number((await app.dataSource.query('SELECT COUNT(*) AS n FROM jit_identity_binding'))[0].n)).toBe(1); // drivers differ: 1 or "1"
    expect(await pendingMigrations(app.dataSource)).toEqual([]);
    expect(await schemaDrift(app.dataSource)).toEqual([]);
  });

  test('servers starting together with migrate take turns: every one starts, each migration runs once', async () => {
    const { url, dataDir } = await database();
    const apps = await Promise.all([1, 2, 3].map(() => loadApp(demo, { databaseUrl: url, dataDir, env, migrate: true })));
    cleanups.push(() => Promise.all(apps.map((a) => a.close())).then(() => undefined));
    const applied = await apps[0]!.dataSource.query('SELECT name FROM jit_migrations');
    const names = applied.map((r: { name: string }) => r.name);
    expect(names.length).toBe(new Set(names).size);
    expect(names.length).toBe(authMigrations.length + fsInnerMigrations.length);
  });
});
