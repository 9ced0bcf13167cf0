import { describe, expect, test } from '@jest/globals';
import { FSInnerEventCodes } from '../../../../../../elements/auths/loginTypes/FSInnerType/events/errors.js';
import { FSInnerAuthModel, FSInnerCodes, FSInnerDeptModel, FSInnerMembershipModel } from '../../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import type { FeishuUser } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { AuthCodes } from '../../../../../../runtime/auth/auth-errors.js';
import { LocalUserModel } from '../../../../../../runtime/auth/models.js';
import { RuntimeCodes } from '../../../../../../runtime/errcode.js';
import type { HttpWorld } from '../../../../../runtime/http/http-world.js';
import { INSTANCE, requests, scanAndLogin } from '../harness.js';
import { KEY, TOKEN, deliver, inbox, post, push, sessionOf, useEventWorld, userObject, userRow, v2, waitFor } from './event-world.js';

/**
 * Applying contact events (events/handlers.ts): the same mapping as a sync, withheld fields left
 * as stored, older events never over newer data, and the leaver rule at once.
 */
const world = useEventWorld();
const OTHER = 'auths.loginTypes.Other';

const USER = 'lisi';
const t = (seconds: number) => 1_700_000_000_000 + seconds * 1000;

const updated = (object: Record<string, unknown>, createTime: number) => v2('contact.user.updated_v3', { object, old_object: {} }, { createTime });
const statusFlags = (patch: Partial<FeishuUser['status']>) => ({ is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false, ...patch });

async function accountOf(w: HttpWorld, userId: string): Promise<LocalUserModel> {
  const row = await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: INSTANCE, userId });
  return w.app.dataSource.getRepository(LocalUserModel).findOneByOrFail({ id: row.localUserId! });
}

const memberships = async (w: HttpWorld, userId: string, instance = INSTANCE) =>
  (await w.app.dataSource.getRepository(FSInnerMembershipModel).findBy({ instance, userId })).map((m) => [m.deptId, m.isLeader, m.isPrimary]).sort();

/** Synced, then signed in: the usual state of a person before an event about them. */
async function signedIn(w: HttpWorld, userId: string): Promise<string> {
  await w.fs().syncDepartmentInfo();
  const cookie = await w.signIn(userId);
  expect(await sessionOf(w, cookie)).toMatchObject({ user: { name: w.sandbox.org.user(userId).name } });
  return cookie;
}

/** Locked out: the session no longer authenticates, and the account is disabled by this instance. */
async function expectLockedOut(w: HttpWorld, userId: string, cookie: string): Promise<void> {
  expect(await sessionOf(w, cookie)).toBeNull();
  expect(await accountOf(w, userId)).toMatchObject({ disabled: true, disabledBy: INSTANCE });
}

const FIELDS = ['openId', 'unionId', 'name', 'mobile', 'email', 'avatar', 'department', 'position', 'gender', 'status', 'isLeader', 'employeeNo'] as const;
const fieldsOf = (row: FSInnerAuthModel | null) => Object.fromEntries(FIELDS.map((f) => [f, row?.[f]]));

describe('user events', () => {
  test('created_v3 stores a person exactly as a sync of them does (fields and memberships)', async () => {
    const w = await world({ tree: { 'apps/demo/auths/loginTypes/Other/e.json': { title: 'Other', type: 'auths.loginTypes.FSInnerType' } }, otherConfig: 'Other' });
    await deliver(w, v2('contact.user.created_v3', { object: userObject(w, USER) }, { createTime: t(1) }));
    await w.fs(OTHER).syncUserInfo({ userId: USER });
    const byEvent = await userRow(w, USER);
    const bySync = await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: OTHER, userId: USER });
    expect(byEvent).toMatchObject({ name: '李四', status: 'active', eventAt: t(1) });
    expect(fieldsOf(byEvent)).toEqual(fieldsOf(bySync));
    expect(await memberships(w, USER)).toEqual(await memberships(w, USER, OTHER));
    expect((await memberships(w, USER)).length).toBe(2);
  });

  test('a field the payload withholds (no field permission) keeps its stored value; a field it carries is written', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: USER });
    const before = await userRow(w, USER);
    const beforeMemberships = await memberships(w, USER);
    const withheld: Array<keyof FeishuUser> = ['mobile', 'email', 'enterprise_email', 'status', 'gender', 'department_ids', 'orders', 'employee_no', 'avatar', 'name'];
    await deliver(w, updated(userObject(w, USER, { job_title: '首席产品官' }, withheld), t(5)));
    const after = await userRow(w, USER);
    expect(after).toMatchObject({ position: '首席产品官', eventAt: t(5) });
    expect(fieldsOf(after)).toEqual({ ...fieldsOf(before), position: '首席产品官' });
    expect(before).toMatchObject({ mobile: expect.any(String), email: expect.any(String), status: 'active', name: '李四' });
    expect(await memberships(w, USER)).toEqual(beforeMemberships);
  });

  test('out of order: an update older than the one applied is stale and changes nothing; pending ones apply oldest first', async () => {
    const w = await world();
    await deliver(w, updated(userObject(w, USER, { name: 'Li Si (newer)' }), t(20)));
    await deliver(w, updated(userObject(w, USER, { name: 'Li Si (older)', job_title: 'older title' }), t(10)));
    expect(await userRow(w, USER)).toMatchObject({ name: 'Li Si (newer)', eventAt: t(20) });
    expect((await inbox(w)).map((r) => r.status)).toEqual(['applied', 'stale']);

    // Both waiting when the applier runs: received newest first, applied in create_time order.
    for (const [name, seconds] of [['third', 40], ['second', 30]] as const) {
      expect((await post(w, push(updated(userObject(w, USER, { name }), t(seconds)), { key: KEY }))).statusCode).toBe(200);
    }
    await w.fs().applyEvents();
    expect(await userRow(w, USER)).toMatchObject({ name: 'third', eventAt: t(40) });
    expect((await inbox(w)).map((r) => r.status)).toEqual(['applied', 'stale', 'applied', 'applied']);
  });

  test('resignation (deleted_v3): resigned, the account disabled and its session revoked at once; the departments kept', async () => {
    const w = await world();
    const cookie = await signedIn(w, USER);
    const departments = await memberships(w, USER);
    const object = userObject(w, USER, { status: statusFlags({ is_resigned: true, is_activated: false }), department_ids: [] });
    await deliver(w, v2('contact.user.deleted_v3', { object, old_object: { department_ids: w.sandbox.org.user(USER).department_ids, open_id: w.sandbox.org.user(USER).open_id } }, { createTime: t(1) }));
    expect(await userRow(w, USER)).toMatchObject({ status: 'resigned', deletedAt: expect.any(Number) });
    await expectLockedOut(w, USER, cookie);
    expect(await memberships(w, USER)).toEqual(departments);
    w.sandbox.org.resignUser(USER);
    await expect(scanAndLogin(w, USER)).rejects.toMatchObject({ code: AuthCodes.LOGIN_NOT_ALLOWED });
  });

  test('deleted_v3 means resigned even when the status is withheld', async () => {
    const w = await world();
    const cookie = await signedIn(w, USER);
    await deliver(w, v2('contact.user.deleted_v3', { object: userObject(w, USER, {}, ['status', 'department_ids']) }, { createTime: t(1) }));
    expect(await userRow(w, USER)).toMatchObject({ status: 'resigned' });
    await expectLockedOut(w, USER, cookie);
  });

  test('frozen (updated_v3 status is_frozen): locked out at once; unfrozen by a later event: the account is back, the old session is not', async () => {
    const w = await world();
    const cookie = await signedIn(w, USER);
    await deliver(w, updated(userObject(w, USER, { status: statusFlags({ is_frozen: true }) }), t(1)));
    expect(await userRow(w, USER)).toMatchObject({ status: 'frozen' });
    await expectLockedOut(w, USER, cookie);

    await deliver(w, updated(userObject(w, USER, { status: statusFlags({}) }), t(2)));
    expect(await userRow(w, USER)).toMatchObject({ status: 'active' });
    expect(await accountOf(w, USER)).toMatchObject({ disabled: false });
    expect(await sessionOf(w, cookie)).toBeNull();
    const again = await w.signIn(USER);
    expect(await sessionOf(w, again)).toMatchObject({ user: { name: '李四' } });
  });

  test('an unfreeze older than the freeze is stale: the person stays locked out', async () => {
    const w = await world();
    const cookie = await signedIn(w, USER);
    await deliver(w, updated(userObject(w, USER, { status: statusFlags({ is_frozen: true }) }), t(2)));
    await deliver(w, updated(userObject(w, USER, { status: statusFlags({}) }), t(1)));
    expect(await userRow(w, USER)).toMatchObject({ status: 'frozen' });
    await expectLockedOut(w, USER, cookie);
  });

  test('events name people by open_id: mapped to userIdType through the directory, else one Feishu request; stored by open_id with userIdType open_id', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: USER });
    const asked = requests(w.sandbox, 'user_get');
    await deliver(w, updated(userObject(w, USER, { job_title: 'via directory' }, ['user_id']), t(1)));
    expect(await userRow(w, USER)).toMatchObject({ position: 'via directory' });
    expect(requests(w.sandbox, 'user_get')).toBe(asked);

    await deliver(w, updated(userObject(w, 'wangwu', { job_title: 'via Feishu' }, ['user_id']), t(2)));
    expect(await userRow(w, 'wangwu')).toMatchObject({ position: 'via Feishu' });
    expect(requests(w.sandbox, 'user_get')).toBe(asked + 1);

    const byOpenId = await world({ config: { userIdType: 'open_id' } });
    await deliver(byOpenId, updated(userObject(byOpenId, USER, {}, ['user_id']), t(1)));
    expect(await userRow(byOpenId, byOpenId.sandbox.org.user(USER).open_id)).toMatchObject({ name: '李四' });
  });
});

describe('contact range and department events', () => {
  test('scope.updated_v3 removing a person: gone and locked out; adding them back (later): restored', async () => {
    const w = await world();
    const cookie = await signedIn(w, USER);
    const openId = w.sandbox.org.user(USER).open_id;
    await deliver(w, v2('contact.scope.updated_v3', { added: { departments: [], users: [], user_groups: [] }, removed: { departments: [], users: [{ open_id: openId }], user_groups: [] } }, { createTime: t(1) }));
    expect(await userRow(w, USER)).toMatchObject({ status: 'gone', eventAt: t(1) });
    await expectLockedOut(w, USER, cookie);

    await deliver(w, v2('contact.scope.updated_v3', { added: { users: [userObject(w, USER)] }, removed: {} }, { createTime: t(2) }));
    expect(await userRow(w, USER)).toMatchObject({ status: 'active', eventAt: t(2) });
    expect(await accountOf(w, USER)).toMatchObject({ disabled: false });
  });

  test('scope.updated_v3 removing a department: it is marked deleted; each member is read again, gone only if Feishu no longer shows them', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    const marketing = w.sandbox.org.department('marketing');
    // wangwu is out of the range altogether (here: no longer in Feishu); lisi is still seen through product.
    const list = w.sandbox.org.users as FeishuUser[];
    list.splice(list.indexOf(w.sandbox.org.user('wangwu')), 1);
    w.sandbox.org.updateDepartment('engineering', {}); // re-index
    await deliver(w, v2('contact.scope.updated_v3', { added: {}, removed: { departments: [{ open_department_id: marketing.open_department_id }] } }, { createTime: t(1) }));
    expect(await w.app.dataSource.getRepository(FSInnerDeptModel).findOneBy({ instance: INSTANCE, deptId: marketing.open_department_id })).toMatchObject({ status: 'deleted' });
    expect(await userRow(w, 'wangwu')).toMatchObject({ status: 'gone' });
    expect(await userRow(w, USER)).toMatchObject({ status: 'active' });
  });

  test('department updated_v3: a new name and leader reach the row, the members and their leader flags; deleted_v3 marks it; an older update is stale', async () => {
    const w = await world();
    await w.fs().syncDepartmentInfo();
    const org = w.sandbox.org;
    const engineering = org.department('engineering');
    const deptRow = () => w.app.dataSource.getRepository(FSInnerDeptModel).findOneByOrFail({ instance: INSTANCE, deptId: engineering.open_department_id });
    expect(await userRow(w, 'zhangsan')).toMatchObject({ isLeader: true, department: engineering.name });

    const newLeader = org.user('wujiu');
    const object = { ...structuredClone(engineering), name: '平台研发部', leader_user_id: newLeader.open_id, leaders: [{ leaderType: 1, leaderID: newLeader.open_id }] };
    await deliver(w, v2('contact.department.updated_v3', { object, old_object: structuredClone(engineering) }, { createTime: t(10) }));
    expect(await deptRow()).toMatchObject({ name: '平台研发部', leaderUserId: 'wujiu', leaderIds: JSON.stringify(['wujiu']), eventAt: t(10) });
    expect(await userRow(w, 'zhangsan')).toMatchObject({ isLeader: false, department: '平台研发部' });
    expect(await userRow(w, 'wujiu')).toMatchObject({ isLeader: true });

    await deliver(w, v2('contact.department.updated_v3', { object: { ...structuredClone(engineering), name: 'older name' } }, { createTime: t(5) }));
    expect(await deptRow()).toMatchObject({ name: '平台研发部' });
    expect((await inbox(w)).at(-1)).toMatchObject({ status: 'stale' });

    await deliver(w, v2('contact.department.deleted_v3', { object: { open_department_id: engineering.open_department_id, status: { is_deleted: true } }, old_object: { open_department_id: engineering.open_department_id, status: { is_deleted: true } } }, { createTime: t(20) }));
    expect(await deptRow()).toMatchObject({ status: 'deleted', name: '平台研发部' });
  });

  test('department created_v3 stores a new department with what it carries', async () => {
    const w = await world();
    await deliver(w, v2('contact.department.created_v3', { object: { name: '新部门', parent_department_id: '0', department_id: 'newdept', open_department_id: 'od-new0000000000000000000000000001', order: 3000, status: { is_deleted: false } } }, { createTime: t(1) }));
    expect(await w.app.dataSource.getRepository(FSInnerDeptModel).findOneBy({ instance: INSTANCE, deptId: 'od-new0000000000000000000000000001' })).toMatchObject({
      name: '新部门',
      customId: 'newdept',
      parentId: '0',
      sortOrder: '3000',
      status: 'active',
      leaderIds: '[]',
    });
  });
});

describe('events that cannot be applied, retries and status', () => {
  test('malformed: failed at once with the reason; unknown type: ignored; neither retried, neither throws', async () => {
    const w = await world();
    await deliver(w, v2('contact.user.updated_v3', { old_object: {} }));
    await deliver(w, v2('im.message.receive_v1', { message: { content: 'hi' } }));
    await w.fs().applyEvents();
    expect((await inbox(w)).map((r) => [r.eventType, r.status, r.attempts, r.lastErrorCode])).toEqual([
      ['contact.user.updated_v3', 'failed', 1, FSInnerEventCodes.EVENT_UNAPPLICABLE],
      ['im.message.receive_v1', 'ignored', 1, FSInnerEventCodes.EVENT_UNHANDLED],
    ]);
  });

  test('a transient failure is retried after a delay and given up after a bounded number of attempts; retryEvent puts it back', async () => {
    const w = await world();
    // wangwu is not stored and the payload lacks user_id: applying needs Feishu, where the app has lost its contact permissions.
    const app = w.sandbox.apps[0]!;
    const granted = app.scopes;
    app.scopes = [];
    await deliver(w, updated(userObject(w, 'wangwu', {}, ['user_id']), t(1)));
    const [first] = await inbox(w);
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastErrorCode: FSInnerCodes.PERMISSION_MISSING });
    await w.fs().applyEvents(); // the retry is not due yet
    expect((await inbox(w))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    for (let i = 0; i < 10; i++) {
      w.clock.advance(10 * 60_000);
      await w.fs().applyEvents();
    }
    const [gaveUp] = await inbox(w);
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 5, lastErrorCode: FSInnerEventCodes.EVENT_GAVE_UP });

    const status = await w.fs().eventStatus();
    expect(status).toMatchObject({ transport: 'webhook', counts: { failed: 1, pending: 0 }, failed: [{ id: gaveUp!.id, type: 'contact.user.updated_v3', attempts: 5, code: FSInnerEventCodes.EVENT_GAVE_UP, reason: expect.stringContaining('Gave up after 5 attempts') }] });
    const text = JSON.stringify(status);
    expect(text).not.toContain(w.sandbox.org.user('wangwu').mobile!);
    expect(text).not.toContain(TOKEN);

    app.scopes = granted;
    expect(await w.fs().retryEvent({ id: gaveUp!.id })).toEqual({ retried: 1 });
    await w.fs().applyEvents();
    expect((await inbox(w))[0]).toMatchObject({ status: 'applied', attempts: 1, lastError: null });
    expect(await userRow(w, 'wangwu')).toMatchObject({ name: '王五' });
  });

  test('retryEvent: every failed one without an id; refused for an applied, unknown or malformed id', async () => {
    const w = await world();
    await deliver(w, v2('contact.user.updated_v3', {}));
    await deliver(w, v2('contact.user.created_v3', { object: {} }));
    await deliver(w, updated(userObject(w, USER), t(1)));
    const [, , applied] = await inbox(w);
    expect(await w.fs().retryEvent()).toEqual({ retried: 2 });
    expect((await inbox(w)).map((r) => r.status)).toEqual(['pending', 'pending', 'applied']);
    await expect(w.fs().retryEvent({ id: applied!.id })).rejects.toMatchObject({ code: FSInnerEventCodes.EVENT_NOT_RETRYABLE });
    await expect(w.fs().retryEvent({ id: 987654 })).rejects.toMatchObject({ code: FSInnerEventCodes.EVENT_NOT_FOUND });
    await expect(w.fs().retryEvent({ id: -1 })).rejects.toMatchObject({ code: RuntimeCodes.INVALID_PARAMS });
  });

  test('eventStatus and the admin page: counts, duplicates, last event, lag, failed events with reasons; never a payload', async () => {
    const w = await world();
    const envelope = updated(userObject(w, USER), t(1));
    await deliver(w, envelope);
    await deliver(w, envelope);
    await deliver(w, v2('contact.user.updated_v3', { object: {} }));
    w.clock.advance(1000);
    expect((await post(w, push(updated(userObject(w, USER), t(2)), { key: KEY }))).statusCode).toBe(200); // pending: the applier is not asked
    w.clock.advance(4000);
    const status = await w.fs().eventStatus();
    expect(status).toMatchObject({ counts: { applied: 1, failed: 1, pending: 1, stale: 0, ignored: 0 }, duplicates: 1, lastEventAt: expect.any(Number), applying: false, problem: null });
    expect(status.lagMs).toBeGreaterThanOrEqual(4000); // the test clock moved 4 s since the pending one arrived (and real time a little)
    expect(status.lagMs).toBeLessThan(60_000);
    expect(status.failed).toEqual([{ id: expect.any(Number), key: expect.any(String), type: 'contact.user.updated_v3', attempts: 1, code: FSInnerEventCodes.EVENT_UNAPPLICABLE, reason: expect.stringContaining('open_id is missing'), receivedAt: expect.any(Number) }]);

    const admin = await w.signIn('zhangsan');
    const view = await w.inject({ method: 'GET', url: `/api/admin/elements/${INSTANCE}/views/eventStatus`, headers: { cookie: admin } });
    const table = view.json().data as { kind: string; columns: string[]; rows: Array<{ cells: string[]; actions: Array<{ action: string; params: object }> }> };
    expect(table.kind).toBe('table');
    expect(table.rows).toEqual([{ cells: [`#${status.failed[0]!.id}`, 'contact.user.updated_v3', '1', expect.stringContaining('open_id is missing')], actions: [expect.objectContaining({ action: 'retryEvent', params: { id: status.failed[0]!.id } })] }]);
    expect(view.body).not.toContain(w.sandbox.org.user(USER).mobile!);
    const logins = await w.inject({ method: 'GET', url: '/api/admin/logins', headers: { cookie: admin } });
    const line = (logins.json().data as Array<{ fullName: string; status: Array<{ method: string; text: string }> }>).find((l) => l.fullName === INSTANCE)!.status.find((s) => s.method === 'eventStatus')!.text;
    expect(line).toContain('1 applied, 1 pending, 1 failed, 0 stale, 0 ignored; 1 duplicate dropped');
    expect(logins.body).not.toContain(w.sandbox.org.user(USER).mobile!);
    const member = await w.signIn(USER);
    expect((await w.call(INSTANCE, 'eventStatus', {}, member)).statusCode).toBe(403);

    // "Retry failed events" on the admin page puts the failed one back.
    const started = await w.inject({ method: 'POST', url: `/api/admin/elements/${INSTANCE}/actions/retryEvent`, payload: {}, headers: { cookie: admin } });
    expect(started.statusCode).toBe(200);
    await waitFor(async () => (await w.fs().eventStatus()).counts.failed === 0, 'the retry action');
    expect((await w.fs().eventStatus()).counts).toMatchObject({ pending: 2, failed: 0 });
  });

  test('a department stored after its members (a user event named it first) gives them its name and leader flags', async () => {
    const w = await world();
    const dept = { name: '新部门', parent_department_id: '0', department_id: 'newdept', open_department_id: 'od-new0000000000000000000000000002', order: 1 };
    const lisi = w.sandbox.org.user(USER);
    await deliver(w, updated(userObject(w, USER, { department_ids: [dept.open_department_id], orders: [{ department_id: dept.open_department_id, user_order: 0, department_order: 1, is_primary_dept: true }] }), t(1)));
    expect(await userRow(w, USER)).toMatchObject({ department: null, isLeader: null });
    await deliver(w, v2('contact.department.created_v3', { object: { ...dept, leader_user_id: lisi.open_id, leaders: [{ leaderType: 1, leaderID: lisi.open_id }] } }, { createTime: t(2) }));
    expect(await userRow(w, USER)).toMatchObject({ department: '新部门', isLeader: true });
    expect(await memberships(w, USER)).toEqual([[dept.open_department_id, true, true]]);
  });
});
