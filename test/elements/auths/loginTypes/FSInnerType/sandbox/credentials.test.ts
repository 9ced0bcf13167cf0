import { afterEach, describe, expect, test } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, manualClock, postJson } from './helpers.js';

const TENANT = '/open-apis/auth/v3/tenant_access_token/internal';
const APP = '/open-apis/auth/v3/app_access_token/internal';

let sandbox: Sandbox;
afterEach(() => sandbox?.close());

describe('tenant_access_token / app_access_token (contract §1)', () => {
  test('issues a token with expire in seconds, and every response carries a log id', async () => {
    sandbox = await startSandbox();
    const reply = await postJson(sandbox, TENANT, { app_id: sandbox.appId, app_secret: sandbox.appSecret });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 0, msg: 'ok', tenant_access_token: expect.any(String), expire: 7200 });
    expect(reply.headers.get('x-tt-logid')).toMatch(/^\d{14}[0-9A-F]{20}$/);
  });

  test('reuse rule: the same token while >= 30 min remain, a new one below, and the old one stays valid', async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ now: clock.now });
    const body = { app_id: sandbox.appId, app_secret: sandbox.appSecret };
    const first = (await postJson(sandbox, TENANT, body)).body;
    clock.advance(60 * 60 * 1000); // 60 min left
    const second = (await postJson(sandbox, TENANT, body)).body;
    expect(second.tenant_access_token).toBe(first.tenant_access_token);
    expect(second.expire).toBe(3600);
    clock.advance(31 * 60 * 1000); // 29 min left
    const third = (await postJson(sandbox, TENANT, body)).body;
    expect(third.tenant_access_token).not.toBe(first.tenant_access_token);
    expect(third.expire).toBe(7200);
    const withOld = await getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', first.tenant_access_token);
    expect(withOld.body.code).toBe(0);
  });

  test('app_access_token returns the same value as the tenant token for a self-built app', async () => {
    sandbox = await startSandbox();
    const body = { app_id: sandbox.appId, app_secret: sandbox.appSecret };
    const app = (await postJson(sandbox, APP, body)).body;
    const tenant = (await postJson(sandbox, TENANT, body)).body;
    expect(app).toEqual({ code: 0, msg: 'ok', app_access_token: tenant.tenant_access_token, tenant_access_token: tenant.tenant_access_token, expire: expect.any(Number) });
  });

  test('bad app id → 10003, bad secret → 10014, both with HTTP 200', async () => {
    sandbox = await startSandbox();
    const badId = await postJson(sandbox, TENANT, { app_id: 'cli_nope', app_secret: sandbox.appSecret });
    expect(badId.status).toBe(200);
    expect(badId.body).toEqual({ code: 10003, msg: expect.any(String) });
    const badSecret = await postJson(sandbox, APP, { app_id: sandbox.appId, app_secret: 'wrong' });
    expect(badSecret.body.code).toBe(10014);
    expect(badSecret.body).not.toHaveProperty('tenant_access_token');
    const missing = await postJson(sandbox, TENANT, {});
    expect(missing.body.code).toBe(10003);
  });

  test('a disabled app gets 99991662, an uninstalled one 99991673', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_off', status: 'disabled' }, { appId: 'cli_gone', status: 'not_installed' }] });
    const [off, gone] = sandbox.apps;
    expect((await postJson(sandbox, TENANT, { app_id: off!.appId, app_secret: off!.appSecret })).body.code).toBe(99991662);
    expect((await postJson(sandbox, TENANT, { app_id: gone!.appId, app_secret: gone!.appSecret })).body.code).toBe(99991673);
  });

  test('expireTokens: old tenant tokens answer 99991663 and the endpoint issues a fresh one', async () => {
    sandbox = await startSandbox();
    const body = { app_id: sandbox.appId, app_secret: sandbox.appSecret };
    const old = (await postJson(sandbox, TENANT, body)).body.tenant_access_token;
    sandbox.expireTokens();
    const rejected = await getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', old);
    expect(rejected.body.code).toBe(99991663);
    const fresh = (await postJson(sandbox, TENANT, body)).body;
    expect(fresh.tenant_access_token).not.toBe(old);
    expect(fresh.expire).toBe(7200);
  });

  test('revokeTokens: every token is refused with 99991663', async () => {
    sandbox = await startSandbox();
    const token = (await postJson(sandbox, TENANT, { app_id: sandbox.appId, app_secret: sandbox.appSecret })).body.tenant_access_token;
    sandbox.revokeTokens();
    const reply = await getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', token);
    expect(reply.body).toMatchObject({ code: 99991663, error: { log_id: expect.any(String) } });
  });
});
