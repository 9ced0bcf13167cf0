import { describe, expect, test } from '@jest/globals';
import { FSInnerAuthModel, FSInnerDeptModel, FSInnerMembershipModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { FSInnerCodes } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { PERMISSIONS, REQUIRED_PERMISSIONS, type FeatureName, type Level } from '../../../../../elements/auths/loginTypes/FSInnerType/permissions.js';
import type { PreflightReport } from '../../../../../elements/auths/loginTypes/FSInnerType/preflight.js';
import { FEISHU } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { INSTANCE, scanAndLogin, useFeishuWorld, type FeishuWorld } from './harness.js';

/**
 * Every permission the element relies on, withheld in turn from an app that has all the others
 * (the README's Going-live list): what a user of the element gets — a clear Code, or a field that
 * is unknown (null), never a guess — and what checkConfig says about it.
 */
const world = useFeishuWorld();
const P = PERMISSIONS;

async function without(permission: string): Promise<FeishuWorld> {
  const w = await world();
  const app = w.sandbox.apps[0]!;
  expect(app.scopes).toContain(permission);
  app.scopes = app.scopes.filter((s) => s !== permission);
  return w;
}

const zhangsan = (w: FeishuWorld) => w.sandbox.org.user('zhangsan');
const engineering = (w: FeishuWorld) => w.sandbox.org.department('engineering');
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);
const rows = <T>(w: FeishuWorld, model: new () => T) => w.app.dataSource.getRepository(model as never).findBy({ instance: INSTANCE } as never) as Promise<T[]>;

interface Row {
  withheld: string;
  /** What getUserInfo, a login and a sync give without it. */
  userGets(w: FeishuWorld): Promise<void>;
  /** The features checkConfig reports it missing for; features left out must not list it as missing. */
  missingFor: Partial<Record<FeatureName, { level: Level; fatal: boolean }>>;
  /** Features for which checkConfig cannot tell (an optional field nobody sampled has). */
  unknownFor?: FeatureName[];
}

const ROWS: Row[] = [
  {
    withheld: P.contactBase,
    async userGets(w) {
      // API-level: the contact record cannot be read at all.
      expect(await failure(w.fs().getUserInfo({ userId: 'zhangsan' }))).toMatchObject({ code: FSInnerCodes.PERMISSION_MISSING, details: { feishuCode: FEISHU.appLacksScope[0], scopes: expect.arrayContaining([P.contactBase]) } });
      // Sign-in still works, from user_info alone: what it does not tell is unknown.
      expect(await scanAndLogin(w, 'zhangsan')).toMatchObject({ name: zhangsan(w).name, email: zhangsan(w).email, status: null, departments: null, department: null, position: null, isLeader: null });
      // The listings also take contact:department.organize:readonly, which the app has: a sync works.
      await w.fs().syncDepartmentInfo();
      expect((await rows(w, FSInnerDeptModel)).length).toBe(w.sandbox.org.departments.length);
    },
    missingFor: { login: { level: 'api', fatal: false }, inClientLogin: { level: 'api', fatal: false }, userDetails: { level: 'api', fatal: true }, departmentSync: { level: 'api', fatal: false } },
  },
  {
    withheld: P.userBase,
    async userGets(w) {
      expect(await w.fs().getUserInfo({ userId: 'zhangsan' })).toMatchObject({ name: null, enName: null, avatar: null, avatars: { avatar72: null, avatar240: null, avatar640: null, avatarOrigin: null } });
      expect((await scanAndLogin(w, 'zhangsan')).name).toBe(zhangsan(w).name); // user_info always has it
    },
    missingFor: { userDetails: { level: 'field', fatal: false }, departmentSync: { level: 'field', fatal: false } },
  },
  {
    withheld: P.userEmail,
    async userGets(w) {
      // No email; the enterprise email (contact:user.employee:readonly) is what is left.
      expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).email).toBe(zhangsan(w).enterprise_email);
      expect((await scanAndLogin(w, 'zhangsan')).email).toBe(zhangsan(w).enterprise_email);
    },
    missingFor: {},
    unknownFor: ['login', 'inClientLogin', 'userDetails'],
  },
  {
    withheld: P.userPhone,
    async userGets(w) {
      expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).mobile).toBeNull();
      expect((await scanAndLogin(w, 'zhangsan')).mobile).toBeNull();
    },
    missingFor: {},
    unknownFor: ['login', 'inClientLogin', 'userDetails'],
  },
  {
    withheld: P.userGender,
    async userGets(w) {
      expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).gender).toBeNull();
    },
    missingFor: { userDetails: { level: 'field', fatal: false } },
  },
  {
    withheld: P.userEmployeeId,
    async userGets(w) {
      // userIdType "user_id" (the default): every path fails, naming the permission.
      const needs = { code: FSInnerCodes.PERMISSION_MISSING, details: { scopes: [P.userEmployeeId] } };
      expect(await failure(scanAndLogin(w, 'zhangsan'))).toMatchObject(needs);
      expect(await failure(w.fs().getUserInfo({ userId: 'zhangsan' }))).toMatchObject(needs);
      expect(await failure(w.fs().syncDepartmentInfo())).toMatchObject(needs);
    },
    missingFor: { login: { level: 'field', fatal: true }, inClientLogin: { level: 'field', fatal: true }, userDetails: { level: 'api', fatal: true }, departmentSync: { level: 'api', fatal: true } },
  },
  {
    withheld: P.userEmployee,
    async userGets(w) {
      expect(await w.fs().getUserInfo({ userId: 'zhangsan' })).toMatchObject({ status: null, statusFlags: null, position: null, employeeNo: null, employeeType: null });
      // Not taken for "active", and not a reason to refuse: sign-in works, the status stays unknown.
      expect(await scanAndLogin(w, 'zhangsan')).toMatchObject({ status: null, position: null });
      await w.fs().syncDepartmentInfo();
      expect((await rows(w, FSInnerAuthModel)).every((u) => u.status === null)).toBe(true);
    },
    missingFor: { userDetails: { level: 'field', fatal: false }, departmentSync: { level: 'field', fatal: false } },
  },
  {
    withheld: P.userDepartment,
    async userGets(w) {
      expect(await w.fs().getUserInfo({ userId: 'zhangsan' })).toMatchObject({ departments: null, department: null, managerUserId: null, isLeader: null });
      expect(await scanAndLogin(w, 'zhangsan')).toMatchObject({ departments: null, isLeader: null });
      await w.fs().syncDepartmentInfo();
      expect(await rows(w, FSInnerMembershipModel)).toEqual([]); // unknown memberships are not written
    },
    missingFor: { userDetails: { level: 'field', fatal: false }, departmentSync: { level: 'field', fatal: false } },
  },
  {
    withheld: P.departmentBase,
    async userGets(w) {
      const info = await w.fs().getUserInfo({ userId: 'zhangsan' });
      expect(info.departments).toEqual([{ id: engineering(w).open_department_id, customId: null, name: null, isLeader: true, isPrimary: true }]);
      expect(info.department).toBeNull();
      await w.fs().syncDepartmentInfo();
      expect((await rows(w, FSInnerDeptModel)).every((d) => d.name === null && d.customId === null)).toBe(true);
    },
    missingFor: { userDetails: { level: 'field', fatal: false }, departmentSync: { level: 'field', fatal: false } },
  },
  {
    withheld: P.departmentOrganize,
    async userGets(w) {
      const info = await w.fs().getUserInfo({ userId: 'zhangsan' });
      expect(info.departments).toEqual([expect.objectContaining({ id: engineering(w).open_department_id, name: engineering(w).name, isLeader: null })]);
      expect(info.isLeader).toBeNull();
      await w.fs().syncDepartmentInfo();
      const departments = await rows(w, FSInnerDeptModel);
      expect(departments.length).toBe(w.sandbox.org.departments.length);
      for (const d of departments) expect(d).toMatchObject({ parentId: null, memberCount: null, leaderIds: null, leaderUserId: null, sortOrder: null });
      expect((await rows(w, FSInnerMembershipModel)).filter((m) => m.deptId !== '0').every((m) => m.isLeader === null)).toBe(true);
      expect((await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: INSTANCE, userId: 'zhangsan' })).isLeader).toBeNull();
    },
    missingFor: { userDetails: { level: 'field', fatal: false }, departmentSync: { level: 'field', fatal: false } },
  },
];

const FEATURES: FeatureName[] = ['login', 'inClientLogin', 'userDetails', 'departmentSync'];

function expectReport(report: PreflightReport, row: Row): void {
  for (const name of FEATURES) {
    const feature = report.features.find((f) => f.feature === name)!;
    const expected = row.missingFor[name];
    const missing = feature.missing.find((m) => m.permission === row.withheld);
    if (expected) {
      expect(missing).toMatchObject({ ...expected, cost: expect.any(String) });
      expect(feature.ok).toBe(false);
      expect(feature.granted).not.toContain(row.withheld);
    } else {
      expect(missing).toBeUndefined();
    }
    if (row.unknownFor?.includes(name)) expect(feature.unknown).toContainEqual({ permission: row.withheld, level: 'field', reason: expect.stringContaining('the permission is missing, or nobody has one') });
  }
  const anyMissing = Object.keys(row.missingFor).length > 0;
  expect(report.missingScopes.some((m) => m.scope === row.withheld)).toBe(anyMissing);
  expect(report.ok).toBe(!Object.values(row.missingFor).some((m) => m.fatal));
}

describe('each permission the element relies on, withheld', () => {
  test('the table covers every one of them', () => {
    expect(ROWS.map((r) => r.withheld).sort()).toEqual([...REQUIRED_PERMISSIONS].sort());
  });

  test.each(ROWS)('without $withheld', async (row) => {
    const w = await without(row.withheld);
    expectReport(await w.fs().checkConfig(), row);
    await row.userGets(w);
  });

  test('with all of them, checkConfig finds nothing missing and nothing unknown', async () => {
    const w = await world();
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(true);
    for (const feature of report.features) expect(feature).toMatchObject({ ok: true, works: true, missing: [], unknown: [] });
    expect(report.features.find((f) => f.feature === 'userDetails')!.granted.sort()).toEqual([...REQUIRED_PERMISSIONS].sort());
  });
});
