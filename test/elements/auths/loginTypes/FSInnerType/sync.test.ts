import { describe, expect, jest, test } from '@jest/globals';
import { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import type { SyncProgress } from '../../../../../elements/auths/loginTypes/FSInnerType/department-sync.js';
import { ROOT_DEPARTMENT_ID, type FeishuUser, type Org } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { INSTANCE, requests, scanAndLogin, useFeishuWorld, type FeishuWorld } from './harness.js';
import { RuntimeCodes } from '../../../../../runtime/errcode.js';
import { FSInnerCodes, fromFeishu } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import type { FeishuApi } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu/api.js';

const world = useFeishuWorld();

const users = (w: FeishuWorld) => w.app.dataSource.getRepository(FSInnerAuthModel);
const depts = (w: FeishuWorld) => w.app.dataSource.getRepository(FSInnerDeptModel);
const memberships = (w: FeishuWorld) => w.app.dataSource.getRepository(FSInnerMembershipModel);
const userRow = (w: FeishuWorld, userId: string) => users(w).findOneByOrFail({ instance: INSTANCE, userId });

/** The test clock runs (real time plus what tests add): a stamp written during a call lies between a reading before and one after it. */
function expectStampedBetween(value: number | null, from: number, to: number): void {
  expect(value).not.toBeNull();
  expect(value!).toBeGreaterThanOrEqual(from);
  expect(value!).toBeLessThanOrEqual(to);
}

/** Who a full sync can see: find_by_department lists every non-resigned user with a department (the root "0" included). */
const listedUsers = (org: Org) => org.users.filter((u) => !u.status.is_resigned && u.department_ids.length > 0);

/** A new sandbox user in the given departments (any ids), shaped like the generated ones. */
function addPerson(org: Org, userId: string, departments: string[]): FeishuUser {
  const template = org.user('zhangsan');
  const user = org.addUser({
    ...structuredClone(template),
    user_id: userId,
    open_id: `ou_${userId}`,
    union_id: `on_${userId}`,
    name: userId,
    en_name: userId,
    email: `${userId}@example.com`,
    employee_no: `X-${userId}`,
    department_ids: [],
    orders: [],
  });
  delete user.leader_user_id;
  return org.moveUser(userId, departments);
}

/** Feishu has no "delete user" the sandbox models; this takes the record out as if the account were deleted. */
function deleteFromFeishu(org: Org, userId: string): void {
  const list = org.users as FeishuUser[];
  list.splice(list.indexOf(org.user(userId)), 1);
  org.updateDepartment('engineering', {}); // bumps the org version so its indexes are rebuilt
}

describe('syncUserInfo', () => {
  test('creates a row with the Feishu fields and the memberships', async () => {
    const w = await world();
    const feishu = w.sandbox.org.user('lisi');
    const from = w.clock.now();
    await w.fs().syncUserInfo({ userId: 'lisi' });
    const to = w.clock.now();

    const row = await userRow(w, 'lisi');
    expectStampedBetween(row.syncedAt, from, to);
    expect(row).toMatchObject({
      openId: feishu.open_id,
      unionId: feishu.union_id,
      name: feishu.name,
      email: feishu.email,
      mobile: feishu.mobile,
      position: feishu.job_title,
      employeeNo: feishu.employee_no,
      department: w.sandbox.org.department('product').name,
      status: 'active',
      isLeader: true,
      localUserId: null,
      deletedAt: null,
    });
    const rows = await memberships(w).findBy({ instance: INSTANCE, userId: 'lisi' });
    expect(rows.map((m) => [m.deptId, m.isLeader, m.isPrimary]).sort()).toEqual(
      [
        [w.sandbox.org.department('product').open_department_id, true, true],
        [w.sandbox.org.department('marketing').open_department_id, false, false],
      ].sort(),
    );
  });

  test('a fresh row is left alone: no request without forceUpdate', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    expect(requests(w.sandbox, 'user_get')).toBe(1);
    w.clock.advance(60_000);
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    expect(requests(w.sandbox, 'user_get')).toBe(1);
  });

  test('forceUpdate asks Feishu again and stores the change', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    w.sandbox.org.updateUser('zhangsan', { job_title: 'CTO' });
    await w.fs().syncUserInfo({ userId: 'zhangsan', forceUpdate: true });
    expect(requests(w.sandbox, 'user_get')).toBe(2);
    expect((await userRow(w, 'zhangsan')).position).toBe('CTO');
  });

  test('after userSyncTtlSeconds the row is stale and synced again', async () => {
    const w = await world({ config: { userSyncTtlSeconds: 120 } });
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    w.clock.advance(119_000);
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    expect(requests(w.sandbox, 'user_get')).toBe(1);
    w.clock.advance(2_000);
    const from = w.clock.now();
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    expect(requests(w.sandbox, 'user_get')).toBe(2);
    expectStampedBetween((await userRow(w, 'zhangsan')).syncedAt, from, w.clock.now());
  });

  test('local fields survive a sync: the binding set by a login and the stored tokens', async () => {
    const w = await world();
    const login = await scanAndLogin(w, 'zhangsan');
    const before = await userRow(w, 'zhangsan');
    expect(before.localUserId).toBe(login.localUserId);

    w.sandbox.org.updateUser('zhangsan', { name: '张三丰' });
    await w.fs().syncUserInfo({ userId: 'zhangsan', forceUpdate: true });
    await w.fs().syncDepartmentInfo();

    const after = await userRow(w, 'zhangsan');
    expect(after.name).toBe('张三丰');
    expect(after.localUserId).toBe(login.localUserId);
    expect(after.accessToken).toBe(before.accessToken);
    expect(after.lastLoginAt).toBe(before.lastLoginAt);
    expect(after.createdAt).toBe(before.createdAt);
    expect(await users(w).countBy({ instance: INSTANCE, userId: 'zhangsan' })).toBe(1);
  });
});

describe('syncDepartmentInfo', () => {
  test('a full sync stores every department, every listed member, their memberships and leader flags', async () => {
    const w = await world();
    const org = w.sandbox.org;
    const from = w.clock.now();
    await w.fs().syncDepartmentInfo();
    const to = w.clock.now();

    const deptRows = await depts(w).findBy({ instance: INSTANCE });
    expect(deptRows.map((d) => d.deptId).sort()).toEqual(org.departments.map((d) => d.open_department_id).sort());
    for (const d of org.departments) {
      expect(deptRows.find((r) => r.deptId === d.open_department_id)).toMatchObject({
        customId: d.department_id,
        name: d.name,
        parentId: d.parent_department_id,
        leaderUserId: d.leader_user_id ? org.user(d.leader_user_id).user_id : null,
        status: 'active',
      });
    }

    const expected = listedUsers(org);
    const userRows = await users(w).findBy({ instance: INSTANCE });
    expect(userRows.map((u) => u.userId).sort()).toEqual(expected.map((u) => u.user_id).sort());
    for (const u of userRows) expectStampedBetween(u.syncedAt, from, to);

    // Memberships and leader flags, derived from the departments' leader_user_id / leaders[].
    const leadersOf = new Map(org.departments.map((d) => [d.open_department_id, new Set([d.leader_user_id, ...d.leaders.map((l) => l.leaderID)])]));
    const expectedMemberships = expected.flatMap((u) => u.department_ids.map((deptId) => `${u.user_id} ${deptId} ${leadersOf.get(deptId)?.has(u.open_id) ?? false}`));
    const membershipRows = await memberships(w).findBy({ instance: INSTANCE });
    expect(membershipRows.map((m) => `${m.userId} ${m.deptId} ${m.isLeader}`).sort()).toEqual(expectedMemberships.sort());
    expect(membershipRows.some((m) => m.isLeader)).toBe(true);
    const leaderRows = userRows.filter((u) => u.isLeader).map((u) => u.userId);
    expect(leaderRows).toEqual(expect.arrayContaining(['zhangsan', 'lisi', 'wangwu']));
    expect(leaderRows).not.toContain('chenyi');

    // The CEO sits directly under the root: found through find_by_department("0").
    expect(org.user('chenyi').department_ids).toEqual([ROOT_DEPARTMENT_ID]);
    expect(await userRow(w, 'chenyi')).toMatchObject({ name: org.user('chenyi').name, status: 'active' });
    expect(await memberships(w).findBy({ instance: INSTANCE, userId: 'chenyi' })).toEqual([expect.objectContaining({ deptId: ROOT_DEPARTMENT_ID })]);
    // The frozen engineer is listed and stored as frozen.
    expect((await userRow(w, 'wujiu')).status).toBe('frozen');
  });

  test('someone directly under the root and in a department too: their departments are stored as open ids', async () => {
    const w = await world();
    const org = w.sandbox.org;
    addPerson(org, 'founder', [ROOT_DEPARTMENT_ID, 'engineering']);
    const expected = [ROOT_DEPARTMENT_ID, org.department('engineering').open_department_id].sort();
    const stored = async () => (await memberships(w).findBy({ instance: INSTANCE, userId: 'founder' })).map((m) => m.deptId).sort();

    // The root's listing alone decides what is stored of them: asked as a custom department_id,
    // Feishu would name "engineering" instead of its open id, a department no stored row has.
    await w.fs().syncDepartmentInfo({ deptId: ROOT_DEPARTMENT_ID });
    expect(await stored()).toEqual(expected);

    // A full sync, where the root's listing and engineering's both list them, agrees.
    w.clock.advance(1_000);
    await w.fs().syncDepartmentInfo();
    expect(await stored()).toEqual(expected);
  });

  test('re-syncing is idempotent: same rows, no duplicates', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    const counts = async () => [await users(w).count(), await depts(w).count(), await memberships(w).count()];
    const first = await counts();
    w.clock.advance(1_000);
    const from = w.clock.now();
    await w.fs().syncDepartmentInfo();
    expect(await counts()).toEqual(first);
    expect(first[0]).toBe(listedUsers(w.sandbox.org).length);
    expectStampedBetween((await userRow(w, 'zhangsan')).syncedAt, from, w.clock.now());
  });

  test('a department moved in Feishu gets its new parent', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    const platform = w.sandbox.org.department('platform');
    const engineering = w.sandbox.org.department('engineering');
    expect((await depts(w).findOneByOrFail({ instance: INSTANCE, deptId: platform.open_department_id })).parentId).toBe(engineering.open_department_id);

    w.sandbox.org.moveDepartment('platform', 'product');
    w.clock.advance(1_000);
    await w.fs().syncDepartmentInfo();
    expect((await depts(w).findOneByOrFail({ instance: INSTANCE, deptId: platform.open_department_id })).parentId).toBe(w.sandbox.org.department('product').open_department_id);
  });

  test('a user who resigned is kept, marked resigned with deletedAt', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    w.sandbox.org.resignUser('wangwu');
    w.clock.advance(1_000);
    w.sandbox.resetStats();
    const from = w.clock.now();
    await w.fs().syncDepartmentInfo();
    // find_by_department no longer lists them: the one user who vanished is asked for, once.
    expect(requests(w.sandbox, 'user_get')).toBe(1);

    const resigned = await userRow(w, 'wangwu');
    expect(resigned.status).toBe('resigned');
    expectStampedBetween(resigned.deletedAt, from, w.clock.now());
    expect(await memberships(w).countBy({ instance: INSTANCE, userId: 'wangwu' })).toBe(0);
    expect((await userRow(w, 'zhangsan')).status).toBe('active');

    // Another sync leaves the resigned user resigned (not "gone", and no second deletedAt).
    w.clock.advance(1_000);
    w.sandbox.resetStats();
    await w.fs().syncDepartmentInfo();
    expect(await userRow(w, 'wangwu')).toMatchObject({ status: 'resigned', deletedAt: resigned.deletedAt });
    expect(requests(w.sandbox, 'user_get')).toBe(0);
  });

  test('a user deleted from Feishu altogether is marked gone, never deleted', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    const before = await users(w).count();
    deleteFromFeishu(w.sandbox.org, 'zhaoliu');
    w.clock.advance(1_000);
    w.sandbox.resetStats();
    const from = w.clock.now();
    await w.fs().syncDepartmentInfo();
    expect(w.sandbox.stats().byEndpoint.user_get.byStatus).toEqual({ '200': 1 }); // 41012 comes with HTTP 200

    const gone = await userRow(w, 'zhaoliu');
    expect(gone.status).toBe('gone');
    expectStampedBetween(gone.deletedAt, from, w.clock.now());
    expect(await users(w).count()).toBe(before);
    expect((await userRow(w, 'zhouba')).status).toBe('active');
  });

  test('a department removed in Feishu is marked deleted', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    const research = w.sandbox.org.department('research').open_department_id;
    w.sandbox.org.removeDepartment('research');
    w.clock.advance(1_000);
    const from = w.clock.now();
    await w.fs().syncDepartmentInfo();

    const removed = await depts(w).findOneByOrFail({ instance: INSTANCE, deptId: research });
    expect(removed.status).toBe('deleted');
    expectStampedBetween(removed.deletedAt, from, w.clock.now());
    expect(await depts(w).countBy({ instance: INSTANCE, status: 'active' })).toBe(w.sandbox.org.departments.length);
  });

  test('progress: counts only grow, phases in order, ending with done', async () => {
    const w = await world();
    const seen: SyncProgress[] = [];
    await w.fs().syncDepartmentInfo({ onProgress: (p) => seen.push(p) });

    expect(seen.length).toBeGreaterThan(2);
    const order = ['departments', 'users', 'writing', 'done'];
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(order.indexOf(b.phase)).toBeGreaterThanOrEqual(order.indexOf(a.phase));
      for (const key of ['departmentsFound', 'departmentsDone', 'usersFound', 'usersWritten'] as const) expect(b[key]).toBeGreaterThanOrEqual(a[key]);
    }
    const last = seen.at(-1)!;
    const departments = w.sandbox.org.departments.length;
    const listed = listedUsers(w.sandbox.org).length;
    expect(last).toEqual({ phase: 'done', departmentsFound: departments, departmentsDone: departments, usersFound: listed, usersWritten: listed });
    expect(seen.filter((p) => p.phase === 'done')).toHaveLength(1);
  });

  test('one department: that department and its direct members, nothing marked gone', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: 'zhaoliu' }); // synced earlier, in another department
    const platform = w.sandbox.org.department('platform');
    await w.fs().syncDepartmentInfo({ deptId: 'platform' });

    const deptRows = await depts(w).findBy({ instance: INSTANCE });
    expect(deptRows.map((d) => d.deptId)).toEqual([platform.open_department_id]);
    // Addressed by its custom id, it is still stored with open ids throughout.
    expect(deptRows[0]).toMatchObject({ customId: 'platform', name: platform.name, parentId: w.sandbox.org.department('engineering').open_department_id });
    const members = w.sandbox.org.directMembers(platform.open_department_id).map((u) => u.user_id);
    expect(members.length).toBeGreaterThan(0);
    const rows = await users(w).findBy({ instance: INSTANCE });
    expect(rows.map((u) => u.userId).sort()).toEqual([...members, 'zhaoliu'].sort());
    expect((await userRow(w, 'zhaoliu')).status).toBe('active');
    expect(requests(w.sandbox, 'department_children')).toBe(0);
  });

  test('pages of 50: a department of exactly 50 members costs one request, one of 51 two', async () => {
    const w = await world();
    const org = w.sandbox.org;
    org.addDepartment({ department_id: 'fifty', name: 'Fifty' });
    org.addDepartment({ department_id: 'fiftyone', name: 'Fifty-one', parent: 'fifty' });
    for (let i = 0; i < 50; i++) addPerson(org, `p50_${i}`, ['fifty']);
    for (let i = 0; i < 51; i++) addPerson(org, `p51_${i}`, ['fiftyone']);
    expect(org.directMembers(org.department('fifty').open_department_id)).toHaveLength(50);
    expect(org.directMembers(org.department('fiftyone').open_department_id)).toHaveLength(51);

    await w.fs().syncDepartmentInfo();

    // One page per listing, plus one per further 50 members: root "0" and every department.
    const listings = [ROOT_DEPARTMENT_ID, ...org.departments.map((d) => d.open_department_id)];
    const pages = listings.reduce((n, id) => n + Math.max(1, Math.ceil(org.directMembers(id).length / 50)), 0);
    expect(requests(w.sandbox, 'find_by_department')).toBe(pages);
    expect(pages).toBe(listings.length + 1); // only "fiftyone" needs a second page
    const stored = await users(w).findBy({ instance: INSTANCE });
    expect(stored.filter((u) => u.userId.startsWith('p50_'))).toHaveLength(50);
    expect(stored.filter((u) => u.userId.startsWith('p51_'))).toHaveLength(51);
    expect(stored).toHaveLength(listedUsers(org).length);
  });

  test('syncRootDepartments limits the walk to those subtrees', async () => {
    const w = await world({ config: { syncRootDepartments: ['engineering'] } });
    const org = w.sandbox.org;
    await w.fs().syncDepartmentInfo();

    const engineering = org.department('engineering').open_department_id;
    const subtree = [engineering, ...org.descendantDepartments(engineering).map((d) => d.open_department_id)];
    expect((await depts(w).findBy({ instance: INSTANCE })).map((d) => d.deptId).sort()).toEqual([...subtree].sort());
    const expected = listedUsers(org).filter((u) => u.department_ids.some((d) => subtree.includes(d)));
    expect((await users(w).findBy({ instance: INSTANCE })).map((u) => u.userId).sort()).toEqual(expected.map((u) => u.user_id).sort());
    expect(expected.map((u) => u.user_id)).not.toContain('chenyi');
    // Parents are open ids even though the root was configured by its custom id.
    expect(await depts(w).findOneByOrFail({ instance: INSTANCE, deptId: org.department('platform').open_department_id })).toMatchObject({ parentId: engineering });
    // One fetch_child listing of the subtree (⌈3/50⌉ pages), nothing from the root; members of each subtree department.
    expect(subtree).toHaveLength(3);
    expect(requests(w.sandbox, 'department_children')).toBe(1);
    expect(requests(w.sandbox, 'find_by_department')).toBe(subtree.length);
  });

  test('a contact range below the root without syncRootDepartments: the root cannot be listed, the sync fails with 40014 before asking for members', async () => {
    const w = await world();
    w.sandbox.apps[0]!.contactScope = ['engineering'];
    await expect(w.fs().syncDepartmentInfo()).rejects.toMatchObject({ code: FSInnerCodes.PERMISSION_MISSING, details: { feishuCode: 40014 } });
    expect(requests(w.sandbox, 'department_children')).toBe(1);
    expect(requests(w.sandbox, 'find_by_department')).toBe(0);
    expect(await depts(w).count()).toBe(0);
    expect(await users(w).count()).toBe(0);
  });

  test('syncRootDepartments with one root inside another: its subtree is listed once, its members once', async () => {
    const w = await world({ config: { syncRootDepartments: ['engineering', 'platform'] } });
    const org = w.sandbox.org;
    await w.fs().syncDepartmentInfo();

    const engineering = org.department('engineering').open_department_id;
    const subtree = [engineering, ...org.descendantDepartments(engineering).map((d) => d.open_department_id)];
    expect(subtree).toContain(org.department('platform').open_department_id);
    expect((await depts(w).findBy({ instance: INSTANCE })).map((d) => d.deptId).sort()).toEqual([...subtree].sort());
    // Platform was found in engineering's listing: asked for by its id (department_get), not listed again.
    expect(requests(w.sandbox, 'department_children')).toBe(1);
    expect(requests(w.sandbox, 'find_by_department')).toBe(subtree.length);
  });
});

/** The stored directory without timestamps or row ids: what two syncs must agree on. */
async function storedDirectory(w: FeishuWorld) {
  const byKey = <T>(rows: T[], key: (r: T) => string) => rows.sort((a, b) => key(a).localeCompare(key(b)));
  const departmentRows = (await depts(w).findBy({ instance: INSTANCE })).map(({ deptId, customId, name, parentId, leaderUserId, leaderIds, memberCount, sortOrder, status }) => ({ deptId, customId, name, parentId, leaderUserId, leaderIds, memberCount, sortOrder, status }));
  // Avatars are served by each sandbox on its own port: compared without the origin.
  const avatarPath = (url: string | null) => (url ? url.replace(w.sandbox.baseUrl, '') : url);
  const userRows = (await users(w).findBy({ instance: INSTANCE })).map(({ userId, openId, unionId, name, mobile, email, avatar, department, position, gender, status, isLeader, employeeNo }) => ({ userId, openId, unionId, name, mobile, email, avatar: avatarPath(avatar), department, position, gender, status, isLeader, employeeNo }));
  const membershipRows = (await memberships(w).findBy({ instance: INSTANCE })).map(({ userId, deptId, isLeader, isPrimary }) => ({ userId, deptId, isLeader, isPrimary }));
  return {
    departments: byKey(departmentRows, (d) => d.deptId),
    users: byKey(userRows, (u) => u.userId),
    memberships: byKey(membershipRows, (m) => `${m.userId} ${m.deptId}`),
  };
}

/** The element's Feishu client, to make Feishu refuse a call the sandbox has no switch for. */
const apiOf = (w: FeishuWorld) => (w.fs() as unknown as { api: FeishuApi }).api;

/** What the client makes of Feishu's 43010 reply (contract §4) to a recursive children listing. */
const recursionRefused = () =>
  fromFeishu({ endpoint: 'department_children', feishuCode: 43010, feishuMsg: 'big dept forbid recursion', scopes: [] }, { endpoint: 'department_children', feishuCode: 43010 });

describe('full sync of a larger org: fetch_child pages, members alongside', () => {
  const DEPARTMENTS = 230;
  /** A generated org (deterministic: two worlds get the same one) with one department of 120 people (three member pages). */
  const largeWorld = async () => {
    // Paced at 1000/s per endpoint: the request pattern is under test here, not Feishu's rate.
    const w = await world({ sandbox: { org: { departments: DEPARTMENTS, users: 2300 } }, config: { requestsPerSecond: 1000, requestsPerMinute: 60000 } });
    const org = w.sandbox.org;
    const crowded = org.departments[40]!.department_id;
    for (let i = 0; i < 120; i++) addPerson(org, `crowd_${i}`, [crowded]);
    return w;
  };
  const listings = (org: Org) => [ROOT_DEPARTMENT_ID, ...org.departments.map((d) => d.open_department_id)];
  const pages = (n: number) => Math.max(1, Math.ceil(n / 50));
  const memberPages = (org: Org) => listings(org).reduce((n, id) => n + pages(org.directMembers(id).length), 0);

  test('departments cost ⌈departments/50⌉ requests (one fetch_child listing of the root), members one listing per department', async () => {
    const w = await largeWorld();
    const org = w.sandbox.org;
    expect(org.departments).toHaveLength(DEPARTMENTS);
    await w.fs().syncDepartmentInfo();

    expect(requests(w.sandbox, 'department_children')).toBe(Math.ceil(DEPARTMENTS / 50)); // 5, not 231
    expect(requests(w.sandbox, 'find_by_department')).toBe(memberPages(org));
    expect(memberPages(org)).toBe(DEPARTMENTS + 1 + 2); // the crowded department needs two more pages
    expect(requests(w.sandbox, 'department_get')).toBe(0);
    expect(requests(w.sandbox, 'user_get')).toBe(0);

    const stored = await storedDirectory(w);
    expect(stored.departments.map((d) => d.deptId)).toEqual(org.departments.map((d) => d.open_department_id).sort());
    expect(stored.users.map((u) => u.userId)).toEqual(listedUsers(org).map((u) => u.user_id).sort((a, b) => a.localeCompare(b)));
    expect(stored.memberships).toHaveLength(listedUsers(org).reduce((n, u) => n + u.department_ids.length, 0));
  }, 30_000);

  test('the same departments, users and memberships as the level-by-level walk, to which it falls back when Feishu refuses to recurse', async () => {
    const fast = await largeWorld();
    await fast.fs().syncDepartmentInfo();

    const walked = await largeWorld();
    const api = apiOf(walked);
    const recursive = api.departmentDescendants.bind(api);
    // The first page comes back; Feishu refuses the second (43010).
    const spy = jest.spyOn(api, 'departmentDescendants').mockImplementation((id, type, token) => (token ? Promise.reject(recursionRefused()) : recursive(id, type, token)));
    await walked.fs().syncDepartmentInfo();

    expect(spy).toHaveBeenCalledTimes(2);
    // The walk: one fetch_child=false listing per department and the root (none has more than 50 children).
    const org = walked.sandbox.org;
    expect(listings(org).every((id) => org.childDepartments(id).length <= 50)).toBe(true);
    expect(requests(walked.sandbox, 'department_children')).toBe(1 + listings(org).length);
    expect(requests(walked.sandbox, 'find_by_department')).toBe(memberPages(org)); // each department's members listed once
    expect(await storedDirectory(walked)).toEqual(await storedDirectory(fast));
  }, 30_000);

  test('members are listed while the department pages are still coming', async () => {
    const w = await largeWorld();
    // Slow department pages: the members of the first page's departments are listed before the second page arrives.
    w.sandbox.injectFault({ endpoint: 'department_children', kind: 'latency', ms: 150, times: 5 } as never);
    const seen: SyncProgress[] = [];
    await w.fs().syncDepartmentInfo({ onProgress: (p) => seen.push(p) });

    const listing = seen.filter((p) => p.phase === 'departments');
    expect(listing.some((p) => p.departmentsDone > 0 && p.departmentsFound < DEPARTMENTS)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ phase: 'done', departmentsFound: DEPARTMENTS, departmentsDone: DEPARTMENTS });
  }, 30_000);

  test('a department page that keeps failing fails the sync with nothing written, and no request runs on after it', async () => {
    const w = await largeWorld();
    await w.fs().syncDepartmentInfo();
    const before = await storedDirectory(w);
    w.sandbox.org.updateDepartment(w.sandbox.org.departments[0]!.department_id, { name: 'Renamed' });
    w.clock.advance(1_000);
    // The first page passes, every later one answers 500 (the sync gives up after its retries, ~1.4 s);
    // slow member listings (1 s each, 16 at a time) are still in flight when it does.
    w.sandbox.injectFault({ endpoint: 'department_children', kind: 'latency', ms: 0, times: 1 } as never);
    w.sandbox.injectFault({ endpoint: 'department_children', kind: 'status', status: 500, times: 1000 } as never);
    w.sandbox.injectFault({ endpoint: 'find_by_department', kind: 'latency', ms: 1000, times: 1000 } as never);
    w.sandbox.resetStats();

    await expect(w.fs().syncDepartmentInfo()).rejects.toMatchObject({ name: 'Code', code: FSInnerCodes.FEISHU_FAILURE });
    // The listings not yet started were dropped: fewer than the first page's 50 departments and the root.
    expect(requests(w.sandbox, 'find_by_department')).toBeGreaterThan(0);
    expect(requests(w.sandbox, 'find_by_department')).toBeLessThan(51);
    const settled = w.sandbox.stats().total;
    await new Promise((r) => setTimeout(r, 500));
    expect(w.sandbox.stats().total).toBe(settled);
    expect(await storedDirectory(w)).toEqual(before);
    w.sandbox.clearFaults();
    await w.fs().syncDepartmentInfo(); // the lease was released
    expect((await storedDirectory(w)).departments.find((d) => d.deptId === w.sandbox.org.departments[0]!.open_department_id)?.name).toBe('Renamed');
  }, 30_000);
});

describe('one sync at a time', () => {
  test('a second sync of the same instance while one runs is refused with Code 10010, and the first completes', async () => {
    const w = await world();
    w.sandbox.injectFault({ endpoint: 'department_children', kind: 'latency', ms: 300, times: 1 } as never);
    const first = w.fs().syncDepartmentInfo();
    await new Promise((r) => setTimeout(r, 50));
    await expect(w.fs().syncDepartmentInfo()).rejects.toMatchObject({ code: RuntimeCodes.BUSY });
    await first;
    await w.fs().syncDepartmentInfo(); // the lease was released
  });
});
