import { describe, expect, test } from '@jest/globals';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { HttpCodes } from '../../../runtime/http/http-errors.js';
import { sessionCookie, useHttpWorld } from './http-world.js';
import { FSInnerCodes } from '../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { AuthCodes } from '../../../runtime/auth/auth-errors.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';

describe('sessions', () => {
  test('loginWithCode sets an HttpOnly, SameSite=Lax session cookie and /api/session knows the user', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    const { state } = (await browser.call(FS, 'getLoginConfig')).json().data;
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
    const reply = await browser.call(FS, 'loginWithCode', { authCode: code, state });
    expect(reply.json().data).toMatchObject({ userId: 'lisi', localUserId: expect.any(String) });
    const setCookie = String([reply.headers['set-cookie']].flat()[0]);
    expect(setCookie).toMatch(/^jit_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toContain('Secure'); // plain http
    const session = await w.inject({ method: 'GET', url: '/api/session', headers: { cookie: sessionCookie(reply)! } });
    expect(session.json().data).toMatchObject({ user: { name: w.sandbox.org.user('lisi').name, isAdmin: false }, provider: FS });
    expect((await w.inject({ method: 'GET', url: '/api/session' })).json().data).toBeNull();
  });

  test("a login Feishu's quota cannot take now is HTTP 429 with Retry-After and Code 45009, to be retried", async () => {
    const w = await httpWorld();
    const browser = w.browser();
    const { state } = (await browser.call(FS, 'getLoginConfig')).json().data;
    w.sandbox.injectFault({ endpoint: 'oauth_token', kind: 'rate_limit', resetSeconds: 120 });
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
    const reply = await browser.call(FS, 'loginWithCode', { authCode: code, state });
    expect([reply.statusCode, reply.json().code, reply.headers['retry-after']]).toEqual([429, FSInnerCodes.RATE_LIMITED, '120']);
  });

  test('behind an https proxy the cookie is Secure', async () => {
    const w = await httpWorld();
    const { createHttpServer } = await import('../../../runtime/http/server.js');
    const server = await createHttpServer(w.app, { logLevel: false, trustProxy: ['127.0.0.1'] });
    const { code } = w.sandbox.issueCode({ userId: 'lisi' });
    const reply = await server.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/loginWithCode', payload: { authCode: code }, headers: { 'x-forwarded-proto': 'https' } });
    expect(String([reply.headers['set-cookie']].flat()[0])).toContain('; Secure');
    await server.close();
  });

  test('with an https public URL every cookie is Secure, host-only and __Host- prefixed, and Origin is checked against that URL', async () => {
    const w = await httpWorld();
    const { createHttpServer } = await import('../../../runtime/http/server.js');
    const server = await createHttpServer(w.app, { logLevel: false, publicUrl: 'https://login.example.com' });
    const headers = { origin: 'https://login.example.com', host: '127.0.0.1:3000' }; // the proxy rewrote the host
    const issued = await server.inject({ method: 'POST', url: '/api/auths/loginTypes/FSInnerExample/getLoginConfig', payload: {}, headers });
    expect(issued.statusCode).toBe(200);
    const binding = String([issued.headers['set-cookie']].flat()[0]);
    expect(binding).toMatch(/^__Host-jit_login=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI });
    const login = await server.inject({
      method: 'POST',
      url: '/api/auths/loginTypes/FSInnerExample/loginWithCode',
      payload: { authCode: code, state: issued.json().data.state },
      headers: { ...headers, cookie: binding.split(';')[0]! },
    });
    const session = String([login.headers['set-cookie']].flat()[0]);
    expect(session).toMatch(/^__Host-jit_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const me = await server.inject({ method: 'GET', url: '/api/session', headers: { cookie: session.split(';')[0]! } });
    expect(me.json().data.user.name).toBe(w.sandbox.org.user('lisi').name);
    // The unprefixed name is not read: a cookie planted over plain http (or by a sibling subdomain) is ignored.
    const planted = await server.inject({ method: 'GET', url: '/api/session', headers: { cookie: `jit_session=${session.split(';')[0]!.split('=')[1]}` } });
    expect(planted.json().data).toBeNull();
    const crossSite = await server.inject({ method: 'POST', url: '/api/logout', payload: {}, headers: { origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' } });
    expect([crossSite.statusCode, crossSite.json().code]).toEqual([403, HttpCodes.BAD_ORIGIN]);
    await server.close();
  });

  test('logging in rotates the session: the cookie the browser had before is revoked', async () => {
    const w = await httpWorld();
    const before = await w.signIn('lisi');
    const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
    const reply = await w.call(FS, 'loginWithCode', { authCode: code }, before);
    const after = sessionCookie(reply)!;
    expect(after).not.toBe(before);
    expect((await w.inject({ method: 'GET', url: '/api/session', headers: { cookie: before } })).json().data).toBeNull();
    expect((await w.inject({ method: 'GET', url: '/api/session', headers: { cookie: after } })).json().data.user.isAdmin).toBe(true);
  });

  test('logout revokes the session on the server, not just the cookie', async () => {
    const w = await httpWorld();
    const cookie = await w.signIn('lisi');
    const logout = await w.inject({ method: 'POST', url: '/api/logout', headers: { cookie } });
    expect(String([logout.headers['set-cookie']].flat()[0])).toMatch(/^jit_session=; Max-Age=0|^jit_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await w.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().data).toBeNull();
    expect((await w.call(FS, 'getUserInfo', { userId: 'lisi' }, cookie)).statusCode).toBe(401);
  });

  test('an expired session is gone', async () => {
    const w = await httpWorld();
    const cookie = await w.signIn('lisi');
    w.clock.advance(8 * 24 * 3600 * 1000);
    expect((await w.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).json().data).toBeNull();
  });
});

describe('the OAuth callback', () => {
  test('signs in, lands on the signed-in page, and a replayed callback URL is refused', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    const { state } = (await browser.call(FS, 'getLoginConfig')).json().data;
    const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
    const url = `/login/callback?code=${code}&state=${state}`;
    const first = await browser.get(url);
    expect([first.statusCode, first.headers.location]).toEqual([302, '/']);
    const home = await browser.get('/');
    expect(home.body).toContain(`data-testid="user-name">${w.sandbox.org.user('zhangsan').name}<`);
    expect(home.body).toContain(`data-testid="user-department">${w.sandbox.org.department('engineering').name}<`);
    const replay = await browser.get(url);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain(`data-testid="error-code">${AuthCodes.INVALID_STATE}<`);
    expect(replay.body).toContain('href="/login" data-testid="retry"');
    expect(sessionCookie(replay)).toBeUndefined();
  });

  test('a denied authorization shows the refusal with a retry link', async () => {
    const w = await httpWorld();
    const { state } = (await w.call(FS, 'getLoginConfig')).json().data;
    const reply = await w.inject({ method: 'GET', url: `/login/callback?error=access_denied&state=${state}` });
    expect(reply.statusCode).toBe(403);
    expect(reply.body).toContain('You declined the authorization.');
  });

  test('a forged code shows the mapped error, HTML-escaped', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    const { state } = (await browser.call(FS, 'getLoginConfig')).json().data;
    const reply = await browser.get(`/login/callback?code=forged&state=${state}`);
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toContain(`data-testid="error-code">${FSInnerCodes.INVALID_AUTH_CODE}<`);
  });

  test('pages that need a session send the browser to /login', async () => {
    const w = await httpWorld();
    expect((await w.inject({ method: 'GET', url: '/' })).headers.location).toBe('/login');
    expect((await w.inject({ method: 'GET', url: '/admin' })).headers.location).toBe('/login?next=%2Fadmin');
    const user = await w.signIn('lisi');
    expect((await w.inject({ method: 'GET', url: '/admin', headers: { cookie: user } })).statusCode).toBe(403);
  });
});

describe('after signing in', () => {
  test('the browser returns to the page it came from', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    await browser.get('/login?next=%2Fadmin%3Ftab%3Dorg');
    expect(browser.cookies.has('jit_next')).toBe(true);
    const { state } = (await browser.call(FS, 'getLoginConfig')).json().data;
    const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
    const callback = await browser.get(`/login/callback?code=${code}&state=${state}`);
    expect(callback.headers.location).toBe('/admin?tab=org');
    expect(browser.cookies.has('jit_next')).toBe(false); // used once
  });

  test.each(['//evil.example/x', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x', 'admin', '/.//evil.example', '/./\\evil.example', '/a/..//evil.example'])('never to another site: %s', async (target) => {
    const w = await httpWorld();
    const browser = w.browser();
    const login = await browser.get(`/login?next=${encodeURIComponent(target)}`);
    expect([login.headers['set-cookie']].flat().filter(Boolean).some((c) => String(c).startsWith('jit_next='))).toBe(target === '/%0d%0aSet-Cookie:x');
    // A cookie planted from another port of the same host (cookies do not keep ports apart) is checked again when read.
    browser.cookies.set('jit_next', encodeURIComponent(target));
    const { state } = (await browser.call(FS, 'getLoginConfig')).json().data;
    const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
    const callback = await browser.get(`/login/callback?code=${code}&state=${state}`);
    expect(callback.headers.location).toMatch(/^\/(?!\/)/);
    expect(String(callback.headers.location)).not.toContain('evil');
  });
});
