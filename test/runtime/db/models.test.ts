import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE } from '../../helpers/database.js';
import { useScenarios } from '../../helpers/scenario.js';
import { counterTypeModule } from '../../helpers/counter-model.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';

const scenario = useScenarios();

interface Counter {
  visit(): Promise<number>;
}

// Each model version gets its own module file: a process imports a module path once.
const counterApp = (model: 'CounterModel' | 'CounterModelV2') => ({
  'apps/a/app.json': { name: 'a' },
  'apps/a/things/CounterType/e.json': { title: 'Counter', type: 'things.Meta', backendBundleEntry: `${model}.ts` },
  [`apps/a/things/CounterType/${model}.ts`]: counterTypeModule(model),
  'apps/a/counters/Visits/e.json': { title: 'Visits', type: 'things.CounterType' },
});

describe('models', () => {
  test(ENGINE === 'sqlite' ? 'the default database is a SQLite file in the app data folder, created on first run' : `a ${ENGINE} URL selects the server and no SQLite file is made`, async () => {
    const s = scenario(counterApp('CounterModel'));
    const app = await s.load('a');
    expect(app.dataSource.options.type).toBe({ sqlite: 'better-sqlite3', postgres: 'postgres', mysql: 'mariadb' }[ENGINE]);
    expect(existsSync(join(s.path('apps/a/data'), 'app.sqlite'))).toBe(ENGINE === 'sqlite');
    // The runtime's own tables (accounts, login states, sessions, leases, sign-in limit counters) plus the Type's model.
    expect(app.dataSource.entityMetadatas.map((m) => m.tableName).sort()).toEqual(['fixture_counter', 'jit_identity_binding', 'jit_lease', 'jit_local_user', 'jit_login_state', 'jit_rate_limit', 'jit_session', 'jit_shared_value']);
  });

  test('rows persist across close() and a new load', async () => {
    const s = scenario(counterApp('CounterModel'));
    const first = await s.load('a');
    expect(await first.getElement<Counter>('counters.Visits').visit()).toBe(1);
    expect(await first.getElement<Counter>('counters.Visits').visit()).toBe(2);
    await first.close();
    expect(first.dataSource.isInitialized).toBe(false);
    const second = await s.load('a');
    expect(await second.getElement<Counter>('counters.Visits').visit()).toBe(3);
  });

  test('a model that gains a column keeps the stored rows', async () => {
    const s = scenario(counterApp('CounterModel'));
    const first = await s.load('a');
    await first.getElement<Counter>('counters.Visits').visit();
    await first.close();
    s.write(counterApp('CounterModelV2'));
    const second = await s.load('a');
    const rows = await second.dataSource.query('SELECT id, count, label FROM fixture_counter');
    expect(rows).toEqual([{ id: 'counters.Visits', count: 1, label: null }]);
  });

  test('an unsupported database URL is a clear Code error without the password', async () => {
    const s = scenario(counterApp('CounterModel'));
    await expect(s.load('a', { databaseUrl: 'oracle://scott:tiger@db/x' })).rejects.toMatchObject({
      code: RuntimeCodes.DATABASE_UNAVAILABLE,
      message: expect.not.stringContaining('tiger'),
    });
  });
});
