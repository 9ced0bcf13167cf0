import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { AuthCodes } from '../../runtime/auth/auth-errors.js';
import { browserAvailable } from './browser.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

const maybe = browserAvailable ? describe : describe.skip;
// A browser step under a loaded CI machine (every suite in parallel on two cores) can take seconds.
jest.setTimeout(60_000);

/**
 * The demo's login page in a real Chromium: the app server on localhost, the
 * Feishu sandbox on 127.0.0.1 (another origin, as Feishu is), every step
 * through the browser.
 */
maybe('login in a real browser', () => {
  let served: ServedApp;
  let sandbox: Sandbox;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    served = await serveDemoApp();
    ({ sandbox, browser, base } = served);
  }, 60_000);

  afterAll(async () => served?.close());

  async function scanAs(page: Page, userId: string): Promise<void> {
    await page.goto(`${base}/login`);
    const qr = page.frameLocator('[data-testid="feishu-qr"] iframe');
    await qr.locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' }); // a real QR code is drawn
    await qr.locator(`[data-testid="simulate-scan"][data-user-id="${userId}"]`).click();
    await page.waitForURL(`${base}/`);
  }

  test('QR flow: scan, land signed in, reload keeps the session, logout ends it', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.frameLocator('[data-testid="feishu-qr"] iframe').locator('[data-testid="sandbox-qr"]').waitFor();
    await page.screenshot({ path: join(artifacts, 'login.png') });
    await scanAs(page, 'zhangsan');
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('zhangsan').name);
    await expect(page.getByTestId('user-department').textContent()).resolves.toBe(sandbox.org.department('engineering').name);
    await expect(page.getByTestId('user-position').textContent()).resolves.toBe(sandbox.org.user('zhangsan').job_title);
    await page.screenshot({ path: join(artifacts, 'signed-in.png') });
    await page.reload();
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('zhangsan').name);
    await page.getByTestId('logout').click();
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/login`);
    await page.close();
  });

  test('a replayed callback URL is refused', async () => {
    const page = await browser.newPage();
    let callback = '';
    page.on('request', (request) => {
      if (request.url().startsWith(`${base}/login/callback`)) callback = request.url();
    });
    await scanAs(page, 'lisi');
    expect(callback).toContain('code=');
    const replay = await browser.newPage();
    await replay.goto(callback);
    await expect(replay.getByTestId('error-code').textContent()).resolves.toBe(String(AuthCodes.INVALID_STATE));
    await expect(replay.getByTestId('retry').getAttribute('href')).resolves.toBe('/login');
    await page.close();
    await replay.close();
  });

  test("login CSRF: an attacker's callback link opened in the victim's browser does not replace the victim's session", async () => {
    // The attacker takes a state in their own browser and a code for their own Feishu account, and builds the callback link.
    const attacker = await browser.newContext();
    const attackerPage = await attacker.newPage();
    await attackerPage.goto(`${base}/login`);
    const state = await attackerPage.evaluate(async () => {
      const reply = await fetch('/api/auths/loginTypes/FSInnerExample/getLoginConfig', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return ((await reply.json()) as { data: { state: string } }).data.state;
    });
    const { code } = sandbox.issueCode({ userId: 'wangwu', redirectUri: `${base}/login/callback` });
    const link = `${base}/login/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
    await attacker.close();
    // The victim is signed in as themselves and opens the link.
    const victim = await browser.newContext();
    const page = await victim.newPage();
    await scanAs(page, 'lisi');
    await page.goto(link);
    await expect(page.getByTestId('error-code').textContent()).resolves.toBe(String(AuthCodes.INVALID_STATE));
    await expect(page.getByTestId('error-message').textContent()).resolves.toContain('another browser');
    await page.goto(`${base}/`);
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('lisi').name);
    await victim.close();
  });

  test('a QR-code SDK without matchOrigin/matchData: a clear error, and no message is trusted', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await context.route('**/_sandbox/qrlogin.js', (route) => route.fulfill({ contentType: 'text/javascript', body: 'window.QRLogin = function () { return {}; };' }));
    await page.goto(`${base}/login`);
    await expect(page.getByTestId('panel-error').textContent()).resolves.toContain('no matchOrigin/matchData');
    await page.evaluate("window.postMessage({ source: 'qrcode', tmp_code: 'forged' }, '*')"); // what the QR frame would post
    await page.waitForTimeout(200);
    expect(page.url()).toBe(`${base}/login`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });

  describe('inside the Feishu client (H5 JSSDK; the sandbox serves it at the same path as Feishu)', () => {
    // Chromium's own user agent plus the tokens Feishu's client adds (the format is not documented: UNVERIFIED).
    const CLIENT_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Lark/7.35.0 LarkLocale/zh_CN ChannelName/Feishu';
    const SDK_PATH = '/lark/op/h5-js-sdk-1.5.44.js';

    afterEach(() => {
      sandbox.resetFeishuClient();
    });

    /** A fresh browser context and page, with what the page logged as errors and which JSAPIs it called. */
    async function open(userAgent: string | undefined) {
      const context = await browser.newContext(userAgent ? { userAgent } : {});
      const page = await context.newPage();
      const errors: string[] = [];
      const failedLoads: string[] = [];
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        // Chromium itself logs a script it could not fetch; that is the network, not the page's code.
        (message.text().startsWith('Failed to load resource') ? failedLoads : errors).push(message.text());
      });
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      const calls: string[] = [];
      const scripts: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url() === `${sandbox.baseUrl}/_sandbox/client/calls`) calls.push(JSON.parse(request.postData() ?? '{}').api);
        if (request.resourceType() === 'script') scripts.push(request.url());
      });
      return { context, page, errors, failedLoads, calls, scripts };
    }

    async function qrShown(page: Page): Promise<void> {
      await page.frameLocator('[data-testid="feishu-qr"] iframe').locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
    }

    test('requestAccess signs the client user in without a QR code', async () => {
      sandbox.setFeishuClient({ userId: 'lisi' });
      const { context, page, errors, calls, scripts } = await open(CLIENT_UA);
      await page.goto(`${base}/login`);
      await page.waitForURL(`${base}/`);
      await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('lisi').name);
      expect(calls).toEqual(['requestAccess']);
      expect(scripts).toContain(`${sandbox.baseUrl}${SDK_PATH}`); // Feishu's script path, on the sandbox's origin
      expect(scripts.some((url) => url.includes('/_sandbox/qrlogin.js'))).toBe(false); // no QR code at all
      expect(errors).toEqual([]);
      await context.close();
    });

    test.each([
      ['requestAccess answers errno 103', 'unsupported', ['requestAccess', 'requestAuthCode']],
      ['there is no requestAccess', 'missing', ['requestAuthCode']],
    ] as const)('an old client (%s) falls back to requestAuthCode and signs in', async (_, mode, expected) => {
      sandbox.setFeishuClient({ userId: 'wangwu', requestAccess: mode });
      const { context, page, errors, calls } = await open(CLIENT_UA);
      await page.goto(`${base}/login`);
      await page.waitForURL(`${base}/`);
      await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('wangwu').name);
      expect(calls).toEqual([...expected]);
      expect(errors).toEqual([]);
      await context.close();
    });

    test('the user declines (2700002): a message and the QR code, which still signs in', async () => {
      sandbox.setFeishuClient({ userId: 'lisi', requestAccess: 'decline' });
      const { context, page, errors, calls } = await open(CLIENT_UA);
      await page.goto(`${base}/login`);
      const notice = page.getByTestId('feishu-client-notice');
      await expect(notice.getAttribute('data-error-code')).resolves.toBe('2700002');
      await expect(notice.textContent()).resolves.toContain('You declined');
      await qrShown(page);
      expect(calls).toEqual(['requestAccess']);
      await page.frameLocator('[data-testid="feishu-qr"] iframe').locator('[data-testid="simulate-scan"][data-user-id="zhangsan"]').click();
      await page.waitForURL(`${base}/`);
      await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('zhangsan').name);
      expect(errors).toEqual([]);
      await context.close();
    });

    test('a page URL that is not a registered redirect URL (10236): a message naming it, and the QR code', async () => {
      const app = sandbox.apps[0]!;
      const registered = [...app.redirectUris];
      app.redirectUris = registered.filter((url) => url !== `${base}/login`);
      try {
        const { context, page, errors } = await open(CLIENT_UA);
        await page.goto(`${base}/login?next=%2Fadmin`);
        const notice = page.getByTestId('feishu-client-notice');
        await expect(notice.getAttribute('data-error-code')).resolves.toBe('10236');
        const text = await notice.textContent();
        expect(text).toContain(`${base}/login is not a redirect URL`);
        expect(text).toContain('Redirect URLs');
        await qrShown(page);
        expect(errors).toEqual([]);
        await context.close();
      } finally {
        app.redirectUris = registered;
      }
    });

    test('a client user who cannot sign in (h5sdk.error): a message and the QR code', async () => {
      sandbox.setFeishuClient({ userId: 'zhengshi' }); // resigned
      const { context, page, errors, calls } = await open(CLIENT_UA);
      await page.goto(`${base}/login`);
      await expect(page.getByTestId('feishu-client-notice').textContent()).resolves.toContain('The Feishu client reported an error');
      await qrShown(page);
      expect(calls).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    test('a plain browser gets the QR code, never loads the H5 JSSDK, and logs no error', async () => {
      const { context, page, errors, failedLoads, scripts } = await open(undefined);
      await page.goto(`${base}/login`);
      await qrShown(page);
      expect(scripts.some((url) => url.includes(SDK_PATH))).toBe(false);
      await expect(page.getByTestId('feishu-client-notice').count()).resolves.toBe(0);
      expect(errors).toEqual([]);
      expect(failedLoads).toEqual([]);
      await context.close();
    });

    test('a browser that only looks like the client loads the SDK harmlessly and gets the QR code', async () => {
      const { context, page, errors, failedLoads, scripts, calls } = await open('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Feishu-Bot-Preview');
      await page.goto(`${base}/login`);
      await qrShown(page);
      expect(scripts).toContain(`${sandbox.baseUrl}${SDK_PATH}`);
      expect(calls).toEqual([]);
      await expect(page.getByTestId('feishu-client-notice').count()).resolves.toBe(0);
      expect(errors).toEqual([]);
      expect(failedLoads).toEqual([]);
      await context.close();
    });

    test('when the H5 JSSDK cannot load, the client user gets the QR code and the page throws nothing', async () => {
      const { context, page, errors } = await open(CLIENT_UA);
      await context.route(`**${SDK_PATH}`, (route) => route.abort('connectionrefused'));
      await page.goto(`${base}/login`);
      await qrShown(page);
      await expect(page.getByTestId('feishu-client-notice').count()).resolves.toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    });

    test('an SDK whose h5sdk.ready never fires: the QR code after a few seconds', async () => {
      const { context, page, errors } = await open(CLIENT_UA);
      await context.route(`**${SDK_PATH}`, (route) =>
        route.fulfill({ contentType: 'text/javascript', body: 'window.h5sdk = { ready: function () {}, error: function () {} }; window.tt = {};' }),
      );
      await page.goto(`${base}/login`);
      await page.getByTestId('workspace-login').waitFor();
      await qrShown(page);
      await expect(page.getByTestId('feishu-client-notice').count()).resolves.toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    }, 20_000);
  });

  test('the admin page shows the element tree and runs a department sync to completion', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await scanAs(page, 'zhangsan');
    await page.getByTestId('admin-link').click();
    await page.waitForURL(`${base}/admin`);
    await expect(page.locator('[data-testid="tree-item"][data-full-name="auths.loginTypes.FSInnerExample"]').count()).resolves.toBe(1);
    // What FSInnerType declares (static admin): a "Sync departments" action and an "Organization" view.
    await expect(page.locator('[data-testid="admin-status"][data-method="tokenStatus"]').textContent()).resolves.toMatch(/^Tenant token: /);
    await page.locator('[data-testid="action-button"][data-action="syncDepartmentInfo"]').click();
    await page.locator('[data-testid="action-progress"][data-action="syncDepartmentInfo"][data-status="done"]').waitFor({ timeout: 20_000 });
    await expect(page.locator('[data-testid="action-progress"][data-action="syncDepartmentInfo"]').textContent()).resolves.toMatch(/^sync done: \d+ departments, \d+ users$/);
    await page.locator('[data-testid="admin-view"] h2', { hasText: 'Organization' }).waitFor();
    // Counted in the Organization view only: the page draws every view the Type declares.
    const organization = page.locator('[data-testid="admin-view"][data-view$="#getOrgTree"] [data-testid="view-node"]');
    await organization.first().waitFor();
    const departments = await organization.count();
    expect(departments).toBe(sandbox.org.descendantDepartments('0').length);
    await page.screenshot({ path: join(artifacts, 'admin.png'), fullPage: true });
    await context.close();
  });
});
