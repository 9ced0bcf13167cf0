import { describe, expect, test } from '@jest/globals';
import { FSInnerCodes } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { FEISHU, SCOPES, WHOLE_CONTACT_SCOPES } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { requests, scanAndLogin, useFeishuWorld, type FeishuWorld } from './harness.js';
import { RuntimeCodes } from '../../../../../runtime/errcode.js';

const world = useFeishuWorld();

/** The sandbox's user_id of whoever an open_id names (leaders and managers are stored as open_ids). */
const userIdOf = (w: FeishuWorld, openId: string) => w.sandbox.org.user(openId).user_id;

describe('getUserInfo', () => {
  test('zhangsan: departments with ids and names, leader of engineering, and the contact v3 details', async () => {
    const w = await world();
    const feishu = w.sandbox.org.user('zhangsan');
    const engineering = w.sandbox.org.department('engineering');

    const info = await w.fs().getUserInfo({ userId: 'zhangsan' });

    expect(info.userId).toBe('zhangsan');
    expect(info.openId).toBe(feishu.open_id);
    expect(info.unionId).toBe(feishu.union_id);
    expect(info.name).toBe(feishu.name);
    expect(info.enName).toBe(feishu.en_name);
    expect(info.departments).toEqual([{ id: engineering.open_department_id, customId: 'engineering', name: engineering.name, isLeader: true, isPrimary: true }]);
    expect(info.department).toBe(engineering.name);
    expect(userIdOf(w, engineering.leader_user_id!)).toBe('zhangsan'); // the flag comes from the department, the user object has none
    expect(info.isLeader).toBe(true);
    expect(info.position).toBe(feishu.job_title);
    expect(info.employeeNo).toBe(feishu.employee_no);
    expect(info.employeeType).toBe(feishu.employee_type);
    expect(info.gender).toBe('male');
    expect(info.email).toBe(feishu.email);
    expect(info.mobile).toBe(feishu.mobile);
    expect(info.avatars).toEqual({
      avatar72: feishu.avatar.avatar_72,
      avatar240: feishu.avatar.avatar_240,
      avatar640: feishu.avatar.avatar_640,
      avatarOrigin: feishu.avatar.avatar_origin,
    });
    expect(info.avatar).toBe(feishu.avatar.avatar_240);
    expect(info.statusFlags).toEqual({ isFrozen: false, isResigned: false, isActivated: true, isExited: false, isUnjoin: false });
    expect(info.status).toBe('active');
    // The manager is the user's own leader_user_id (zhangsan leads engineering, so it is the one above), in userIdType.
    expect(feishu.leader_user_id).toBeDefined();
    expect(info.managerUserId).toBe(userIdOf(w, feishu.leader_user_id!));
    expect(info.managerUserId).not.toBe('zhangsan');
    expect(info.localUserId).toBeNull(); // never logged in
  });

  test('the local account appears once the user has logged in', async () => {
    const w = await world();
    const login = await scanAndLogin(w, 'zhangsan');
    expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).localUserId).toBe(login.localUserId);
  });

  test('a deputy leader (leaders[] type 2) is a leader too', async () => {
    const w = await world();
    const engineering = w.sandbox.org.department('engineering');
    const deputy = engineering.leaders.find((l) => l.leaderType === 2);
    expect(deputy).toBeDefined();
    expect(deputy!.leaderID).not.toBe(engineering.leader_user_id); // not the main leader
    const deputyId = userIdOf(w, deputy!.leaderID);

    const info = await w.fs().getUserInfo({ userId: deputyId });
    expect(info.departments).toEqual([expect.objectContaining({ id: engineering.open_department_id, isLeader: true })]);
    expect(info.isLeader).toBe(true);
  });

  test('a plain member of a department is not a leader', async () => {
    const w = await world();
    const engineering = w.sandbox.org.department('engineering');
    const leaders = new Set([engineering.leader_user_id, ...engineering.leaders.map((l) => l.leaderID)]);
    const member = w.sandbox.org.directMembers(engineering.open_department_id).find((u) => !leaders.has(u.open_id) && !u.status.is_frozen);
    expect(member).toBeDefined();

    const info = await w.fs().getUserInfo({ userId: member!.user_id });
    expect(info.departments).toEqual([expect.objectContaining({ id: engineering.open_department_id, isLeader: false })]);
    expect(info.isLeader).toBe(false);
  });

  test('lisi is in two departments: leads product (primary), a member of marketing', async () => {
    const w = await world();
    const product = w.sandbox.org.department('product');
    const marketing = w.sandbox.org.department('marketing');

    const info = await w.fs().getUserInfo({ userId: 'lisi' });
    expect(info.departments).toEqual([
      { id: product.open_department_id, customId: 'product', name: product.name, isLeader: true, isPrimary: true },
      { id: marketing.open_department_id, customId: 'marketing', name: marketing.name, isLeader: false, isPrimary: false },
    ]);
    expect(info.department).toBe(product.name);
    expect(info.isLeader).toBe(true);
    expect(info.position).toBe(w.sandbox.org.user('lisi').job_title);
  });

  test('frozen and resigned users are reported with their status flags', async () => {
    const w = await world();
    const frozen = await w.fs().getUserInfo({ userId: 'wujiu' });
    expect(frozen.statusFlags!.isFrozen).toBe(true);
    expect(frozen.status).toBe('frozen');
    const resigned = await w.fs().getUserInfo({ userId: 'zhengshi' });
    expect(resigned.statusFlags!.isResigned).toBe(true);
    expect(resigned.status).toBe('resigned');
    expect(resigned.departments).toEqual([]);
  });

  test('an unknown user is a project Code, never the raw Feishu one', async () => {
    const w = await world();
    const error = await w.fs().getUserInfo({ userId: 'nobody-here' }).catch((e: unknown) => e);
    // The sandbox answers 41012 "user id invalid" (contract §4); it has no entry in the §6a table, so it becomes 50000 with the original kept.
    expect(error).toMatchObject({ code: FSInnerCodes.FEISHU_FAILURE, details: { endpoint: 'user_get', feishuCode: 41012 } });
    expect((error as Error).message).toContain('41012');
    expect(requests(w.sandbox, 'user_get')).toBe(1); // a business error is not retried
  });

  test('an invalid userId is refused before Feishu is asked', async () => {
    const w = await world();
    await expect(w.fs().getUserInfo({ userId: '' })).rejects.toMatchObject({ code: RuntimeCodes.INVALID_PARAMS, details: { field: 'userId' } });
    expect(w.sandbox.stats().total).toBe(0);
  });

  test('without the API-level contact permission: 48001 naming the permissions that would do (field permissions are not among them)', async () => {
    const w = await world();
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.contactBase);
    expect(app.scopes).toContain(SCOPES.userBase); // a field permission: not enough to call the API

    const error = await w.fs().getUserInfo({ userId: 'zhangsan' }).catch((e: unknown) => e);
    const wouldDo = [SCOPES.contactBase, ...WHOLE_CONTACT_SCOPES];
    expect(error).toMatchObject({ code: FSInnerCodes.PERMISSION_MISSING, details: { feishuCode: FEISHU.appLacksScope[0], scopes: wouldDo } });
    for (const scope of wouldDo) expect((error as Error).message).toContain(scope);
    expect(requests(w.sandbox, 'user_get')).toBe(1); // a missing permission is not retried
  });

  test('userIdType open_id: ids, leader flags and the manager are all open_ids', async () => {
    const w = await world({ config: { userIdType: 'open_id' } });
    const feishu = w.sandbox.org.user('lisi');
    const product = w.sandbox.org.department('product');

    const info = await w.fs().getUserInfo({ userId: feishu.open_id });
    expect(info.userId).toBe(feishu.open_id);
    expect(info.departments!.find((d) => d.id === product.open_department_id)).toMatchObject({ isLeader: true, name: product.name });
    expect(info.isLeader).toBe(true);
    expect(info.managerUserId).toBe(feishu.leader_user_id);
    expect(info.managerUserId).toMatch(/^ou_/);
    // The user_id form is not an open_id: asked that way, Feishu does not know it.
    await expect(w.fs().getUserInfo({ userId: 'lisi' })).rejects.toMatchObject({ code: FSInnerCodes.FEISHU_FAILURE, details: { feishuCode: 41012 } });
  });
});
