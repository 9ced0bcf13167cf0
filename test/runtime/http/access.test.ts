import { describe, expect, test } from '@jest/globals';
import { useHttpWorld } from './http-world.js';
import { HttpCodes } from '../../../runtime/http/http-errors.js';
import { FSInnerCodes } from '../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { AuthCodes } from '../../../runtime/auth/auth-errors.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';

describe('element methods over HTTP', () => {
  test('a public method needs no session', async () => {
    const w = await httpWorld();
    const reply = await w.call(FS, 'getLoginConfig');
    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({ ok: true, data: { appId: w.sandbox.appId } });
  });

  test('an admin method: 401 without a session, 403 for a user, 200 for an admin', async () => {
    const w = await httpWorld();
    expect((await w.call(FS, 'getUserInfo', { userId: 'lisi' })).json()).toEqual({ ok: false, code: HttpCodes.NOT_SIGNED_IN, message: 'Sign in first.' });
    expect((await w.call(FS, 'getUserInfo', { userId: 'lisi' })).statusCode).toBe(401);
    const user = await w.signIn('lisi');
    const refused = await w.call(FS, 'getUserInfo', { userId: 'lisi' }, user);
    expect([refused.statusCode, refused.json().code]).toEqual([403, HttpCodes.FORBIDDEN]);
    const admin = await w.signIn('zhangsan'); // adminUserIds
    const allowed = await w.call(FS, 'getUserInfo', { userId: 'lisi' }, admin);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().data).toMatchObject({ userId: 'lisi', name: w.sandbox.org.user('lisi').name });
    const preflight = await w.call(FS, 'checkConfig', {}, admin);
    expect(preflight.json()).toMatchObject({ ok: true, data: { ok: true, missingScopes: [] } });
  });

  test('getAccessToken is never reachable, not even for an admin; neither is anything outside functionList', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    for (const method of ['getAccessToken', 'close', 'constructor', 'describeUser', 'toString']) {
      const reply = await w.call(FS, method, {}, admin);
      expect([method, reply.statusCode, reply.json().code]).toEqual([method, 404, HttpCodes.METHOD_NOT_FOUND]);
    }
    expect(w.bodies.join('\n')).not.toContain(await w.fs().getAccessToken());
  });

  test.each([
    ['/api/auths/loginTypes/NoSuchThing/getLoginConfig'],
    ['/api/auths/loginTypes/getLoginConfig'],
    ['/api/auths/loginTypes/FSInnerType/getLoginConfig'], // a Type, not an instance
    ['/api/auths/../../etc/passwd/getLoginConfig'],
    ['/api/auths%2FloginTypes%2FFSInnerExample/getLoginConfig'],
    ['/api/auths.loginTypes.FSInnerExample/getLoginConfig'],
  ])('%s is 404', async (url) => {
    const w = await httpWorld();
    const reply = await w.inject({ method: 'POST', url, payload: {} });
    expect(reply.statusCode).toBe(404);
    expect(reply.json().ok).toBe(false);
  });

  test('parameters are validated against functionList before the call', async () => {
    const w = await httpWorld();
    const admin = await w.signIn('zhangsan');
    const wrongType = await w.call(FS, 'getUserInfo', { userId: 42 }, admin);
    expect([wrongType.statusCode, wrongType.json().code]).toEqual([400, RuntimeCodes.INVALID_PARAMS]);
    expect(wrongType.json().message).toContain('/userId');
    const unknown = await w.call(FS, 'getUserInfo', { userId: 'lisi', extra: true }, admin);
    expect([unknown.statusCode, unknown.json().message]).toEqual([400, expect.stringContaining('/extra')]);
    const missing = await w.call(FS, 'loginWithCode', {});
    expect([missing.statusCode, missing.json().message]).toEqual([400, expect.stringContaining('/authCode')]);
    const malformed = await w.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/getLoginConfig', payload: '{"oops"', headers: { 'content-type': 'application/json' } });
    expect([malformed.statusCode, malformed.json().code]).toEqual([400, RuntimeCodes.INVALID_PARAMS]);
  });

  test('Code errors keep their code with a fitting status; details stay on the server', async () => {
    const w = await httpWorld();
    const forged = await w.call(FS, 'loginWithCode', { authCode: 'forged-code' });
    expect([forged.statusCode, forged.json()]).toEqual([400, { ok: false, code: FSInnerCodes.INVALID_AUTH_CODE, message: expect.any(String) }]);
    const badState = await w.call(FS, 'loginWithCode', { authCode: 'some-code', state: 'not-issued' });
    expect([badState.statusCode, badState.json().code]).toEqual([400, AuthCodes.INVALID_STATE]);
    w.sandbox.apps[0]!.status = 'disabled';
    const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
    const disabled = await w.call(FS, 'loginWithCode', { authCode: code });
    expect([disabled.statusCode, disabled.json().code]).toEqual([502, FSInnerCodes.APP_UNAVAILABLE]);
  });

  test('an unexpected error is a 500 with a generic message; the detail goes to the log only', async () => {
    const w = await httpWorld();
    const fs = w.fs() as unknown as { getLoginConfig: () => Promise<unknown> };
    fs.getLoginConfig = async () => {
      throw new Error('database exploded at /secret/path');
    };
    const reply = await w.call(FS, 'getLoginConfig');
    expect(reply.statusCode).toBe(500);
    expect(reply.json()).toEqual({ ok: false, code: HttpCodes.INTERNAL, message: expect.stringMatching(/^Internal error \(request [0-9a-f-]{36}\)\.$/) });
    expect(reply.body).not.toContain('exploded');
    expect(w.logs.some((line) => line.includes('database exploded'))).toBe(true);
  });

  test('a cross-site POST is refused; an oversized body is refused', async () => {
    const w = await httpWorld();
    const cross = await w.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/getLoginConfig', payload: {}, headers: { origin: 'https://evil.example' } });
    expect([cross.statusCode, cross.json().code]).toEqual([403, HttpCodes.BAD_ORIGIN]);
    const same = await w.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/getLoginConfig', payload: {}, headers: { origin: 'http://localhost:80', host: 'localhost:80' } });
    expect(same.statusCode).toBe(200);
    const big = await w.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/loginWithCode', payload: { authCode: 'x'.repeat(70 * 1024) } });
    expect(big.statusCode).toBe(413);
  });
});

describe('sign-in rate limit', () => {
  test('sign-in routes are limited per client; other routes are not', async () => {
    const w = await httpWorld();
    const { createHttpServer } = await import('../../../runtime/http/server.js');
    const server = await createHttpServer(w.app, { logLevel: false, loginRateLimit: 3 });
    const config = () => server.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/getLoginConfig', payload: {} });
    expect([(await config()).statusCode, (await config()).statusCode, (await config()).statusCode]).toEqual([200, 200, 200]);
    const limited = await config();
    expect([limited.statusCode, limited.json().code]).toEqual([429, HttpCodes.TOO_MANY_REQUESTS]);
    expect((await server.inject({ method: 'GET', url: '/login/callback?code=x&state=y' })).statusCode).toBe(429);
    expect((await server.inject({ method: 'GET', url: '/api/session' })).statusCode).toBe(200);
    const other = await server.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/loginWithCode', payload: {}, remoteAddress: '10.0.0.9' });
    expect(other.statusCode).toBe(400); // another client has its own budget
    await server.close();
  });
});
