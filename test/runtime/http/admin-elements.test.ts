import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ID_LENGTH, MAX_SEGMENT_LENGTH } from '../../../runtime/ids.js';
import { RuntimeCodes } from '../../../runtime/index.js';
import { readInstanceConfig } from '../../../runtime/scaffold/write.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { sessionCookie, useHttpWorld, type HttpWorld } from './http-world.js';
import { until } from '../../helpers/reload.js';

const httpWorld = useHttpWorld();
const NEW = 'auths.loginTypes.SecondFeishu';
const NEW_DIR = 'apps/demo/auths/loginTypes/SecondFeishu';


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
    expect(types[0]).toMatchObject({ configFile: '{name}.json', secretFields: ['appSecret', 'encryptKey', 'verificationToken'], schema: { required: ['appId', 'appSecret'] } });
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

    const browser = w.browser();
    const config = (await browser.call(NEW, 'getLoginConfig')).json().data;
    expect(config.expiresIn).toBe(300);
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
    const login = await browser.call(NEW, 'loginWithCode', { authCode: code, state: config.state });
    expect(login.statusCode).toBe(200);
    const session = await browser.get('/api/session');
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
    expect(bad.json()).toMatchObject({ ok: false, code: RuntimeCodes.INVALID_PARAMS });
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

describe('admin API: ${ENV} placeholders and names (issue #10)', () => {
  const HTTP_OK = 200;
  const HTTP_BAD_REQUEST = 400;
  const TYPE = 'auths.loginTypes.FSInnerType';
  const RUNTIME_RULE = 'JIT_* variables configure the runtime itself and are never substituted into element configs';
  const INSTANCE_FILE = 'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json';
  const configUrl = '/api/admin/elements/auths.loginTypes.FSInnerExample/config';
  const put = (w: HttpWorld & { admin: string }, config: object) => w.inject({ method: 'PUT', url: configUrl, payload: { config }, headers: { cookie: w.admin } });
  const refusedFields = (reply: { json(): { errors: Array<{ field: string; pointer: string; message: string }> } }) => reply.json().errors;

  test('regression: appId "${JIT_SECRET_KEY}" or a redirectUri naming ${JIT_DATABASE_URL} is refused with 400 naming the field; nothing is written', async () => {
    const w = await adminWorld();
    const base = { appId: w.sandbox.appId, appSecret: w.sandbox.appSecret, domain: w.sandbox.baseUrl };
    const key = await post(w, { fullName: NEW, type: TYPE, config: { ...base, appId: '${JIT_SECRET_KEY}' }, secretsAsValues: true });
    expect(key.statusCode).toBe(HTTP_BAD_REQUEST);
    expect(key.json()).toMatchObject({ ok: false, code: RuntimeCodes.INVALID_PARAMS });
    expect(refusedFields(key)).toEqual([{ field: 'appId', pointer: '/appId', message: expect.stringContaining(RUNTIME_RULE) }]);
    const url = await post(w, { fullName: NEW, type: TYPE, config: { ...base, redirectUri: 'http://x/${JIT_DATABASE_URL}' }, secretsAsValues: true });
    expect([url.statusCode, refusedFields(url)]).toEqual([HTTP_BAD_REQUEST, [{ field: 'redirectUri', pointer: '/redirectUri', message: expect.stringContaining(RUNTIME_RULE) }]]);
    expect(existsSync(join(w.root, NEW_DIR))).toBe(false);
  });

  test('a placeholder in a non-secret field is refused; in a secret field only a variable its x-env-pattern allows', async () => {
    const w = await adminWorld();
    const base = { appId: w.sandbox.appId, domain: w.sandbox.baseUrl };
    const plain = await post(w, { fullName: NEW, type: TYPE, config: { ...base, appSecret: 'x', domain: '${FEISHU_DOMAIN}' } });
    expect([plain.statusCode, refusedFields(plain)]).toEqual([HTTP_BAD_REQUEST, [{ field: 'domain', pointer: '/domain', message: expect.stringContaining('only secret fields may hold ${ENV} placeholders') }]]);
    const outside = await post(w, { fullName: NEW, type: TYPE, config: { ...base, appSecret: '${AWS_SECRET_ACCESS_KEY}' } });
    expect([outside.statusCode, refusedFields(outside)]).toEqual([HTTP_BAD_REQUEST, [{ field: 'appSecret', pointer: '/appSecret', message: expect.stringContaining('accepts only variables matching ^FEISHU_[A-Z0-9_]*$') }]]);
    const runtime = await post(w, { fullName: NEW, type: TYPE, config: { ...base, appSecret: '${JIT_SECRET_KEY}' } });
    expect([runtime.statusCode, refusedFields(runtime)]).toEqual([HTTP_BAD_REQUEST, [expect.objectContaining({ field: 'appSecret', message: expect.stringContaining(RUNTIME_RULE) })]]);
    expect(existsSync(join(w.root, NEW_DIR))).toBe(false);

    const allowed = await post(w, { fullName: NEW, type: TYPE, config: { ...base, appSecret: '${FEISHU_SECOND_SECRET}' } });
    expect(allowed.statusCode).toBe(HTTP_OK);
    expect(allowed.json().data.env).toEqual([{ field: 'appSecret', variable: 'FEISHU_SECOND_SECRET' }]);
    expect(JSON.parse(readFileSync(join(w.root, NEW_DIR, 'SecondFeishu.json'), 'utf8')).appSecret).toBe('${FEISHU_SECOND_SECRET}');
  });

  test('editing: new placeholders follow the same rules; hand-written ones sent back unchanged are kept (not JIT_*)', async () => {
    const w = await adminWorld();
    const file = join(w.root, INSTANCE_FILE);
    const handWritten = { ...JSON.parse(readFileSync(file, 'utf8')), domain: `\${FEISHU_DOMAIN:-${w.sandbox.baseUrl}}` };
    writeFileSync(file, JSON.stringify(handWritten, null, 2));
    await until(w.app, () => readInstance(w) === handWritten.domain);
    const { config } = (await w.inject({ method: 'GET', url: configUrl, headers: { cookie: w.admin } })).json().data;
    expect(config.domain).toBe(handWritten.domain);

    const kept = await put(w, { ...config, stateTtlSeconds: 120 });
    expect(kept.statusCode).toBe(HTTP_OK);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ domain: handWritten.domain, stateTtlSeconds: 120, appSecret: w.sandbox.appSecret });
    const before = readFileSync(file, 'utf8');

    const changed = await put(w, { ...config, domain: '${OTHER_DOMAIN:-feishu}' });
    expect([changed.statusCode, refusedFields(changed)]).toEqual([HTTP_BAD_REQUEST, [expect.objectContaining({ field: 'domain', pointer: '/domain' })]]);
    const nested = await put(w, { ...config, adminUserIds: ['zhangsan', '${FEISHU_ADMIN}'] });
    expect([nested.statusCode, refusedFields(nested)]).toEqual([HTTP_BAD_REQUEST, [expect.objectContaining({ field: 'adminUserIds', pointer: '/adminUserIds/1' })]]);
    const runtime = await put(w, { ...config, appSecret: '${JIT_SECRET_KEY}' });
    expect([runtime.statusCode, refusedFields(runtime)]).toEqual([HTTP_BAD_REQUEST, [expect.objectContaining({ field: 'appSecret', message: expect.stringContaining(RUNTIME_RULE) })]]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  test('a 250-character name is refused with 400 naming fullName and the limit, not a 500', async () => {
    const w = await adminWorld();
    const long = `auths.loginTypes.${'A'.repeat(250 - 'auths.loginTypes.'.length)}`;
    const reply = await post(w, { fullName: long, type: TYPE, config: { appId: w.sandbox.appId, appSecret: w.sandbox.appSecret }, secretsAsValues: true });
    expect(reply.statusCode).toBe(HTTP_BAD_REQUEST);
    expect(reply.json()).toMatchObject({ ok: false, code: RuntimeCodes.INVALID_PARAMS });
    expect(refusedFields(reply)).toEqual([{ field: 'fullName', pointer: '/fullName', message: expect.stringContaining(`each part of an element id is at most ${MAX_SEGMENT_LENGTH} characters`) }]);
    expect(reply.body).not.toContain('ENAMETOOLONG');
    const tooLong = ['auths', ...Array.from({ length: 4 }, (_, i) => `${'P'.repeat(48)}${i}`)].join('.');
    const whole = await post(w, { fullName: tooLong, type: TYPE, config: { appId: w.sandbox.appId, appSecret: w.sandbox.appSecret }, secretsAsValues: true });
    expect([whole.statusCode, refusedFields(whole)]).toEqual([HTTP_BAD_REQUEST, [expect.objectContaining({ field: 'fullName', message: expect.stringContaining(`at most ${MAX_ID_LENGTH}`) })]]);
  });

  test('a file-system refusal caused by the name (a part naming a file) is a 400 naming fullName', async () => {
    const w = await adminWorld();
    writeFileSync(join(w.root, 'apps/demo/auths/loginTypes/Blocker'), 'a file, not a folder\n');
    const reply = await post(w, { fullName: 'auths.loginTypes.Blocker.Inner', type: TYPE, config: { appId: w.sandbox.appId, appSecret: w.sandbox.appSecret }, secretsAsValues: true });
    expect([reply.statusCode, refusedFields(reply)]).toEqual([HTTP_BAD_REQUEST, [{ field: 'fullName', pointer: '/fullName', message: 'a part of it names a file, not a folder' }]]);
  });
});

/** The domain of FSInnerExample's raw config as the app currently sees it through the admin API's reader. */
function readInstance(w: HttpWorld): unknown {
  return readInstanceConfig(w.app, 'auths.loginTypes.FSInnerExample').config['domain'];
}
