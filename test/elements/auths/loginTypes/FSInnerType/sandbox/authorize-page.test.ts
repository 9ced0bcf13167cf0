import { afterEach, describe, expect, test } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode, getJson } from './helpers.js';

const CALLBACK = 'http://127.0.0.1/callback';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

async function open(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** The href of the "Sign in as <name>" link, as a browser would resolve it. */
function signInLink(page: string, userId: string): string {
  const match = new RegExp(`data-user-id="${userId}" href="([^"]+)"`).exec(page);
  if (!match) throw new Error(`no sign-in link for ${userId}`);
  return sandbox.baseUrl + match[1]!.replace(/&amp;/g, '&');
}

describe('authorize pages (contract §5a)', () => {
  test('accounts flow: the page lists active users; choosing one redirects with code and state', async () => {
    sandbox = await startSandbox();
    sandbox.apps[0]!.scopes.push('offline_access'); // not in the default grant: enabled in the console for refresh tokens
    const page = await open(sandbox.authorizeUrl({ redirectUri: CALLBACK, state: 'st-1', scope: 'offline_access' }));
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>Feishu sandbox — authorize</title>');
    expect(page.text).toContain('Sign in as 张三');
    expect(page.text).not.toContain('Sign in as 郑十'); // resigned
    const done = await open(signInLink(page.text, 'zhangsan'));
    expect(done.status).toBe(302);
    const callback = new URL(done.location!);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe('st-1');
    const token = await exchangeCode(sandbox, callback.searchParams.get('code')!, { redirect_uri: CALLBACK });
    expect(token.body).toMatchObject({ code: 0, refresh_token: expect.any(String) });
    const info = await getJson(sandbox, '/open-apis/authen/v1/user_info', token.body.access_token);
    expect(info.body.data.user_id).toBe('zhangsan');
  });

  test('passport flow (the QR SDK goto) works the same; a fragment is kept after the query', async () => {
    sandbox = await startSandbox();
    sandbox.apps[0]!.redirectUris.push('http://127.0.0.1/app#/login');
    const page = await open(sandbox.authorizeUrl({ flavour: 'passport', redirectUri: 'http://127.0.0.1/app#/login', state: 's' }));
    const done = await open(signInLink(page.text, 'lisi'));
    expect(done.location).toMatch(/^http:\/\/127\.0\.0\.1\/app\?code=[A-Za-z0-9._-]+&state=s#\/login$/);
  });

  test('passport flow with the QR SDK tmp_code redirects straight to the callback', async () => {
    sandbox = await startSandbox();
    const tmpCode = sandbox.issueTmpCode({ userId: 'wangwu' });
    const done = await open(`${sandbox.authorizeUrl({ flavour: 'passport', redirectUri: CALLBACK, state: 'q' })}&tmp_code=${tmpCode}`);
    expect(done.status).toBe(302);
    const code = new URL(done.location!).searchParams.get('code')!;
    const token = await exchangeCode(sandbox, code);
    expect((await getJson(sandbox, '/open-apis/authen/v1/user_info', token.body.access_token)).body.data.user_id).toBe('wangwu');
  });

  test('Deny redirects with error=access_denied and the state', async () => {
    sandbox = await startSandbox();
    const page = await open(sandbox.authorizeUrl({ redirectUri: CALLBACK, state: 'st-2' }));
    const href = /class="deny" href="([^"]+)"/.exec(page.text)![1]!.replace(/&amp;/g, '&');
    const denied = await open(sandbox.baseUrl + href);
    expect(denied.location).toBe(`${CALLBACK}?error=access_denied&state=st-2`);
  });

  test('an unregistered redirect_uri shows the 20029 error page; an unknown scope 20027', async () => {
    sandbox = await startSandbox();
    const bad = await open(sandbox.authorizeUrl({ redirectUri: 'https://evil.example/cb' }));
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('data-error-code="20029"');
    const scope = await open(sandbox.authorizeUrl({ redirectUri: CALLBACK, scope: 'admin:everything' }));
    expect(scope.text).toContain('data-error-code="20027"');
  });

  test('PKCE parameters carry over to the code', async () => {
    sandbox = await startSandbox();
    const page = await open(sandbox.authorizeUrl({ redirectUri: CALLBACK, codeChallenge: 'c'.repeat(43), codeChallengeMethod: 'plain' }));
    const done = await open(signInLink(page.text, 'zhangsan'));
    const code = new URL(done.location!).searchParams.get('code')!;
    expect((await exchangeCode(sandbox, code)).body.code).toBe(20049);
    expect((await exchangeCode(sandbox, code, { code_verifier: 'c'.repeat(43) })).body.code).toBe(0);
  });

  test('everything on the page is HTML-escaped', async () => {
    sandbox = await startSandbox();
    sandbox.org.updateUser('zhangsan', { name: '<script>alert(1)</script>' });
    const page = await open(sandbox.authorizeUrl({ redirectUri: CALLBACK, state: '"><img src=x>' }));
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('&lt;script&gt;');
    expect(page.text).not.toContain('"><img');
  });
});
