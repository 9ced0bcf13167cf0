import { describe, expect, test } from '@jest/globals';
import { FSInnerAuthModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { INSTANCE, scanAndLogin, useFeishuWorld } from './harness.js';

const world = useFeishuWorld();
const OTHER = 'auths.loginTypes.Other';

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
