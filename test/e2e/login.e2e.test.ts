import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { AuthCodes } from '../../runtime/auth/codes.js';
import { browserAvailable } from './browser.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

const maybe = browserAvailable ? describe : describe.skip;

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

  test('inside the Feishu client (emulated JSAPI) the page logs in without a QR code', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login?feishuClient=lisi`);
    await page.waitForURL(`${base}/`);
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('lisi').name);
    await context.close();
  });

  test('the admin page shows the element tree and runs a department sync to completion', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await scanAs(page, 'zhangsan');
    await page.getByTestId('admin-link').click();
    await page.waitForURL(`${base}/admin`);
    await expect(page.locator('[data-testid="tree-item"][data-full-name="auths.loginTypes.FSInnerExample"]').count()).resolves.toBe(1);
    await page.getByTestId('sync-button').click();
    await page.locator('[data-testid="sync-progress"][data-status="done"]').waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="org-department"]').first().waitFor();
    const departments = await page.locator('[data-testid="org-department"]').count();
    expect(departments).toBe(sandbox.org.descendantDepartments('0').length);
    await page.screenshot({ path: join(artifacts, 'admin.png'), fullPage: true });
    await context.close();
  });
});
