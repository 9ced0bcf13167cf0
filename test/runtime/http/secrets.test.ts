import { expect, test } from '@jest/globals';
import { FSInnerAuthModel } from '../../../elements/auths/loginTypes/FSInnerType/index.js';
import { REDIRECT_URI } from '../../elements/auths/loginTypes/FSInnerType/harness.js';
import { sessionCookie, useHttpWorld } from './http-world.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';

test('no secret, token, state or session value appears in any response body or log line of a full session', async () => {
  const w = await httpWorld();
  const secrets = new Set<string>([w.sandbox.appSecret]);
  // States are handed out once, by getLoginConfig's reply, which is their purpose; nowhere else.
  const states = new Set<string>();
  // A whole life: login page, config, callback login, API login, admin calls, failures, logout.
  const browser = w.browser();
  await browser.get('/login');
  const issuing = await browser.call(FS, 'getLoginConfig');
  const config = issuing.json().data;
  states.add(config.state);
  states.add(new URL(config.authorizeUrl).searchParams.get('state')!);
  const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
  const callback = await browser.get(`/login/callback?code=${code}&state=${config.state}`);
  const admin = sessionCookie(callback)!;
  secrets.add(admin.split('=')[1]!);
  secrets.add(browser.cookies.get('jit_login')!); // the browser binding
  await browser.get(`/login/callback?code=${code}&state=${config.state}`); // replay
  const user = await w.signIn('lisi');
  secrets.add(user.split('=')[1]!);
  await w.call(FS, 'getUserInfo', { userId: 'lisi' }, admin);
  await w.call(FS, 'checkConfig', {}, admin);
  await w.call(FS, 'getUserInfo', { userId: 'lisi' }, user);
  await w.call(FS, 'loginWithCode', { authCode: 'forged' });
  await w.inject({ method: 'GET', url: '/api/admin/logins', headers: { cookie: admin } });
  await w.inject({ method: 'GET', url: '/api/admin/tree', headers: { cookie: admin } });
  await w.inject({ method: 'GET', url: '/', headers: { cookie: admin } });
  await w.inject({ method: 'POST', url: '/api/logout', headers: { cookie: user } });
  secrets.add(await w.fs().getAccessToken());
  for (const row of await w.app.dataSource.getRepository(FSInnerAuthModel).find()) {
    const tokens = await w.fs().getUserTokens({ userId: row.userId });
    if (tokens) secrets.add(tokens.accessToken);
    if (tokens?.refreshToken) secrets.add(tokens.refreshToken);
  }
  expect(w.logs.length).toBeGreaterThan(20);
  expect(secrets.size).toBeGreaterThanOrEqual(5);
  const everything = [...w.bodies, ...w.logs];
  const check = (value: string, texts: string[]) => {
    const leaks = texts.filter((text) => text.includes(value));
    expect({ value: value.slice(0, 6) + '…', leaks }).toEqual({ value: value.slice(0, 6) + '…', leaks: [] });
  };
  for (const secret of secrets) check(secret, everything);
  for (const state of states) check(state, everything.filter((text) => text !== issuing.body));
  // The callback's query string (code and state) is not logged either.
  expect(w.logs.some((line) => line.includes(code))).toBe(false);
});
