import { request as httpRequest } from 'node:http';
import vm from 'node:vm';
import { afterEach, describe, expect, test } from '@jest/globals';
import { hostsFor } from '../../../../../../elements/auths/loginTypes/FSInnerType/feishu/hosts.js';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode, getJson, manualClock, postJson } from './helpers.js';

const CALLBACK = 'http://127.0.0.1/callback';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

async function open(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, location: res.headers.get('location'), text: await res.text() };
}

function passportGoto(state = 'st-qr'): string {
  return sandbox.authorizeUrl({ flavour: 'passport', redirectUri: CALLBACK, state });
}

function qrFrameUrl(goto: string): string {
  return `${sandbox.baseUrl}/suite/passport/sso/qr?goto=${encodeURIComponent(goto)}&sdk_version=1.0.3`;
}

function unescapeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** Runs a served script in a fresh context whose global is its `window`. */
function runScript(code: string, globals: Record<string, unknown>): Loose {
  const context: Loose = { setTimeout, console, ...globals };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(code, context);
  return context;
}

/** Just enough DOM for the QR SDK: createElement + getElementById. */
function fakeDocument() {
  const containers = new Map<string, { children: Loose[] }>([['login-qr', { children: [] }]]);
  const document = {
    createElement: (tag: string) => {
      const attributes: Record<string, string> = {};
      return { tag, attributes, setAttribute: (name: string, value: string) => (attributes[name] = value) };
    },
    getElementById: (id: string) => {
      const box = containers.get(id);
      return box && { appendChild: (child: Loose) => box.children.push(child) };
    },
  };
  return { document, container: containers.get('login-qr')! };
}

async function loadQrSdk() {
  const res = await fetch(`${sandbox.baseUrl}/_sandbox/qrlogin.js`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
  const { document, container } = fakeDocument();
  const window = runScript(await res.text(), { document });
  return { window, container };
}

/**
 * Loads the QR frame page and runs its script against a fake DOM: clicking "Simulate scan as"
 * resolves with what the frame posted to its parent.
 */
async function scanInFrame(frameUrl: string, userId: string): Promise<{ data: Loose; target: string }> {
  const page = await open(frameUrl);
  expect(page.status).toBe(200);
  const script = /<script>([\s\S]*?)<\/script>/.exec(page.text)![1]!;
  const buttons = [...page.text.matchAll(/<button type="button" data-testid="simulate-scan" data-user-id="([^"]*)" data-user-name="([^"]*)">/g)].map((m) => {
    const listeners: Array<() => void> = [];
    const attributes: Record<string, string> = { 'data-user-id': unescapeHtml(m[1]!), 'data-user-name': unescapeHtml(m[2]!) };
    return { attributes, listeners, getAttribute: (name: string) => attributes[name], addEventListener: (_: string, fn: () => void) => listeners.push(fn) };
  });
  const status = { textContent: '', attributes: {} as Record<string, string>, setAttribute(name: string, value: string) { this.attributes[name] = value; } };
  return new Promise((resolve) => {
    runScript(script, {
      document: { querySelector: () => status, querySelectorAll: () => buttons },
      fetch: (url: string, init: RequestInit) => fetch(new URL(url, frameUrl), init),
      parent: { postMessage: (data: Loose, target: string) => resolve({ data, target }) },
    });
    const button = buttons.find((b) => b.attributes['data-user-id'] === userId);
    if (!button) throw new Error(`no simulate-scan button for ${userId}`);
    button.listeners.forEach((fn) => fn());
  });
}

async function userIdOf(code: string, extra: Record<string, unknown> = {}): Promise<string> {
  const token = await exchangeCode(sandbox, code, extra);
  expect(token.body.code).toBe(0);
  return (await getJson(sandbox, '/open-apis/authen/v1/user_info', token.body.access_token)).body.data.user_id;
}

/** A GET whose Host header names the sandbox as "localhost" (fetch will not let one set Host). */
function getWithHost(path: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${sandbox.baseUrl}${path}`, { headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('QR SDK stand-in /_sandbox/qrlogin.js (contract §5b)', () => {
  test('QRLogin injects the sandbox QR iframe and returns matchOrigin/matchData for the 1.0.3 message', async () => {
    sandbox = await startSandbox();
    const { window, container } = await loadQrSdk();
    const goto = passportGoto();
    const obj = window.QRLogin({ id: 'login-qr', goto, width: '300', height: '300', style: 'border:none' });
    expect(container.children).toHaveLength(1);
    const iframe = container.children[0];
    expect(iframe.tag).toBe('iframe');
    expect(iframe.attributes).toMatchObject({ src: qrFrameUrl(goto), width: '300', height: '300', style: 'border:none' });

    expect(obj.matchOrigin(sandbox.baseUrl)).toBe(true);
    expect(obj.matchOrigin('https://passport.feishu.cn')).toBe(false);
    expect(obj.matchOrigin('http://localhost:3000')).toBe(false);
    expect(obj.matchData({ source: 'qrcode', tmp_code: 'abc' })).toBe(true);
    expect(obj.matchData('abc')).toBe(false); // the 1.0.1/1.0.2 bare string
    expect(obj.matchData({ source: 'other', tmp_code: 'abc' })).toBe(false);
    expect(obj.matchData({ source: 'qrcode', tmp_code: 42 })).toBe(false);
    expect(obj.matchData(null)).toBe(false);

    window.QRLogin({ id: 'missing', goto }); // no element: nothing happens
    expect(() => window.QRLogin({ id: 'login-qr' })).toThrow('The param "goto" is not valid.');
  });

  test('the script names the sandbox by the origin the browser used', async () => {
    sandbox = await startSandbox();
    const port = new URL(sandbox.baseUrl).port;
    const code = await getWithHost('/_sandbox/qrlogin.js', `localhost:${port}`);
    expect(code).toContain(`var SANDBOX_ORIGIN = "http://localhost:${port}";`);
    const evil = await getWithHost('/_sandbox/qrlogin.js', '"evil</script>');
    expect(evil).toContain(`var SANDBOX_ORIGIN = "${sandbox.baseUrl}";`);
  });
});

describe('QR iframe page /suite/passport/sso/qr (contract §5b)', () => {
  test('renders an SVG QR of the scan URL and a simulate-scan button per active user', async () => {
    sandbox = await startSandbox();
    const goto = passportGoto();
    const page = await open(qrFrameUrl(goto));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('access-control-allow-origin')).toBeNull(); // a Feishu-host page, not a control route
    const qr = /<div class="qr" data-testid="sandbox-qr" data-scan-url="([^"]+)"[^>]*>(<svg[\s\S]*?<\/svg>)/.exec(page.text);
    expect(qr).not.toBeNull();
    expect(unescapeHtml(qr![1]!)).toBe(`${sandbox.baseUrl}/_sandbox/scan?goto=${encodeURIComponent(goto)}`);
    expect(qr![2]).toContain('viewBox=');
    expect(page.text).toMatch(/data-testid="simulate-scan" data-user-id="zhangsan" data-user-name="张三">Simulate scan as 张三</);
    expect(page.text).not.toContain('data-user-id="zhengshi"'); // resigned
    expect(page.text).not.toContain('data-user-id="wujiu"'); // frozen
  });

  const listedIds = (text: string) => [...text.matchAll(/<button[^>]*data-testid="simulate-scan" data-user-id="([^"]*)"/g)].map((m) => unescapeHtml(m[1]!));

  test('lists every active user when there are at most 200, and says how many', async () => {
    sandbox = await startSandbox({ org: { users: 40 } });
    const active = sandbox.org.activeUsers();
    const page = await open(qrFrameUrl(passportGoto()));
    expect(listedIds(page.text)).toEqual(active.map((u) => u.user_id));
    expect(page.text).not.toContain('data-testid="sandbox-more-users"');
    expect(page.text).toContain(`data-testid="sandbox-user-count" data-total="${active.length}" data-listed="${active.length}"`);
    expect(page.text).toContain(`>${active.length} people — scroll ↕</p>`);
    expect(page.text).toContain('data-complete="true"'); // the script filters in place
  });

  test('a large org: the first 200 are listed and the filter finds anyone beyond them', async () => {
    sandbox = await startSandbox({ org: { users: 1000 } });
    const active = sandbox.org.activeUsers();
    expect(active.length).toBeGreaterThan(200);
    const goto = passportGoto('st-big');
    const page = await open(qrFrameUrl(goto));
    expect(listedIds(page.text)).toEqual(active.slice(0, 200).map((u) => u.user_id));
    expect(page.text).toContain(`>First 200 of ${active.length} people — scroll ↕ or filter</p>`);
    expect(page.text).toContain(`…and ${active.length - 200} more active users: type a name or user_id in the filter to find them.`);
    expect(page.text).toContain('data-complete="false"'); // the script asks the server
    const peopleUrl = unescapeHtml(/data-people-url="([^"]+)"/.exec(page.text)![1]!);
    expect(peopleUrl).toBe(`/_sandbox/qr/people?goto=${encodeURIComponent(goto)}`);

    // The route the script asks: every word in the name or user_id, among all active users.
    const beyond = active.at(-1)!;
    const found = await getJson(sandbox, `${peopleUrl}&q=${encodeURIComponent(beyond.user_id.toUpperCase())}`);
    expect(found.status).toBe(200);
    expect(found.body.total).toBe(active.length);
    expect(found.body.people).toContainEqual({ userId: beyond.user_id, name: beyond.name });
    expect(found.body.matched).toBe(found.body.people.length);
    const everyone = await getJson(sandbox, `${peopleUrl}&q=`);
    expect(everyone.body).toMatchObject({ total: active.length, matched: active.length });
    expect(everyone.body.people).toHaveLength(200);
    const nobody = await getJson(sandbox, `${peopleUrl}&q=no-such-person`);
    expect(nobody.body).toEqual({ total: active.length, matched: 0, people: [] });
    const bad = await getJson(sandbox, `/_sandbox/qr/people?goto=${encodeURIComponent('https://evil.example/x')}&q=a`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(20001);

    // Without script the filter is a form: the frame re-rendered with &q= lists the match, and scanning it signs them in.
    const frameUrl = `${qrFrameUrl(goto)}&q=${encodeURIComponent(beyond.user_id)}`;
    const filtered = await open(frameUrl);
    expect(listedIds(filtered.text)).toContain(beyond.user_id);
    expect(filtered.text).toContain(`value="${beyond.user_id}" id="sandbox-user-filter"`);
    const message = await scanInFrame(frameUrl, beyond.user_id);
    const done = await open(`${goto}&tmp_code=${message.data.tmp_code}`);
    expect(await userIdOf(new URL(done.location!).searchParams.get('code')!, { redirect_uri: CALLBACK })).toBe(beyond.user_id);
  });

  test.each([
    ['missing', null, 20001],
    ['a foreign host', 'https://passport.feishu.cn/suite/passport/oauth/authorize?client_id=cli_x&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&response_type=code', 20001],
    ['the accounts flow', 'ACCOUNTS', 20001],
    ['an unknown app', 'UNKNOWN_APP', 20048],
    ['an unregistered redirect_uri', 'BAD_REDIRECT', 20029],
    ['a #fragment', 'FRAGMENT', 20001],
  ])('a goto with %s shows the error page', async (_, spec, code) => {
    sandbox = await startSandbox();
    const goto =
      spec === 'ACCOUNTS'
        ? sandbox.authorizeUrl({ redirectUri: CALLBACK })
        : spec === 'UNKNOWN_APP'
          ? sandbox.authorizeUrl({ flavour: 'passport', appId: 'cli_nobody', redirectUri: CALLBACK })
          : spec === 'BAD_REDIRECT'
            ? sandbox.authorizeUrl({ flavour: 'passport', redirectUri: 'https://evil.example/cb' })
            : spec === 'FRAGMENT'
              ? `${passportGoto()}#x`
              : spec;
    const page = await open(goto === null ? `${sandbox.baseUrl}/suite/passport/sso/qr` : qrFrameUrl(goto));
    expect(page.status).toBe(400);
    expect(page.text).toContain(`data-error-code="${code}"`);
    expect(page.text).not.toContain('data-testid="simulate-scan"');
  });

  test('a disabled app is refused', async () => {
    sandbox = await startSandbox();
    sandbox.apps[0]!.status = 'disabled';
    expect((await open(qrFrameUrl(passportGoto()))).text).toContain('data-error-code="20042"');
  });

  test('everything is HTML-escaped', async () => {
    sandbox = await startSandbox();
    sandbox.org.updateUser('zhangsan', { name: '<script>alert(1)</script>"' });
    const page = await open(qrFrameUrl(passportGoto('"><img src=x>')));
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('"><img');
    expect(page.text).toContain('Simulate scan as &lt;script&gt;alert(1)&lt;/script&gt;&quot;');
  });
});

describe('the whole QR login, as the embedding page does it (§5b)', () => {
  test('simulate scan → postMessage → goto&tmp_code → redirect_uri?code&state → token', async () => {
    sandbox = await startSandbox();
    const { window } = await loadQrSdk();
    const goto = passportGoto('st-42');
    const obj = window.QRLogin({ id: 'login-qr', goto, width: 300, height: 300 });
    const message = await scanInFrame(qrFrameUrl(goto), 'lisi');
    expect(message.target).toBe('*');
    // the embedding page's listener: the frame's origin is the sandbox's
    expect(obj.matchOrigin(new URL(qrFrameUrl(goto)).origin) && obj.matchData(message.data)).toBe(true);
    expect(message.data.source).toBe('qrcode');

    const done = await open(`${goto}&tmp_code=${message.data.tmp_code}`);
    expect(done.status).toBe(302);
    const callback = new URL(done.location!);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe('st-42');
    expect(await userIdOf(callback.searchParams.get('code')!, { redirect_uri: CALLBACK })).toBe('lisi');
  });

  test('a tmp_code works once', async () => {
    sandbox = await startSandbox();
    const goto = passportGoto();
    const tmp = (await postJson(sandbox, '/_sandbox/tmp_codes', { userId: 'wangwu' })).body.tmpCode;
    expect((await open(`${goto}&tmp_code=${tmp}`)).status).toBe(302);
    const again = await open(`${goto}&tmp_code=${tmp}`);
    expect(again.status).toBe(400);
    expect(again.text).toContain('data-error-code="20003"');
  });

  test('a tmp_code expires with the code lifetime', async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ now: clock.now, codeTtlSeconds: 300 });
    const goto = passportGoto();
    const late = sandbox.issueTmpCode({ userId: 'wangwu' });
    const inTime = sandbox.issueTmpCode({ userId: 'wangwu' });
    clock.advance(299_000);
    expect((await open(`${goto}&tmp_code=${inTime}`)).status).toBe(302);
    clock.advance(2_000);
    expect((await open(`${goto}&tmp_code=${late}`)).text).toContain('data-error-code="20003"');
  });
});

describe('scan page /_sandbox/scan (what the QR encodes)', () => {
  test('"scanning" as a user sends this browser to goto&tmp_code, which ends at the callback', async () => {
    sandbox = await startSandbox();
    const goto = passportGoto('phone');
    const qr = await open(qrFrameUrl(goto));
    const scanUrl = unescapeHtml(/data-scan-url="([^"]+)"/.exec(qr.text)![1]!);
    const page = await open(scanUrl);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<meta name="viewport"');
    expect(page.text).toMatch(/<button type="submit" name="user_id" value="zhaoliu" data-testid="simulate-scan" data-user-id="zhaoliu">Simulate scan as /);
    const hidden = unescapeHtml(/name="goto" value="([^"]+)"/.exec(page.text)![1]!);
    expect(hidden).toBe(goto);

    // the form submits goto and the clicked button's user_id
    const confirm = await open(`${sandbox.baseUrl}/_sandbox/scan/confirm?${new URLSearchParams({ goto, user_id: 'zhaoliu' })}`);
    expect(confirm.status).toBe(302);
    expect(confirm.location!.startsWith(`${goto}&tmp_code=`)).toBe(true);
    const done = await open(confirm.location!);
    const callback = new URL(done.location!);
    expect(callback.searchParams.get('state')).toBe('phone');
    expect(await userIdOf(callback.searchParams.get('code')!)).toBe('zhaoliu');
  });

  test('a bad goto or an inactive user shows the error page', async () => {
    sandbox = await startSandbox();
    expect((await open(`${sandbox.baseUrl}/_sandbox/scan?goto=${encodeURIComponent('https://evil.example/x?a=1')}`)).text).toContain('data-error-code="20001"');
    const goto = passportGoto();
    const resigned = await open(`${sandbox.baseUrl}/_sandbox/scan/confirm?${new URLSearchParams({ goto, user_id: 'zhengshi' })}`);
    expect(resigned.text).toContain('data-error-code="20021"');
    const ghost = await open(`${sandbox.baseUrl}/_sandbox/scan/confirm?${new URLSearchParams({ goto, user_id: 'ghost' })}`);
    expect(ghost.text).toContain('data-error-code="20008"');
  });
});

describe('H5 JSSDK stand-in at Feishu\'s script path (shared notes §5)', () => {
  const CLIENT_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Lark/7.35.0 LarkLocale/zh_CN ChannelName/Feishu';
  const PLAIN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
  const PAGE = 'http://localhost:3000/login';

  /** Runs the stand-in as a page at `href` with user agent `ua` would. */
  async function loadH5sdk({ ua = CLIENT_UA, href = PAGE }: { ua?: string | null; href?: string } = {}): Promise<Loose> {
    const res = await fetch(hostsFor(sandbox.baseUrl).h5Sdk);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    return runScript(await res.text(), { fetch, location: { href }, ...(ua === null ? {} : { navigator: { userAgent: ua } }) });
  }

  function call(window: Loose, api: 'requestAuthCode' | 'requestAccess', options: Record<string, unknown>): Promise<{ ok: boolean; result: Loose; completed: boolean }> {
    return new Promise((resolve) => {
      let result: { ok: boolean; result: Loose } | undefined;
      window.tt[api]({
        ...options,
        success: (r: Loose) => (result = { ok: true, result: r }),
        fail: (r: Loose) => (result = { ok: false, result: r }),
        complete: () => resolve({ ...result!, completed: true }),
      });
    });
  }

  async function startWithPage(options: Parameters<typeof startSandbox>[0] = {}) {
    sandbox = await startSandbox(options);
    sandbox.apps[0]!.redirectUris.push(PAGE);
  }

  test('is served at the path of the documented script, on the sandbox origin; the old /_sandbox/h5sdk.js is gone', async () => {
    await startWithPage();
    expect(new URL(hostsFor(sandbox.baseUrl).h5Sdk).pathname).toBe(new URL(hostsFor('feishu').h5Sdk).pathname);
    expect(hostsFor('feishu').h5Sdk).toBe('https://lf-scm-cn.feishucdn.com/lark/op/h5-js-sdk-1.5.44.js');
    expect((await fetch(`${sandbox.baseUrl}/_sandbox/h5sdk.js`)).status).toBe(404);
  });

  test.each([
    ['a plain browser', PLAIN_UA],
    ['a page that only mentions Feishu', `${PLAIN_UA} ChannelName/Feishu`],
    ['no navigator', null],
  ])('outside the Feishu client (%s) it defines nothing', async (_, ua) => {
    await startWithPage();
    const window = await loadH5sdk({ ua });
    expect(window.h5sdk).toBeUndefined();
    expect(window.tt).toBeUndefined();
  });

  test('requestAccess: {errMsg:"requestAccess:ok", code, state} for the client user; the code works once', async () => {
    await startWithPage();
    sandbox.setFeishuClient({ userId: 'lisi' });
    const window = await loadH5sdk();
    await new Promise<void>((resolve) => window.h5sdk.ready(resolve));
    const { ok, result, completed } = await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: [], state: 's-1' });
    expect({ ok, completed }).toEqual({ ok: true, completed: true });
    expect(result).toEqual({ errMsg: 'requestAccess:ok', code: expect.any(String), state: 's-1' });
    expect(await userIdOf(result.code)).toBe('lisi');
    expect((await exchangeCode(sandbox, result.code)).body.code).toBe(20065); // single use
  });

  test('requestAccess scopes carry over to the token; one the app has not enabled fails', async () => {
    await startWithPage();
    sandbox.apps[0]!.scopes.push('offline_access');
    const window = await loadH5sdk();
    const granted = await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: ['offline_access'] });
    expect((await exchangeCode(sandbox, granted.result.code)).body).toMatchObject({ code: 0, refresh_token: expect.any(String) });
    sandbox.apps[0]!.scopes = sandbox.apps[0]!.scopes.filter((s) => s !== 'offline_access');
    expect((await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: ['offline_access'] })).result.errno).toBe(20027);
    const noList = await call(window, 'requestAccess', { appID: sandbox.appId });
    expect(noList.ok).toBe(false);
    expect(noList.result.errno).toBe(-1);
  });

  test('codes live 3 min (requestAccess) and 5 min (requestAuthCode)', async () => {
    const clock = manualClock();
    await startWithPage({ now: clock.now, codeTtlSeconds: 300 });
    const window = await loadH5sdk();
    const access = async () => (await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: [] })).result.code as string;
    const legacy = async () => (await call(window, 'requestAuthCode', { appId: sandbox.appId })).result.code as string;
    const [accessInTime, accessLate, legacyInTime, legacyLate] = [await access(), await access(), await legacy(), await legacy()];
    clock.advance(179_000);
    expect((await exchangeCode(sandbox, accessInTime)).body.code).toBe(0);
    clock.advance(2_000);
    expect((await exchangeCode(sandbox, accessLate)).body.code).toBe(20004);
    clock.advance(118_000); // 299 s
    expect((await exchangeCode(sandbox, legacyInTime)).body.code).toBe(0);
    clock.advance(2_000);
    expect((await exchangeCode(sandbox, legacyLate)).body.code).toBe(20004);
  });

  test('requestAuthCode (legacy): {code} for the client user', async () => {
    await startWithPage();
    sandbox.setFeishuClient({ userId: sandbox.org.user('wangwu').open_id });
    const window = await loadH5sdk();
    const { ok, result } = await call(window, 'requestAuthCode', { appId: sandbox.appId });
    expect(ok).toBe(true);
    expect(Object.keys(result)).toEqual(['code']);
    expect(await userIdOf(result.code)).toBe('wangwu');
  });

  test('an old client: errno 103 from requestAccess, or no requestAccess at all; requestAuthCode still works', async () => {
    await startWithPage();
    sandbox.setFeishuClient({ requestAccess: 'unsupported' });
    const old = await loadH5sdk();
    const refused = await call(old, 'requestAccess', { appID: sandbox.appId, scopeList: [] });
    expect(refused).toMatchObject({ ok: false, result: { errMsg: 'requestAccess:fail', errno: 103 } });
    expect((await call(old, 'requestAuthCode', { appId: sandbox.appId })).ok).toBe(true);

    sandbox.setFeishuClient({ requestAccess: 'missing' });
    const older = await loadH5sdk();
    expect(older.tt.requestAccess).toBeUndefined();
    expect((await call(older, 'requestAuthCode', { appId: sandbox.appId })).ok).toBe(true);
  });

  test('the user declines: errno 2700002', async () => {
    await startWithPage();
    sandbox.setFeishuClient({ requestAccess: 'decline' });
    const window = await loadH5sdk();
    const declined = await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: [] });
    expect(declined).toMatchObject({ ok: false, result: { errMsg: 'requestAccess:fail', errno: 2700002, errString: expect.any(String) } });
  });

  test('the calling page must be a registered redirect URL (without ?query and #hash): 10236 / 10235', async () => {
    await startWithPage();
    const withQuery = await loadH5sdk({ href: `${PAGE}?next=%2Fadmin#top` });
    expect((await call(withQuery, 'requestAccess', { appID: sandbox.appId, scopeList: [] })).ok).toBe(true);
    for (const href of ['http://localhost:3000/', 'http://localhost:3000/login/', 'http://127.0.0.1:3000/login']) {
      const other = await loadH5sdk({ href });
      expect((await call(other, 'requestAccess', { appID: sandbox.appId, scopeList: [] })).result).toMatchObject({ errno: 10236, errCode: 10236 });
      expect((await call(other, 'requestAuthCode', { appId: sandbox.appId })).result).toMatchObject({ errMsg: 'requestAuthCode:fail', errCode: 10236 });
    }
    sandbox.apps[0]!.redirectUris = [];
    const none = await loadH5sdk();
    expect((await call(none, 'requestAccess', { appID: sandbox.appId, scopeList: [] })).result.errno).toBe(10235);
    expect((await call(none, 'requestAuthCode', { appId: sandbox.appId })).result.errCode).toBe(10235);
  });

  test('an unknown or missing appId fails with 10200; requestAccess wants appID', async () => {
    await startWithPage();
    const window = await loadH5sdk();
    expect((await call(window, 'requestAuthCode', { appId: 'cli_nobody' })).result.errCode).toBe(10200);
    expect((await call(window, 'requestAuthCode', {})).result.errCode).toBe(10200);
    expect((await call(window, 'requestAccess', { appID: 'cli_nobody', scopeList: [] })).result.errno).toBe(10200);
    expect((await call(window, 'requestAccess', { appId: sandbox.appId, scopeList: [] })).result.errno).toBe(10200); // lower-case "Id"
  });

  test('an unknown or inactive client user reports through h5sdk.error, and no code is issued', async () => {
    await startWithPage();
    for (const user of ['ghost', 'zhengshi']) {
      sandbox.setFeishuClient({ userId: user });
      const window = await loadH5sdk();
      let ready = false;
      window.h5sdk.ready(() => (ready = true));
      const error = await new Promise<Loose>((resolve) => window.h5sdk.error(resolve));
      expect(error.errMsg).toContain(user);
      expect(ready).toBe(false);
      expect((await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: [] })).result.errno).toBe(2700001);
      expect((await call(window, 'requestAuthCode', { appId: sandbox.appId })).result.errCode).toBe(10210);
    }
  });

  test('by default the first active user is signed in to the client; /_sandbox/client sets, reads and resets it', async () => {
    await startWithPage();
    const first = sandbox.org.activeUsers()[0]!.user_id;
    expect(await userIdOf((await call(await loadH5sdk(), 'requestAuthCode', { appId: sandbox.appId })).result.code)).toBe(first);

    expect((await postJson(sandbox, '/_sandbox/client', { userId: 'zhaoliu', requestAccess: 'decline' })).body).toEqual({ userId: 'zhaoliu', requestAccess: 'decline' });
    expect((await getJson(sandbox, '/_sandbox/client')).body).toEqual({ userId: 'zhaoliu', requestAccess: 'decline' });
    const window = await loadH5sdk();
    expect((await call(window, 'requestAccess', { appID: sandbox.appId, scopeList: [] })).result.errno).toBe(2700002);
    expect(await userIdOf((await call(window, 'requestAuthCode', { appId: sandbox.appId })).result.code)).toBe('zhaoliu');

    expect((await postJson(sandbox, '/_sandbox/client', { requestAccess: 'sometimes' })).status).toBe(400);
    expect((await postJson(sandbox, '/_sandbox/client', { user: 'lisi' })).status).toBe(400);
    const reset = await fetch(`${sandbox.baseUrl}/_sandbox/client`, { method: 'DELETE' });
    expect(await reset.json()).toEqual({ userId: null, requestAccess: 'grant' });
    expect(sandbox.resetFeishuClient()).toEqual({ userId: null, requestAccess: 'grant' });
  });

  test('the script names the sandbox by the origin the browser used and takes no query switch', async () => {
    await startWithPage();
    const port = new URL(sandbox.baseUrl).port;
    const path = new URL(hostsFor(sandbox.baseUrl).h5Sdk).pathname;
    const code = await getWithHost(path, `localhost:${port}`);
    expect(code).toContain(`var SANDBOX_ORIGIN = "http://localhost:${port}";`);
    expect(await getWithHost(`${path}?user=lisi&access=refuse`, `localhost:${port}`)).toBe(code);
  });
});

describe('CORS: /_sandbox/* only', () => {
  test('control routes allow any origin; the Open API does not', async () => {
    sandbox = await startSandbox();
    const minted = await fetch(`${sandbox.baseUrl}/_sandbox/codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({ userId: 'lisi', appId: sandbox.appId }),
    });
    expect(minted.headers.get('access-control-allow-origin')).toBe('*');
    const { code } = (await minted.json()) as { code: string };
    const token = await fetch(`${sandbox.baseUrl}/open-apis/authen/v2/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({ grant_type: 'authorization_code', client_id: sandbox.appId, client_secret: sandbox.appSecret, code }),
    });
    expect(((await token.json()) as { code: number }).code).toBe(0);
    expect(token.headers.get('access-control-allow-origin')).toBeNull();
    for (const path of ['/_sandbox/qrlogin.js', '/_sandbox/client', '/_sandbox/users', '/_sandbox/nothing']) {
      expect((await fetch(sandbox.baseUrl + path)).headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  test('an OPTIONS preflight is answered on /_sandbox/* and not on the Open API', async () => {
    sandbox = await startSandbox();
    const preflight = (path: string) =>
      fetch(sandbox.baseUrl + path, {
        method: 'OPTIONS',
        headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight('/_sandbox/codes');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    expect(ok.headers.get('access-control-allow-headers')).toBe('content-type');
    const feishu = await preflight('/open-apis/authen/v2/oauth/token');
    expect(feishu.status).toBe(404);
    expect(feishu.headers.get('access-control-allow-origin')).toBeNull();
    expect(sandbox.stats().total).toBe(0);
  });
});
