import { afterEach, describe, expect, test } from '@jest/globals';
import { SCOPES, startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, manualClock, tenantToken, userToken } from './helpers.js';

const USER_INFO = '/open-apis/authen/v1/user_info';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

describe('GET /open-apis/authen/v1/user_info (contract §3)', () => {
  test('returns the signed-in user with flat avatar fields and the tenant key', async () => {
    sandbox = await startSandbox();
    const { access } = await userToken(sandbox, 'zhangsan');
    const reply = await getJson(sandbox, USER_INFO, access);
    const zhangsan = sandbox.org.user('zhangsan');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      code: 0,
      msg: 'success',
      data: {
        name: '张三',
        en_name: 'Zhang San',
        avatar_url: zhangsan.avatar.avatar_origin,
        avatar_thumb: zhangsan.avatar.avatar_72,
        avatar_middle: zhangsan.avatar.avatar_240,
        avatar_big: zhangsan.avatar.avatar_640,
        open_id: zhangsan.open_id,
        union_id: zhangsan.union_id,
        tenant_key: sandbox.org.tenantKey,
        email: zhangsan.email,
        enterprise_email: zhangsan.enterprise_email,
        user_id: 'zhangsan',
        mobile: zhangsan.mobile,
        employee_no: zhangsan.employee_no,
      },
    });
  });

  test('fields gated by scopes are omitted when the app lacks them', async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_narrow', scopes: [SCOPES.userBase] }] });
    const { access } = await userToken(sandbox, 'zhangsan');
    const { data } = (await getJson(sandbox, USER_INFO, access)).body;
    expect(data.open_id).toBe(sandbox.org.user('zhangsan').open_id);
    for (const gated of ['email', 'mobile', 'user_id', 'enterprise_email', 'employee_no']) expect(data).not.toHaveProperty(gated);
  });

  test('missing header 99991661, unknown token 20005, tenant token 99991663, expired 99991677 — HTTP 400 for gateway codes', async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ now: clock.now });
    const missing = await getJson(sandbox, USER_INFO);
    expect(missing.body.code).toBe(99991661);
    expect(missing.status).toBe(400);
    expect((await getJson(sandbox, USER_INFO, 'u-nonsense')).body.code).toBe(20005);
    expect((await getJson(sandbox, USER_INFO, await tenantToken(sandbox))).body.code).toBe(99991663);
    const { access } = await userToken(sandbox, 'zhangsan');
    clock.advance(7200 * 1000);
    expect((await getJson(sandbox, USER_INFO, access)).body.code).toBe(99991677);
  });

  test('expireTokens → 99991677; revokeTokens → 20005', async () => {
    sandbox = await startSandbox();
    const a = await userToken(sandbox, 'zhangsan');
    sandbox.expireTokens();
    expect((await getJson(sandbox, USER_INFO, a.access)).body.code).toBe(99991677);
    const b = await userToken(sandbox, 'zhangsan');
    sandbox.revokeTokens();
    expect((await getJson(sandbox, USER_INFO, b.access)).body.code).toBe(20005);
  });

  test('a user resigned or frozen after sign-in: 20021 / 20022', async () => {
    sandbox = await startSandbox();
    const lisi = await userToken(sandbox, 'lisi');
    const wangwu = await userToken(sandbox, 'wangwu');
    sandbox.org.resignUser('lisi');
    sandbox.org.setFrozen('wangwu');
    expect((await getJson(sandbox, USER_INFO, lisi.access)).body.code).toBe(20021);
    expect((await getJson(sandbox, USER_INFO, wangwu.access)).body.code).toBe(20022);
  });
});
