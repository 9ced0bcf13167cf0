import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../../../runtime/index.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { sessionCookie, useHttpWorld, type HttpWorld } from './http-world.js';

const httpWorld = useHttpWorld();
const NEW = 'auths.loginTypes.SecondFeishu';
const NEW_DIR = 'apps/demo/auths/loginTypes/SecondFeishu';

/** Waits (through hot reload) until the app shows what a test wrote. */
async function until(app: App, ready: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    await app.settled();
    if (ready()) return;
    if (Date.now() > end) throw new Error('the app did not pick the change up');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function adminWorld(): Promise<HttpWorld & { admin: string }> {
  const w = await httpWorld();
  await w.app.watch();
  return { ...w, admin: await w.signIn('zhangsan') };
}

const post = (w: HttpWorld & { admin: string }, body: object) => w.inject({ method: 'POST', url: '/api/admin/elements', payload: body, headers: { cookie: w.admin } });

describe('admin API: creating and editing elements', () => {
  test('lists the login Types with their config schema, for administrators only', async () => {
    const w = await adminWorld();
    const user = await w.signIn('lisi');
    expect((await w.inject({ method: 'GET', url: '/api/admin/types?meta=auths.loginTypes.Meta', headers: { cookie: user } })).statusCode).toBe(403);
    const reply = await w.inject({ method: 'GET', url: '/api/admin/types?meta=auths.loginTypes.Meta', headers: { cookie: w.admin } });
    const types = reply.json().data;
    expect(types.map((t: { typeId: string }) => t.typeId)).toEqual(['auths.loginTypes.FSInnerType']);
    expect(types[0]).toMatchObject({ configFile: '{name}.json', secretFields: ['appSecret'], schema: { required: ['appId', 'appSecret'] } });
    expect(types[0].schema.properties.appId).toMatchObject({ title: 'App ID', description: expect.any(String) });
  });

  test('creates an instance that is listed, loads after reload and signs in against the sandbox', async () => {
    const w = await adminWorld();
    const reply = await post(w, {
      fullName: NEW,
      type: 'auths.loginTypes.FSInnerType',
      title: 'Second Feishu',
      config: { redirectUri: REDIRECT_URI, domain: w.sandbox.baseUrl, appSecret: w.sandbox.appSecret, appId: w.sandbox.appId, stateTtlSeconds: 300 },
      secretsAsValues: true,
    });
    expect(reply.statusCode).toBe(200);
    expect(reply.json().data).toEqual({ fullName: NEW, files: ['auths/loginTypes/SecondFeishu/e.json', 'auths/loginTypes/SecondFeishu/SecondFeishu.json'], env: [] });
    // Schema order, 2-space JSON, only what was given (no defaults).
    expect(readFileSync(join(w.root, NEW_DIR, 'SecondFeishu.json'), 'utf8')).toBe(
      JSON.stringify({ appId: w.sandbox.appId, appSecret: w.sandbox.appSecret, domain: w.sandbox.baseUrl, redirectUri: REDIRECT_URI, stateTtlSeconds: 300 }, null, 2) + '\n',
    );
    expect(JSON.parse(readFileSync(join(w.root, NEW_DIR, 'e.json'), 'utf8'))).toEqual({ title: 'Second Feishu', type: 'auths.loginTypes.FSInnerType' });

    await until(w.app, () => w.app.getElementDefine(NEW) !== undefined);
    expect(w.app.diagnostics).toEqual([]);
    const tree = (await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: w.admin } })).json().data;
    expect(tree.elements.map((e: { fullName: string }) => e.fullName)).toContain(NEW);
    const logins = (await w.inject({ method: 'GET', url: '/api/login-methods' })).json().data;
    expect(logins.map((m: { fullName: string }) => m.fullName)).toContain(NEW);

    const config = (await w.call(NEW, 'getLoginConfig')).json().data;
    expect(config.expiresIn).toBe(300);
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
    const login = await w.call(NEW, 'loginWithCode', { authCode: code, state: config.state });
    expect(login.statusCode).toBe(200);
    const session = await w.inject({ method: 'GET', url: '/api/session', headers: { cookie: sessionCookie(login)! } });
    expect(session.json().data).toMatchObject({ provider: NEW });
  });

  test('secret fields typed in are written as ${ENV} placeholders by default, and the reply says which variable to set', async () => {
    const w = await adminWorld();
    const reply = await post(w, { fullName: NEW, type: 'auths.loginTypes.FSInnerType', config: { appId: w.sandbox.appId, appSecret: 'typed-in-secret-value', domain: w.sandbox.baseUrl } });
    expect(reply.statusCode).toBe(200);
    expect(reply.json().data.env).toEqual([{ field: 'appSecret', variable: 'FEISHU_APP_SECRET' }]);
    expect(reply.body).not.toContain('typed-in-secret-value');
    const file = readFileSync(join(w.root, NEW_DIR, 'SecondFeishu.json'), 'utf8');
    expect(JSON.parse(file)).toEqual({ appId: w.sandbox.appId, appSecret: '${FEISHU_APP_SECRET}', domain: w.sandbox.baseUrl });
    expect(file).not.toContain('typed-in-secret-value');
    expect(JSON.parse(readFileSync(join(w.root, NEW_DIR, 'e.json'), 'utf8')).title).toBe('Second Feishu'); // default title from the name
    // This app's environment has no FEISHU_APP_SECRET: the new instance says so, the rest keeps working.
    await until(w.app, () => w.app.getElementDefine(NEW) !== undefined);
    expect(w.app.diagnostics).toEqual([expect.objectContaining({ code: 'CONFIG_ENV_MISSING', fullName: NEW, message: expect.stringContaining('FEISHU_APP_SECRET') })]);
  });

  test('invalid input is refused with 400 naming each field, and nothing is written', async () => {
    const w = await adminWorld();
    const bad = await post(w, { fullName: NEW, type: 'auths.loginTypes.FSInnerType', config: { appId: '', stateTtlSeconds: 5, userIdType: 'email', domain: 'ftp://x', bogus: 1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ ok: false, code: 10008 });
    const fields = bad.json().errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['appId', 'appSecret', 'bogus', 'domain', 'stateTtlSeconds', 'userIdType']);
    expect(bad.json().errors.find((e: { field: string }) => e.field === 'stateTtlSeconds').message).toBe('Field /stateTtlSeconds must be >= 60.');
    expect(existsSync(join(w.root, NEW_DIR))).toBe(false);

    const badId = await post(w, { fullName: '../escape', type: 'auths.loginTypes.FSInnerType', config: {} });
    expect([badId.statusCode, badId.json().errors[0].field]).toEqual([400, 'fullName']);
    const badType = await post(w, { fullName: NEW, type: 'auths.loginTypes.Meta', config: {} });
    expect([badType.statusCode, badType.json().errors[0].field]).toEqual([400, 'type']);
    const exists = await post(w, { fullName: 'auths.loginTypes.FSInnerExample', type: 'auths.loginTypes.FSInnerType', config: { appId: 'a', appSecret: 'b' } });
    expect([exists.statusCode, exists.json().errors[0]]).toEqual([400, expect.objectContaining({ field: 'fullName', message: 'already exists' })]);
  });

  test('edits an instance: the form gets no secrets, a left-out secret is kept, keys stay in schema order, the app reloads', async () => {
    const w = await adminWorld();
    const url = '/api/admin/elements/auths.loginTypes.FSInnerExample/config';
    const current = await w.inject({ method: 'GET', url, headers: { cookie: w.admin } });
    expect(current.json().data).toMatchObject({ type: 'auths.loginTypes.FSInnerType', secretsSet: ['appSecret'], config: { appId: w.sandbox.appId, adminUserIds: ['zhangsan'] } });
    expect(current.body).not.toContain(w.sandbox.appSecret);

    const { config } = current.json().data;
    const edited = await w.inject({ method: 'PUT', url, payload: { config: { ...config, stateTtlSeconds: 120, userIdType: 'open_id' } }, headers: { cookie: w.admin } });
    expect(edited.statusCode).toBe(200);
    const file = readFileSync(join(w.root, 'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json'), 'utf8');
    expect(Object.keys(JSON.parse(file))).toEqual(['appId', 'appSecret', 'domain', 'redirectUri', 'userIdType', 'stateTtlSeconds', 'adminUserIds']);
    expect(file).toContain('\n  "stateTtlSeconds": 120,\n');
    expect(JSON.parse(file).appSecret).toBe(w.sandbox.appSecret);
    await until(w.app, () => w.fs().config.stateTtlSeconds === 120);
    expect((await w.call('auths.loginTypes.FSInnerExample', 'getLoginConfig')).json().data.expiresIn).toBe(120);

    const invalid = await w.inject({ method: 'PUT', url, payload: { config: { ...config, timeoutMs: 'soon' } }, headers: { cookie: w.admin } });
    expect([invalid.statusCode, invalid.json().errors]).toEqual([400, [expect.objectContaining({ field: 'timeoutMs', message: 'Field /timeoutMs must be integer.' })]]);
    expect(readFileSync(join(w.root, 'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json'), 'utf8')).toBe(file);
    const notInstance = await w.inject({ method: 'PUT', url: '/api/admin/elements/auths.loginTypes.FSInnerType/config', payload: { config: {} }, headers: { cookie: w.admin } });
    expect(notInstance.statusCode).toBe(400);
  });
});
