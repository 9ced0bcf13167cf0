import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import type { App } from '../../runtime/index.js';
import { browserAvailable } from './browser.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

const maybe = browserAvailable ? describe : describe.skip;
// A browser step under a loaded CI machine (every suite in parallel on two cores) can take seconds.
jest.setTimeout(60_000);
const NEW = 'auths.loginTypes.TeamFeishu';

/**
 * The admin page's "New login method" form in a real Chromium: create a
 * Feishu login instance from the schema-drawn form, see it in the element
 * tree, sign in with it against the sandbox, edit it and see the change live.
 */
maybe('creating and editing a login method in the admin form', () => {
  let served: ServedApp;
  let sandbox: Sandbox;
  let app: App;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    // The form writes the secret as ${FEISHU_APP_SECRET}; the environment provides it, as in production.
    served = await serveDemoApp({ watch: true, env: (sb: Sandbox) => ({ FEISHU_APP_SECRET: sb.appSecret }) });
    ({ sandbox, app, browser, base } = served);
    admin = await browser.newContext();
    page = await admin.newPage();
  }, 60_000);

  afterAll(async () => served?.close());

  async function scanAs(p: Page, userId: string, fullName: string): Promise<void> {
    await p.goto(`${base}/login`);
    const qr = p.locator(`section[data-full-name="${fullName}"]`).frameLocator('[data-testid="feishu-qr"] iframe');
    await qr.locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
    await qr.locator(`[data-testid="simulate-scan"][data-user-id="${userId}"]`).click();
    await p.waitForURL(`${base}/`);
  }

  test('create an instance through the form: client-side checks, server errors by field, then success', async () => {
    await scanAs(page, 'zhangsan', 'auths.loginTypes.FSInnerExample');
    await page.goto(`${base}/admin`);
    await page.getByTestId('new-type').waitFor();
    await expect(page.getByTestId('new-type').inputValue()).resolves.toBe('auths.loginTypes.FSInnerType');
    // Drawn from the schema: titles, required marks, password input for the secret, a select for an enum.
    await expect(page.locator('[data-field="appId"] .required').count()).resolves.toBe(1);
    await expect(page.getByTestId('field-appSecret').getAttribute('type')).resolves.toBe('password');
    await expect(page.getByTestId('field-userIdType').evaluate((node) => node.tagName)).resolves.toBe('SELECT');
    await expect(page.locator('[data-field="stateTtlSeconds"] label').textContent()).resolves.toContain('Login state lifetime (s)');

    // Client-side validation: nothing is sent.
    await page.getByTestId('new-name').fill('TeamFeishu');
    await page.getByTestId('field-stateTtlSeconds').fill('5');
    await page.getByTestId('new-submit').click();
    await expect(page.getByTestId('error-appId').textContent()).resolves.toBe('required');
    await expect(page.getByTestId('error-stateTtlSeconds').textContent()).resolves.toBe('must be >= 60');
    expect(app.getElementDefine(NEW)).toBeUndefined();

    // Server-side refusal, shown by field: the name is taken.
    await page.getByTestId('new-name').fill('FSInnerExample');
    await page.getByTestId('field-appId').fill(sandbox.appId);
    await page.getByTestId('field-appSecret').fill(sandbox.appSecret);
    await page.getByTestId('field-domain').fill(sandbox.baseUrl);
    await page.getByTestId('field-redirectUri').fill(`${base}/login/callback`);
    await page.getByTestId('field-stateTtlSeconds').fill('300');
    await page.getByTestId('new-submit').click();
    await page.locator('[data-testid="new-result"][data-status="error"]').waitFor();
    await expect(page.getByTestId('error-fullName').textContent()).resolves.toBe('already exists');

    await page.getByTestId('new-name').fill('TeamFeishu');
    await page.getByTestId('new-title').fill('Team Feishu');
    await page.getByTestId('new-submit').click();
    await page.locator('[data-testid="new-result"][data-status="done"]').waitFor();
    await expect(page.getByTestId('new-result').textContent()).resolves.toContain('set FEISHU_APP_SECRET (appSecret)');
    await page.locator(`[data-testid="tree-item"][data-full-name="${NEW}"]`).waitFor({ timeout: 10_000 });
    const file = readFileSync(join(app.dir, 'auths/loginTypes/TeamFeishu/TeamFeishu.json'), 'utf8');
    expect(JSON.parse(file)).toEqual({ appId: sandbox.appId, appSecret: '${FEISHU_APP_SECRET}', domain: sandbox.baseUrl, redirectUri: `${base}/login/callback`, stateTtlSeconds: 300 });
    await page.screenshot({ path: join(artifacts, 'admin-form.png'), fullPage: true });
  });

  test('sign in with the new instance against the sandbox', async () => {
    const context = await browser.newContext();
    const p = await context.newPage();
    await scanAs(p, 'lisi', NEW);
    await expect(p.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('lisi').name);
    await expect(p.locator('dd', { hasText: 'Team Feishu' }).count()).resolves.toBe(1); // "Signed in with"
    await context.close();
  });

  test('edit it: the form is pre-filled (no secret sent), the change is live', async () => {
    await page.goto(`${base}/admin`);
    await page.locator(`[data-testid="edit-button"][data-full-name="${NEW}"]`).click();
    await page.locator('h2', { hasText: `Edit ${NEW}` }).waitFor();
    await expect(page.getByTestId('field-appId').inputValue()).resolves.toBe(sandbox.appId);
    await expect(page.getByTestId('field-stateTtlSeconds').inputValue()).resolves.toBe('300');
    await expect(page.getByTestId('new-name').isDisabled()).resolves.toBe(true);
    await page.getByTestId('field-stateTtlSeconds').fill('120');
    await page.getByTestId('new-submit').click();
    await page.locator('[data-testid="new-result"][data-status="done"]').waitFor();
    const expiresIn = async () =>
      page.evaluate(async (id) => {
        const reply = await fetch(`/api/${id.split('.').join('/')}/getLoginConfig`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        return ((await reply.json()) as { data: { expiresIn: number } }).data.expiresIn;
      }, NEW);
    const deadline = Date.now() + 10_000;
    while ((await expiresIn()) !== 120 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(expiresIn()).resolves.toBe(120);
    const file = readFileSync(join(app.dir, 'auths/loginTypes/TeamFeishu/TeamFeishu.json'), 'utf8');
    expect(Object.keys(JSON.parse(file))).toEqual(['appId', 'appSecret', 'domain', 'redirectUri', 'stateTtlSeconds']);
    expect(app.diagnostics).toEqual([]);
  });
});
