import { describe, expect, jest, test } from '@jest/globals';
import { FSInnerAuthModel, FSInnerDeptModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import type { FeishuApi } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu/api.js';
import { SCOPES, type EndpointName, type FeishuUser, type Org } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { INSTANCE, scanAndLogin, useFeishuWorld, type FeishuWorld } from './harness.js';
import { deliver, useEventWorld, userObject, v2 } from './events/event-world.js';

/**
 * What a login asks of Feishu (issue #14, "Fewer requests per login"). With a warm tenant token a
 * login always costs the code exchange and user_info; the contact record (user_get) and the names
 * and leaders of the person's departments (departments_batch) come from the local copy when it has
 * them: a contact record read within userSyncTtlSeconds (by a sync, an event or a login), and any
 * department stored before (by a sync, an event or a colleague's login).
 */
const world = useFeishuWorld();
const eventWorld = useEventWorld();

const TTL_SECONDS = 60;
const BASE = { oauth_token: 1, user_info: 1 };

/** A world with a short userSyncTtlSeconds and a warm tenant token: what a login then costs is what it asks about the person. */
async function warm(config: Record<string, unknown> = {}): Promise<FeishuWorld> {
  const w = await world({ config: { userSyncTtlSeconds: TTL_SECONDS, ...config } });
  await w.fs().getAccessToken();
  return w;
}

/** The requests Feishu answered since the stats were last reset, by endpoint (endpoints not asked are left out). */
function asked(w: FeishuWorld): Partial<Record<EndpointName, number>> {
  return Object.fromEntries(Object.entries(w.sandbox.stats().byEndpoint).flatMap(([endpoint, s]) => (s.total > 0 ? [[endpoint, s.total]] : [])));
}

/** One login, and what it asked of Feishu. */
async function loginCost(w: FeishuWorld, userId: string) {
  w.sandbox.resetStats();
  const user = await scanAndLogin(w, userId);
  return { user, asked: asked(w) };
}

const userRow = (w: FeishuWorld, userId: string) => w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: INSTANCE, userId });
const deptRow = (w: FeishuWorld, deptId: string, instance = INSTANCE) => w.app.dataSource.getRepository(FSInnerDeptModel).findOneBy({ instance, deptId });
const apiOf = (w: FeishuWorld) => (w.fs() as unknown as { api: FeishuApi }).api;

/** Someone in Engineering alone, active, who leads nothing: zhangsan's colleague. */
function colleagueOfZhangsan(org: Org): FeishuUser {
  const engineering = org.department('engineering').open_department_id;
  const leaders = new Set([org.department('engineering').leader_user_id, ...org.department('engineering').leaders.map((l) => l.leaderID)]);
  const colleague = org.directMembers(engineering).find((u) => u.user_id !== 'zhangsan' && u.department_ids.length === 1 && !leaders.has(u.open_id) && !u.status.is_frozen && !u.status.is_resigned);
  if (!colleague) throw new Error('the sandbox org has no plain member of Engineering');
  return colleague;
}

/** A new sandbox user in the given departments (any ids), shaped like the generated ones. */
function hire(org: Org, userId: string, departments: string[]): FeishuUser {
  const user = org.addUser({ ...structuredClone(org.user('zhangsan')), user_id: userId, open_id: `ou_${userId}`, union_id: `on_${userId}`, name: userId, en_name: userId, email: `${userId}@example.com`, employee_no: `X-${userId}`, department_ids: [], orders: [] });
  delete user.leader_user_id;
  return org.moveUser(userId, departments);
}

describe('requests per login, with a warm tenant token', () => {
  test("the first login of someone never synced reads their contact record and their departments' names: four requests", async () => {
    const w = await warm();
    const { user, asked } = await loginCost(w, 'zhangsan');
    expect(asked).toEqual({ ...BASE, user_get: 1, departments_batch: 1 });
    expect(user).toMatchObject({ department: w.sandbox.org.department('engineering').name, isLeader: true, status: 'active' });
  });

  test('a repeat login within userSyncTtlSeconds is answered from the record the first one read: two requests, the same profile', async () => {
    const w = await warm();
    const first = await loginCost(w, 'zhangsan');
    w.clock.advance((TTL_SECONDS - 1) * 1000);
    const again = await loginCost(w, 'zhangsan');
    expect(again.asked).toEqual(BASE);
    expect(again.user).toEqual(first.user);
  });

  test('once userSyncTtlSeconds have passed since the record was read, the next login reads it again; logins in between do not extend it', async () => {
    const w = await warm();
    await scanAndLogin(w, 'zhangsan');
    w.clock.advance((TTL_SECONDS / 2) * 1000);
    expect((await loginCost(w, 'zhangsan')).asked).toEqual(BASE); // answered from the copy: the record is as old as it was
    w.clock.advance((TTL_SECONDS / 2) * 1000);
    w.sandbox.org.updateUser('zhangsan', { job_title: 'CTO' });
    const stale = await loginCost(w, 'zhangsan');
    // The departments stay stored; only the person is read again, and what changed shows.
    expect(stale.asked).toEqual({ ...BASE, user_get: 1 });
    expect(stale.user.position).toBe('CTO');
    expect((await loginCost(w, 'zhangsan')).asked).toEqual(BASE);
  });

  test("a colleague's first login finds the departments someone's login stored: three requests", async () => {
    const w = await warm();
    const colleague = colleagueOfZhangsan(w.sandbox.org);
    await scanAndLogin(w, 'zhangsan');
    const { user, asked } = await loginCost(w, colleague.user_id);
    expect(asked).toEqual({ ...BASE, user_get: 1 });
    const engineering = w.sandbox.org.department('engineering');
    expect(user).toMatchObject({ department: engineering.name, isLeader: false });
    expect(user.departments).toEqual([{ id: engineering.open_department_id, customId: 'engineering', name: engineering.name, isLeader: false, isPrimary: true }]);
  });

  test("a new hire's first login finds the departments a sync stored: three requests", async () => {
    const w = await warm();
    await w.fs().syncDepartmentInfo();
    hire(w.sandbox.org, 'newhire', ['engineering', 'product']);
    const { user, asked } = await loginCost(w, 'newhire');
    expect(asked).toEqual({ ...BASE, user_get: 1 });
    expect(user.departments!.map((d) => d.name)).toEqual(['engineering', 'product'].map((id) => w.sandbox.org.department(id).name));
  });

  test('a synced user within userSyncTtlSeconds: two requests, as before', async () => {
    const w = await warm();
    await w.fs().syncDepartmentInfo();
    expect((await loginCost(w, 'lisi')).asked).toEqual(BASE);
  });

  test('a contact event counts as a read of the record: the next login of that person costs two requests', async () => {
    const w = await eventWorld({ config: { userSyncTtlSeconds: TTL_SECONDS } });
    await deliver(w, v2('contact.user.created_v3', { object: userObject(w, 'lisi') }));
    await w.fs().getAccessToken();
    expect((await loginCost(w, 'lisi')).asked).toEqual(BASE);
  });

  test('without the contact permission a login reads nothing it could keep: every login asks for the record again', async () => {
    const w = await warm();
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.contactBase);
    for (let i = 0; i < 2; i++) {
      const { user, asked } = await loginCost(w, 'zhangsan');
      expect(asked).toEqual({ ...BASE, user_get: 1 }); // refused (48001), and not retried
      expect(user).toMatchObject({ name: w.sandbox.org.user('zhangsan').name, status: null, departments: null });
    }
    expect(await userRow(w, 'zhangsan')).toMatchObject({ contactReadAt: null, syncedAt: null });
  });

  test('someone the local copy says has left is asked for afresh, however recently their record was read', async () => {
    const w = await warm();
    w.sandbox.apps[0]!.contactScope = ['engineering'];
    await scanAndLogin(w, 'zhangsan');
    w.sandbox.org.moveUser('zhangsan', ['sales']);
    await w.fs().syncUserInfo({ userId: 'zhangsan', forceUpdate: true }); // out of the contact range: gone
    expect(await userRow(w, 'zhangsan')).toMatchObject({ status: 'gone' });
    w.sandbox.org.moveUser('zhangsan', ['engineering']);
    const back = await loginCost(w, 'zhangsan');
    expect(back.asked).toEqual({ ...BASE, user_get: 1 });
    expect(back.user.status).toBe('active');
  });
});

describe('what a login keeps', () => {
  test('the contact record it read is stamped contactReadAt, never syncedAt: only a sync or an event says it saw the person', async () => {
    const w = await warm();
    const from = w.clock.now();
    await scanAndLogin(w, 'zhangsan');
    const afterLogin = await userRow(w, 'zhangsan');
    expect(afterLogin.syncedAt).toBeNull();
    expect(afterLogin.contactReadAt).toBeGreaterThanOrEqual(from);
    expect(afterLogin.contactReadAt).toBeLessThanOrEqual(w.clock.now());

    // A login answered from the copy reads nothing: the stamp stays.
    w.clock.advance(1_000);
    await scanAndLogin(w, 'zhangsan');
    expect((await userRow(w, 'zhangsan')).contactReadAt).toBe(afterLogin.contactReadAt);

    w.clock.advance(1_000);
    await w.fs().syncUserInfo({ userId: 'zhangsan', forceUpdate: true });
    const afterSync = await userRow(w, 'zhangsan');
    expect(afterSync.syncedAt).not.toBeNull();
    expect(afterSync.contactReadAt).toBe(afterSync.syncedAt);
  });

  test('a full sync stamps both', async () => {
    const w = await warm();
    await w.fs().syncDepartmentInfo();
    const row = await userRow(w, 'lisi');
    expect(row.syncedAt).not.toBeNull();
    expect(row.contactReadAt).toBe(row.syncedAt);
  });

  test('the departments it learned are stored as a sync of them stores them', async () => {
    const w = await world({
      config: { userSyncTtlSeconds: TTL_SECONDS },
      tree: { 'apps/demo/auths/loginTypes/Other/e.json': { title: 'Other', type: 'auths.loginTypes.FSInnerType' } },
      otherConfig: 'Other',
    });
    await scanAndLogin(w, 'lisi');
    const fields = (row: FSInnerDeptModel | null) => row && { customId: row.customId, name: row.name, parentId: row.parentId, leaderUserId: row.leaderUserId, leaderIds: row.leaderIds, memberCount: row.memberCount, sortOrder: row.sortOrder, status: row.status, deletedAt: row.deletedAt };
    for (const id of ['product', 'marketing']) {
      const department = w.sandbox.org.department(id);
      await w.fs('auths.loginTypes.Other').syncDepartmentInfo({ deptId: department.open_department_id });
      const byLogin = await deptRow(w, department.open_department_id);
      expect(byLogin).toMatchObject({ name: department.name, customId: id, status: 'active' });
      expect(fields(byLogin)).toEqual(fields(await deptRow(w, department.open_department_id, 'auths.loginTypes.Other')));
    }
  });

  test("what Feishu withholds stays unknown in the stored departments, and so in a colleague's login", async () => {
    const w = await warm();
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.departmentOrganize);
    const colleague = colleagueOfZhangsan(w.sandbox.org);
    expect((await scanAndLogin(w, 'zhangsan')).isLeader).toBeNull();
    const engineering = w.sandbox.org.department('engineering');
    expect(await deptRow(w, engineering.open_department_id)).toMatchObject({ name: engineering.name, parentId: null, leaderUserId: null, leaderIds: null, memberCount: null, sortOrder: null });
    const { user, asked } = await loginCost(w, colleague.user_id);
    expect(asked).toEqual({ ...BASE, user_get: 1 });
    expect(user).toMatchObject({ department: engineering.name, isLeader: null }); // unknown, not "leads nothing"
  });

  test('a department a sync stored while the login was reading it keeps what the sync stored', async () => {
    const w = await warm();
    const engineering = w.sandbox.org.department('engineering');
    const api = apiOf(w);
    const batch = api.departmentsBatch.bind(api);
    jest.spyOn(api, 'departmentsBatch').mockImplementationOnce(async (ids, userIdType) => {
      const answer = await batch(ids, userIdType);
      // Renamed and synced after Feishu answered the login, before the login stores the answer.
      w.sandbox.org.updateDepartment('engineering', { name: 'Platform' });
      await w.fs().syncDepartmentInfo({ deptId: engineering.open_department_id });
      return answer;
    });
    await scanAndLogin(w, 'zhangsan');
    expect(await deptRow(w, engineering.open_department_id)).toMatchObject({ name: 'Platform' });
  });

  test('a department a login stored and Feishu no longer has is marked deleted by the next full sync', async () => {
    const w = await warm();
    const team = w.sandbox.org.addDepartment({ department_id: 'skunkworks', name: 'Skunkworks', parent: 'engineering' });
    hire(w.sandbox.org, 'newhire', ['skunkworks']);
    await scanAndLogin(w, 'newhire');
    expect(await deptRow(w, team.open_department_id)).toMatchObject({ name: 'Skunkworks', status: 'active' });
    w.sandbox.org.moveUser('newhire', ['engineering']);
    w.sandbox.org.removeDepartment('skunkworks');
    w.clock.advance(1_000);
    await w.fs().syncDepartmentInfo();
    expect(await deptRow(w, team.open_department_id)).toMatchObject({ status: 'deleted' });
  });
});
