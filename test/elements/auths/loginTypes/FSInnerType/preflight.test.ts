import { describe, expect, test } from '@jest/globals';
import { SCOPES } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { useFeishuWorld } from './harness.js';

const world = useFeishuWorld();

describe('checkConfig', () => {
  test('with every scope: all checks pass and nothing is missing', async () => {
    const w = await world();
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['credentials', 'redirectUri', 'contact: departments', 'contact: users']);
    expect(report.checks.every((c) => c.ok)).toBe(true);
    const topLevel = w.sandbox.org.childDepartments('0').length;
    expect(report.checks.find((c) => c.name === 'contact: departments')!.detail).toContain(`${topLevel} top-level`);
    expect(report.missingScopes).toEqual([]);
  });

  test('without the email and phone scopes: missingScopes names them and the fields they fill', async () => {
    const w = await world();
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.userEmail && s !== SCOPES.userPhone);

    const report = await w.fs().checkConfig();
    expect(report.missingScopes).toEqual([
      { scope: SCOPES.userEmail, fields: ['email'] },
      { scope: SCOPES.userPhone, fields: ['mobile'] },
    ]);
    expect(report.ok).toBe(true); // logins still work, the fields stay empty
  });

  test('without the employee-id scope, userIdType user_id is flagged as fatal', async () => {
    const w = await world();
    const app = w.sandbox.apps[0]!;
    app.scopes = app.scopes.filter((s) => s !== SCOPES.userEmployeeId);

    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'userIdType')).toMatchObject({ ok: false });
    expect(report.missingScopes).toContainEqual({ scope: SCOPES.userEmployeeId, fields: ['userId (user_id)'] });
  });

  test('without a contact permission the contact check fails and says what still works', async () => {
    const w = await world();
    const app = w.sandbox.apps[0]!;
    app.scopes = [SCOPES.userIdentity];

    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    const contact = report.checks.find((c) => c.name === 'contact')!;
    expect(contact.ok).toBe(false);
    expect(contact.detail).toMatch(/^48001: /);
    expect(contact.detail).toContain('logins still work');
  });

  test('a wrong secret: the credentials check fails with 40013 and the report holds no secret', async () => {
    const w = await world({ config: { appSecret: 'definitely-wrong-secret' } });
    const report = await w.fs().checkConfig();
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([{ name: 'credentials', ok: false, detail: expect.stringContaining('40013') }]);
    const text = JSON.stringify(report);
    expect(text).not.toContain('definitely-wrong-secret');
    expect(text).not.toContain(w.sandbox.appSecret);
  });

  test('no redirectUri is reported', async () => {
    const w = await world({ config: { redirectUri: undefined } });
    const report = await w.fs().checkConfig();
    expect(report.checks.find((c) => c.name === 'redirectUri')).toMatchObject({ ok: false });
    expect(report.ok).toBe(false);
  });
});
