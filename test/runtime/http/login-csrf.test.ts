import { describe, expect, test } from '@jest/globals';
import { AuthCodes } from '../../../runtime/auth/auth-errors.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { useHttpWorld } from './http-world.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';

describe('login states are bound to the browser that asked for them (login CSRF)', () => {
  test('getLoginConfig gives the browser an HttpOnly, SameSite=Lax binding cookie, reused for its next states', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    const first = await browser.call(FS, 'getLoginConfig');
    const setCookie = String([first.headers['set-cookie']].flat().find((c) => String(c).startsWith('jit_login=')));
    expect(setCookie).toMatch(/^jit_login=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const binding = browser.cookies.get('jit_login');
    await browser.call(FS, 'getLoginConfig'); // a second tab, or the QR code's refresh
    expect(browser.cookies.get('jit_login')).toBe(binding);
  });

  test('the login page sets the binding before its panels ask, so states asked for at once are all usable', async () => {
    const w = await httpWorld();
    const browser = w.browser();
    await browser.get('/login');
    expect(browser.cookies.get('jit_login')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [a, b] = await Promise.all([browser.call(FS, 'getLoginConfig'), browser.call(FS, 'getLoginConfig')]);
    for (const reply of [a, b]) {
      const { code } = w.sandbox.issueCode({ userId: 'wangwu', redirectUri: REDIRECT_URI });
      expect((await browser.call(FS, 'loginWithCode', { authCode: code, state: reply.json().data.state })).statusCode).toBe(200);
    }
  });

  test("the attack: an attacker's callback link opened by a victim does not sign the victim's browser in", async () => {
    const w = await httpWorld();
    const victim = w.browser();
    const attacker = w.browser();
    // The victim is signed in as themselves.
    const victimState = (await victim.call(FS, 'getLoginConfig')).json().data.state;
    await victim.get(`/login/callback?code=${w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI }).code}&state=${victimState}`);
    const victimSession = victim.cookies.get('jit_session');
    expect((await victim.get('/api/session')).json().data.user.name).toBe(w.sandbox.org.user('lisi').name);
    // The attacker takes a state in their own browser and a code for their own Feishu account…
    const { state } = (await attacker.call(FS, 'getLoginConfig')).json().data;
    const { code } = w.sandbox.issueCode({ userId: 'wangwu', redirectUri: REDIRECT_URI });
    // …and sends the callback link to the victim.
    const reply = await victim.get(`/login/callback?code=${code}&state=${state}`);
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toContain(`data-testid="error-code">${AuthCodes.INVALID_STATE}<`);
    expect(reply.body).toContain('issued to another browser');
    expect(victim.cookies.get('jit_session')).toBe(victimSession);
    expect((await victim.get('/api/session')).json().data.user.name).toBe(w.sandbox.org.user('lisi').name);
  });

  test('loginWithCode with a state refuses a browser with another binding cookie, or none', async () => {
    const w = await httpWorld();
    const asked = w.browser();
    const { state } = (await asked.call(FS, 'getLoginConfig')).json().data;
    const other = w.browser();
    await other.call(FS, 'getLoginConfig'); // has a binding of its own
    for (const browser of [other, w.browser()]) {
      const { code } = w.sandbox.issueCode({ userId: 'wangwu', redirectUri: REDIRECT_URI });
      const reply = await browser.call(FS, 'loginWithCode', { authCode: code, state });
      expect([reply.statusCode, reply.json().code]).toEqual([400, AuthCodes.INVALID_STATE]);
      expect(browser.cookies.has('jit_session')).toBe(false);
    }
    // Refusals did not spend the state: the browser it was issued to still signs in with it.
    const { code } = w.sandbox.issueCode({ userId: 'wangwu', redirectUri: REDIRECT_URI });
    expect((await asked.call(FS, 'loginWithCode', { authCode: code, state })).statusCode).toBe(200);
  });

  test('a state issued in-process (no browser) cannot be spent by a browser', async () => {
    const w = await httpWorld();
    const { state } = await w.fs().getLoginConfig();
    const browser = w.browser();
    await browser.call(FS, 'getLoginConfig');
    const { code } = w.sandbox.issueCode({ userId: 'wangwu', redirectUri: REDIRECT_URI });
    const reply = await browser.get(`/login/callback?code=${code}&state=${state}`);
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toContain(`data-testid="error-code">${AuthCodes.INVALID_STATE}<`);
  });

  test('the in-Feishu flow (a code without a state) needs no binding cookie', async () => {
    const w = await httpWorld();
    const { code } = w.sandbox.issueCode({ userId: 'wangwu' });
    const reply = await w.browser().call(FS, 'loginWithCode', { authCode: code });
    expect(reply.statusCode).toBe(200);
  });
});
