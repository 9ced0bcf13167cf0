import { afterEach, describe, expect, test } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode, getJson, postJson, tenantToken } from './helpers.js';

let sandbox: Sandbox;
afterEach(() => sandbox?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(sandbox.baseUrl + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('control routes under /_sandbox/', () => {
  test('GET /_sandbox/users lists active users with their department names', async () => {
    sandbox = await startSandbox();
    const { body } = await call('GET', '/_sandbox/users');
    const zhangsan = body.users.find((u: { userId: string }) => u.userId === 'zhangsan');
    expect(zhangsan).toEqual({ userId: 'zhangsan', openId: sandbox.org.user('zhangsan').open_id, name: '张三', departments: ['研发部'] });
    expect(body.users.map((u: { userId: string }) => u.userId)).not.toContain('zhengshi'); // resigned
    expect(body.users.map((u: { userId: string }) => u.userId)).not.toContain('wujiu'); // frozen
  });

  test('POST /_sandbox/codes mints a code the token endpoint accepts', async () => {
    sandbox = await startSandbox();
    const { body } = await call('POST', '/_sandbox/codes', { userId: 'lisi', redirectUri: 'http://127.0.0.1/callback', state: 'xyz' });
    expect(body.callbackUrl).toBe(`http://127.0.0.1/callback?code=${body.code}&state=xyz`);
    expect((await exchangeCode(sandbox, body.code, { redirect_uri: 'http://127.0.0.1/callback' })).body.code).toBe(0);
    expect((await call('POST', '/_sandbox/codes', { userId: 'ghost' })).status).toBe(400);
  });

  test('faults, stats and token expiry over HTTP', async () => {
    sandbox = await startSandbox();
    const token = await tenantToken(sandbox);
    expect((await call('POST', '/_sandbox/faults', { endpoint: 'user_get', kind: 'token_invalid' })).body).toEqual({ ok: true });
    expect((await call('POST', '/_sandbox/faults', { kind: 'explode' })).status).toBe(400);
    expect((await getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', token)).body.code).toBe(99991663);
    await call('POST', '/_sandbox/faults', { endpoint: 'user_get', kind: 'status', status: 500 });
    await call('DELETE', '/_sandbox/faults');
    expect((await getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', token)).body.code).toBe(0);
    const stats = (await call('GET', '/_sandbox/stats')).body;
    expect(stats.byEndpoint.tenant_token.total).toBe(1);
    expect(stats.byEndpoint.user_get).toMatchObject({ total: 2, faulted: 1 });
    await call('POST', '/_sandbox/tokens/expire');
    expect((await getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', token)).body.code).toBe(99991663);
    sandbox.resetStats();
    expect(sandbox.stats().total).toBe(0);
  });

  test('control routes are not counted, and unknown paths 404', async () => {
    sandbox = await startSandbox();
    await call('GET', '/_sandbox/users');
    expect(sandbox.stats().total).toBe(0);
    expect((await call('GET', '/_sandbox/nothing')).status).toBe(404);
    const res = await fetch(`${sandbox.baseUrl}/open-apis/contact/v3/nothing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-tt-logid')).toBeTruthy();
    await postJson(sandbox, '/open-apis/auth/v3/tenant_access_token/internal', {});
    expect(sandbox.stats().total).toBe(1);
  });
});
