import { describe, expect, test } from '@jest/globals';
import { PERMISSIONS, WHOLE_CONTACT } from '../../../../../elements/auths/loginTypes/FSInnerType/permissions.js';
import type { PreflightReport } from '../../../../../elements/auths/loginTypes/FSInnerType/preflight.js';
import { FSInnerCodes } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { FEISHU, SCOPES } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { useFeishuWorld } from './harness.js';

/** checkConfig: what is set up, per feature what is granted and missing (each permission withheld in turn: permissions.test.ts). */
const world = useFeishuWorld();
const P = PERMISSIONS;

const feature = (report: PreflightReport, name: string) => report.features.find((f) => f.feature === name)!;
const check = (report: PreflightReport, name: string) => report.checks.find((c) => c.name === name)!;

describe('checkConfig', () => {
  test('the demo grant: every check passes, every feature has what it needs', async () => {
    const w = await world();
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['credentials', 'redirectUri', 'contact range']);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    expect(check(report, 'contact range').detail).toBe(`all members: ${w.sandbox.org.childDepartments('0').length} top-level department(s) visible`);
    expect(report.features.map((f) => f.feature)).toEqual(['login', 'inClientLogin', 'userDetails', 'departmentSync']);
    expect(report.missingScopes).toEqual([]);
    expect(feature(report, 'inClientLogin').notes.join(' ')).toContain('Redirect URLs');
  });

  test('a missing API-level permission is reported as one, apart from field permissions', async () => {
    const w = await world();
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.contactBase && s !== SCOPES.departmentOrganize);
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    // Merged into one entry per permission: the alternatives are those that would cure every cost listed.
    expect(feature(report, 'departmentSync')).toMatchObject({ works: false, missing: expect.arrayContaining([expect.objectContaining({ permission: P.contactBase, level: 'api', fatal: true, alternatives: [...WHOLE_CONTACT] })]) });
    expect(feature(report, 'departmentSync').missing.find((m) => m.permission === P.departmentOrganize)).toBeUndefined(); // organize's fields cannot be sampled: unknown, not missing
    expect(report.missingScopes).toContainEqual({ scope: P.contactBase, level: 'api', features: ['login', 'inClientLogin', 'userDetails', 'departmentSync'] });
    // What the contact calls themselves answer: 48001 naming what would do.
    await expect(w.fs().syncDepartmentInfo()).rejects.toMatchObject({ code: FSInnerCodes.PERMISSION_MISSING, details: { feishuCode: FEISHU.appLacksScope[0], scopes: expect.arrayContaining([P.contactBase, P.departmentOrganize]) } });
  });

  test('a whole-contact permission instead of the narrow ones: only departments/batch, which takes nothing else, is missing', async () => {
    const w = await world();
    w.sandbox.apps[0]!.scopes = [SCOPES.contactReadAsApp, SCOPES.userEmployeeId, SCOPES.userEmail, SCOPES.userPhone];
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(true);
    expect(report.missingScopes).toEqual([{ scope: P.contactBase, level: 'api', features: ['userDetails'] }]);
    expect(feature(report, 'userDetails').missing).toEqual([{ permission: P.contactBase, level: 'api', alternatives: [], fatal: false, cost: expect.stringContaining('departments/batch') }]);
    expect(feature(report, 'departmentSync')).toMatchObject({ ok: true, missing: [] });
  });

  test('no contact permission at all: the range cannot be checked, fields cannot be sampled, logins still work', async () => {
    const w = await world();
    w.sandbox.apps[0]!.scopes = [SCOPES.userEmployeeId];
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    expect(check(report, 'contact range')).toMatchObject({ ok: false, detail: expect.stringContaining('logins still work') });
    expect(feature(report, 'login')).toMatchObject({ works: true, missing: [expect.objectContaining({ permission: P.contactBase, level: 'api', fatal: false })] });
    expect(feature(report, 'userDetails').unknown).toContainEqual({ permission: P.userEmployee, level: 'field', reason: 'no user was visible to sample' });
  });

  test('a contact range below the root: the range check names what it holds; syncRootDepartments inside it passes', async () => {
    const w = await world();
    w.sandbox.apps[0]!.contactScope = ['engineering', 'hr'];
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    const ids = ['engineering', 'hr'].map((id) => w.sandbox.org.department(id).open_department_id);
    expect(check(report, 'contact range')).toEqual({ name: 'contact range', ok: false, detail: expect.stringContaining(`set syncRootDepartments to departments in the range`) });
    expect(check(report, 'contact range').detail).toContain(`(${ids.join(', ')})`);
    // The range's own departments supply the samples: every permission is still checked.
    for (const f of report.features) expect(f).toMatchObject({ missing: [], unknown: [] });
    await expect(w.fs().syncDepartmentInfo()).rejects.toMatchObject({ code: FSInnerCodes.PERMISSION_MISSING, details: { feishuCode: FEISHU.noParentDepartmentAuthority[0] } });

    const scoped = await world({ config: { syncRootDepartments: ['engineering'] } });
    scoped.sandbox.apps[0]!.contactScope = ['engineering'];
    const inside = await scoped.fs().checkConfig();
    expect(check(inside, 'contact range')).toMatchObject({ ok: true, detail: expect.stringContaining('syncRootDepartments: engineering visible') });
    expect(inside.ok).toBe(true);
  });

  test('a wrong secret: the credentials check fails with 40013, nothing else is asked, and the report holds no secret', async () => {
    const w = await world({ config: { appSecret: 'definitely-wrong-secret' } });
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([{ name: 'credentials', ok: false, detail: expect.stringContaining(String(FSInnerCodes.CREDENTIALS_REJECTED)) }]);
    for (const f of report.features) expect(f.missing).toEqual([]);
    expect(w.sandbox.stats().byEndpoint.department_children?.total ?? 0).toBe(0);
    const text = JSON.stringify(report);
    expect(text).not.toContain('definitely-wrong-secret');
    expect(text).not.toContain(w.sandbox.appSecret);
  });

  test('no redirectUri is reported', async () => {
    const w = await world({ config: { redirectUri: undefined } });
    const report = await w.fs().checkConfig();
    expect(check(report, 'redirectUri')).toMatchObject({ ok: false });
    expect(report.ok).toBe(false);
  });

  test('userIdType open_id does not need contact:user.employee_id:readonly', async () => {
    const w = await world({ config: { userIdType: 'open_id' } });
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.userEmployeeId);
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(true);
    expect(report.missingScopes).toEqual([]);
  });
});
