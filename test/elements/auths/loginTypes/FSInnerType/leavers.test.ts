import { describe, expect, test } from '@jest/globals';
import { FSInnerAuthModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { SCOPES, type FeishuUser, type Org } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { AuthCodes } from '../../../../../runtime/auth/auth-errors.js';
import { LocalUserModel, SessionModel } from '../../../../../runtime/auth/models.js';
import { useHttpWorld, type HttpWorld } from '../../../../runtime/http/http-world.js';
import { INSTANCE, scanAndLogin } from './harness.js';

/**
 * The leaver rule (leavers.ts): someone a sync finds resigned, frozen, deleted
 * or out of the app's contact range loses their local account and every
 * session at once; coming back restores login, not the old sessions.
 */
const httpWorld = useHttpWorld();

const ADMIN = 'zhangsan'; // adminUserIds of the http world
const MEMBER = 'lisi';

/** What GET /api/session says of a cookie: null once the session no longer works. */
async function sessionOf(w: HttpWorld, cookie: string) {
  return (await w.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().data;
}

const adminTreeStatus = async (w: HttpWorld, cookie: string) => (await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie } })).statusCode;

/** The local account a Feishu user of the instance is bound to. */
async function accountOf(w: HttpWorld, userId: string): Promise<LocalUserModel> {
  const row = await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: INSTANCE, userId });
  return w.app.dataSource.getRepository(LocalUserModel).findOneByOrFail({ id: row.localUserId! });
}

const statusOf = async (w: HttpWorld, userId: string) => (await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: INSTANCE, userId })).status;

/** A later sync: the clock moves on so the rows it writes are newer than the last ones. */
async function fullSync(w: HttpWorld): Promise<void> {
  w.clock.advance(1_000);
  await w.fs().syncDepartmentInfo();
}

async function syncOne(w: HttpWorld, userId: string): Promise<void> {
  w.clock.advance(1_000);
  await w.fs().syncUserInfo({ userId, forceUpdate: true });
}

/** The organization synced once, then the person signed in: the usual state before someone leaves. */
async function signedInAfterSync(w: HttpWorld, userId: string): Promise<string> {
  await w.fs().syncDepartmentInfo();
  const cookie = await w.signIn(userId);
  expect(await sessionOf(w, cookie)).toMatchObject({ user: { name: w.sandbox.org.user(userId).name } });
  return cookie;
}

/** Feishu has no "delete user" the sandbox models; this takes the record out as if the account were deleted. */
function deleteFromFeishu(org: Org, userId: string): void {
  const list = org.users as FeishuUser[];
  list.splice(list.indexOf(org.user(userId)), 1);
  org.updateDepartment('engineering', {}); // bumps the org version so its indexes are rebuilt
}

function rejoin(org: Org, userId: string, departments: string[]): void {
  org.updateUser(userId, { status: { ...org.user(userId).status, is_resigned: false, is_exited: false, is_activated: true } });
  org.moveUser(userId, departments);
}

async function expectLockedOut(w: HttpWorld, userId: string, cookie: string): Promise<void> {
  expect(await sessionOf(w, cookie)).toBeNull();
  expect(await adminTreeStatus(w, cookie)).toBe(401);
  expect(await accountOf(w, userId)).toMatchObject({ disabled: true, disabledBy: INSTANCE });
}

/**
 * A new login is refused. Feishu itself refuses a resigned or frozen user (its user_info answers
 * "user resigned" / "user frozen"), so only a refusal of ours has a reason worth asserting.
 */
async function expectLoginRefused(w: HttpWorld, userId: string, ours?: { reason: 'disabled' }): Promise<void> {
  await expect(scanAndLogin(w, userId)).rejects.toMatchObject({ code: AuthCodes.LOGIN_NOT_ALLOWED, ...(ours ? { details: ours } : {}) });
}

const DISABLED = { reason: 'disabled' } as const;

/** Ways of leaving Feishu the sandbox can play. A deleted account cannot even try to log in: Feishu no longer knows it. */
const LEAVINGS = [
  { how: 'resigned', leave: (org: Org, userId: string) => org.resignUser(userId), canTryLogin: true },
  { how: 'frozen', leave: (org: Org, userId: string) => org.setFrozen(userId), canTryLogin: true },
  { how: 'deleted (gone from Feishu)', leave: (org: Org, userId: string) => deleteFromFeishu(org, userId), canTryLogin: false },
] as const;

describe('someone who leaves loses access at the next sync', () => {
  test.each(LEAVINGS)('$how, found by a full sync: the session ends and a new login is refused', async ({ leave, canTryLogin }) => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    leave(w.sandbox.org, MEMBER);
    await fullSync(w);

    await expectLockedOut(w, MEMBER, cookie);
    if (canTryLogin) await expectLoginRefused(w, MEMBER);
  });

  test.each(LEAVINGS)('$how, found by syncUserInfo: the session ends and a new login is refused', async ({ leave, canTryLogin }) => {
    const w = await httpWorld();
    const cookie = await w.signIn(MEMBER);
    leave(w.sandbox.org, MEMBER);
    await syncOne(w, MEMBER);

    await expectLockedOut(w, MEMBER, cookie);
    if (canTryLogin) await expectLoginRefused(w, MEMBER);
  });

  test('frozen, found by a sync of their department alone', async () => {
    const w = await httpWorld();
    const cookie = await w.signIn(MEMBER);
    w.sandbox.org.setFrozen(MEMBER);
    w.clock.advance(1_000);
    await w.fs().syncDepartmentInfo({ deptId: 'product' });

    await expectLockedOut(w, MEMBER, cookie);
    await expectLoginRefused(w, MEMBER);
  });

  test('the admin page lists the accounts disabled for leaving, and why; an account an administrator disabled is not among them', async () => {
    const w = await httpWorld();
    await signedInAfterSync(w, MEMBER);
    w.sandbox.org.setFrozen(MEMBER);
    await fullSync(w);
    const admin = await w.signIn(ADMIN);
    const view = await w.inject({ method: 'GET', url: `/api/admin/elements/${INSTANCE}/views/disabledAccounts`, headers: { cookie: admin } });
    expect(view.json().data).toMatchObject({ kind: 'table', columns: ['Account', 'Feishu user', 'Why', 'Since'] });
    expect(view.json().data.rows).toEqual([{ cells: [w.sandbox.org.user(MEMBER).name, MEMBER, 'frozen (suspended) in Feishu', expect.stringMatching(/UTC$/)], actions: [] }]);
    const other = await w.signIn('wangwu');
    const otherAccount = (await w.inject({ method: 'GET', url: '/api/session', headers: { cookie: other } })).json().data.user.id as string;
    await w.app.dataSource.getRepository(LocalUserModel).update({ id: otherAccount }, { disabled: true, disabledBy: null });
    expect((await w.fs().disabledAccounts()).map((a) => a.userId)).toEqual([MEMBER]);

    w.sandbox.org.setFrozen(MEMBER, false);
    await fullSync(w);
    expect(await w.fs().disabledAccounts()).toEqual([]);
  });

  test('every session ends, not just one browser', async () => {
    const w = await httpWorld();
    const cookies = [await signedInAfterSync(w, MEMBER), await w.signIn(MEMBER), await w.signIn(MEMBER)];
    w.sandbox.org.setFrozen(MEMBER);
    await fullSync(w);

    for (const cookie of cookies) expect(await sessionOf(w, cookie)).toBeNull();
    const sessions = await w.app.dataSource.getRepository(SessionModel).findBy({ localUserId: (await accountOf(w, MEMBER)).id });
    expect(sessions.map((s) => s.revokedAt)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
  });

  test('an administrator who is frozen loses admin access with the sync, not at session expiry', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, ADMIN);
    expect(await adminTreeStatus(w, cookie)).toBe(200);
    w.sandbox.org.setFrozen(ADMIN);
    await fullSync(w);

    await expectLockedOut(w, ADMIN, cookie);
    await expectLoginRefused(w, ADMIN);
  });

  test('an administrator who resigns loses admin access with syncUserInfo', async () => {
    const w = await httpWorld();
    const cookie = await w.signIn(ADMIN);
    expect(await adminTreeStatus(w, cookie)).toBe(200);
    w.sandbox.org.resignUser(ADMIN);
    await syncOne(w, ADMIN);

    await expectLockedOut(w, ADMIN, cookie);
    await expectLoginRefused(w, ADMIN);
  });
});

describe('out of the app contact range', () => {
  /** The app sees, and syncs, Engineering only; zhangsan (an administrator) works there. */
  const engineeringOnly = async () => {
    const w = await httpWorld({ config: { syncRootDepartments: ['engineering'] } });
    w.sandbox.apps[0]!.contactScope = ['engineering'];
    return w;
  };

  test('moved outside it, found by a full sync of the synced departments: gone, session ended, login refused', async () => {
    const w = await engineeringOnly();
    const cookie = await signedInAfterSync(w, ADMIN);
    expect(await adminTreeStatus(w, cookie)).toBe(200);
    w.sandbox.org.moveUser(ADMIN, ['sales']);
    await fullSync(w);

    expect(await statusOf(w, ADMIN)).toBe('gone');
    await expectLockedOut(w, ADMIN, cookie);
    await expectLoginRefused(w, ADMIN, DISABLED);
  });

  test('moved outside it, found by syncUserInfo: gone, session ended, login refused', async () => {
    const w = await engineeringOnly();
    const cookie = await w.signIn(ADMIN);
    w.sandbox.org.moveUser(ADMIN, ['sales']);
    await syncOne(w, ADMIN);

    expect(await statusOf(w, ADMIN)).toBe('gone');
    await expectLockedOut(w, ADMIN, cookie);
    await expectLoginRefused(w, ADMIN, DISABLED);
  });

  test('moved back inside it: the next sync restores login, the old session stays ended', async () => {
    const w = await engineeringOnly();
    const cookie = await signedInAfterSync(w, ADMIN);
    w.sandbox.org.moveUser(ADMIN, ['sales']);
    await fullSync(w);
    w.sandbox.org.moveUser(ADMIN, ['engineering']);
    await fullSync(w);

    expect(await accountOf(w, ADMIN)).toMatchObject({ disabled: false, disabledBy: null });
    expect(await sessionOf(w, cookie)).toBeNull();
    const fresh = await w.signIn(ADMIN);
    expect(await adminTreeStatus(w, fresh)).toBe(200);
  });
});

describe('coming back restores login', () => {
  test('unfrozen: the next full sync lets them sign in again; the old session stays ended', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    w.sandbox.org.setFrozen(MEMBER);
    await fullSync(w);
    w.sandbox.org.setFrozen(MEMBER, false);
    await fullSync(w);

    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false, disabledBy: null });
    expect(await sessionOf(w, cookie)).toBeNull();
    expect(await sessionOf(w, await w.signIn(MEMBER))).toMatchObject({ user: { name: w.sandbox.org.user(MEMBER).name } });
  });

  test('rejoined after resigning: the next full sync lets them sign in again', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    w.sandbox.org.resignUser(MEMBER);
    await fullSync(w);
    rejoin(w.sandbox.org, MEMBER, ['product']);
    await fullSync(w);

    expect(await statusOf(w, MEMBER)).toBe('active');
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false, disabledBy: null });
    expect(await sessionOf(w, cookie)).toBeNull();
    expect(await sessionOf(w, await w.signIn(MEMBER))).not.toBeNull();
  });

  test('unfrozen: syncUserInfo restores login', async () => {
    const w = await httpWorld();
    const cookie = await w.signIn(MEMBER);
    w.sandbox.org.setFrozen(MEMBER);
    await syncOne(w, MEMBER);
    w.sandbox.org.setFrozen(MEMBER, false);
    await syncOne(w, MEMBER);

    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false, disabledBy: null });
    expect(await sessionOf(w, cookie)).toBeNull();
    expect(await sessionOf(w, await w.signIn(MEMBER))).not.toBeNull();
  });

  test('unfrozen: a login whose fresh contact record says active lets them in before any sync', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    w.sandbox.org.setFrozen(MEMBER);
    await fullSync(w);
    w.sandbox.org.setFrozen(MEMBER, false);

    // The local copy is fresh but says frozen: the login asks Feishu rather than trust it.
    const fresh = await w.signIn(MEMBER);
    expect(await sessionOf(w, fresh)).not.toBeNull();
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false, disabledBy: null });
    expect(await sessionOf(w, cookie)).toBeNull();
  });
});

describe('what the rule leaves alone', () => {
  test('an account an administrator disabled stays disabled when the person comes back, and its sessions still end when they leave', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    const account = await accountOf(w, MEMBER);
    await w.app.dataSource.getRepository(LocalUserModel).update({ id: account.id }, { disabled: true, disabledBy: null });

    w.sandbox.org.setFrozen(MEMBER);
    await fullSync(w);
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: true, disabledBy: null });
    expect((await w.app.dataSource.getRepository(SessionModel).findOneByOrFail({ localUserId: account.id })).revokedAt).toEqual(expect.any(Number));

    w.sandbox.org.setFrozen(MEMBER, false);
    await fullSync(w);
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: true, disabledBy: null });
    expect(await sessionOf(w, cookie)).toBeNull();
    await expectLoginRefused(w, MEMBER, DISABLED);
  });

  test('a status the app cannot read (contact:user.employee:readonly withheld) is unknown: it disables no one and re-enables no one', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    const app = w.sandbox.apps[0]!;
    const granted = [...app.scopes];
    const withoutStatus = granted.filter((s) => s !== SCOPES.userEmployee);

    // Frozen while the status is withheld: not known to have left, so the account and session stay.
    app.scopes = withoutStatus;
    w.sandbox.org.setFrozen(MEMBER);
    await syncOne(w, MEMBER);
    expect(await statusOf(w, MEMBER)).toBeNull();
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false });
    expect(await sessionOf(w, cookie)).not.toBeNull();
    await expectLoginRefused(w, MEMBER); // Feishu itself refuses a frozen user at sign-in (20022)

    // Seen frozen once the status can be read: disabled. Back, but unreadable again: not known to be back.
    app.scopes = granted;
    await syncOne(w, MEMBER);
    await expectLockedOut(w, MEMBER, cookie);
    w.sandbox.org.setFrozen(MEMBER, false);
    app.scopes = withoutStatus;
    await syncOne(w, MEMBER);
    expect(await statusOf(w, MEMBER)).toBeNull();
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: true, disabledBy: INSTANCE });

    app.scopes = granted;
    await syncOne(w, MEMBER);
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false });
  });

  test('onLeave "keep": the account and its session stay, only new logins are refused', async () => {
    const w = await httpWorld({ config: { onLeave: 'keep' } });
    const cookie = await signedInAfterSync(w, MEMBER);
    w.sandbox.org.setFrozen(MEMBER);
    await fullSync(w);

    expect(await statusOf(w, MEMBER)).toBe('frozen');
    expect(await accountOf(w, MEMBER)).toMatchObject({ disabled: false, disabledBy: null });
    expect(await sessionOf(w, cookie)).not.toBeNull();
    await expectLoginRefused(w, MEMBER);
  });

  test('a sync where nobody left or came back touches no account and no session', async () => {
    const w = await httpWorld();
    const cookies = [await signedInAfterSync(w, MEMBER), await w.signIn(ADMIN)];
    const accounts = await w.app.dataSource.getRepository(LocalUserModel).find({ order: { id: 'ASC' } });
    const sessions = await w.app.dataSource.getRepository(SessionModel).find({ order: { tokenHash: 'ASC' } });
    await fullSync(w);
    await syncOne(w, MEMBER);

    expect(await w.app.dataSource.getRepository(LocalUserModel).find({ order: { id: 'ASC' } })).toEqual(accounts);
    expect(await w.app.dataSource.getRepository(SessionModel).find({ order: { tokenHash: 'ASC' } })).toEqual(sessions);
    for (const cookie of cookies) expect(await sessionOf(w, cookie)).not.toBeNull();
  });

  test('a leaver whose account is still enabled, as earlier versions left it, is disabled by the next sync', async () => {
    const w = await httpWorld();
    const cookie = await signedInAfterSync(w, MEMBER);
    w.sandbox.org.resignUser(MEMBER);
    await fullSync(w);
    // What a sync before the leaver rule left behind: resigned in the directory, account and session alive.
    const account = await accountOf(w, MEMBER);
    await w.app.dataSource.getRepository(LocalUserModel).update({ id: account.id }, { disabled: false, disabledBy: null });
    await w.app.dataSource.getRepository(SessionModel).update({ localUserId: account.id }, { revokedAt: null });
    expect(await sessionOf(w, cookie)).not.toBeNull();

    await fullSync(w);
    await expectLockedOut(w, MEMBER, cookie);
  });
});
