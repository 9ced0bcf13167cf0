import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { t } from '../../runtime/http/i18n/page-text.js';
import type { Locale } from '../../runtime/http/i18n/locale.js';
import { browserAvailable } from './browser.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

const maybe = browserAvailable ? describe : describe.skip;
jest.setTimeout(60_000);

/**
 * Every page the runtime serves, in Chinese and in English, as a browser asking in that language
 * sees it: a server-rendered string and a client-rendered one from each page, the signed-in page's
 * avatar, and the switch that remembers a choice. The screenshots are the README's:
 * `npm run screenshots` writes them to docs/screenshots (otherwise they go to test/artifacts).
 */
const shots = process.env['JIT_SCREENSHOTS_DIR'] ?? artifacts;
const APP = 'Demo app';
const clientText = (locale: Locale, key: string): string =>
  (JSON.parse(readFileSync(new URL(`../../runtime/http/public/i18n/${locale}.json`, import.meta.url), 'utf8')) as Record<string, string>)[key]!;

maybe('the pages in Chinese and English', () => {
  let served: ServedApp;
  let sandbox: Sandbox;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    served = await serveDemoApp();
    ({ sandbox, browser, base } = served);
  }, 60_000);

  afterAll(async () => served?.close());

  /** A browser whose Accept-Language is `locale` (Playwright sends the context's locale). */
  const browserIn = (locale: Locale): Promise<BrowserContext> => browser.newContext({ locale, viewport: { width: 1200, height: 900 } });

  describe.each(['zh-CN', 'en'] as const)('in %s', (locale) => {
    test('the login page, the signed-in page with its avatar, the admin page and the failure page', async () => {
      const context = await browserIn(locale);
      const page = await context.newPage();

      await page.goto(`${base}/login`);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe(locale);
      await expect(page.locator('h1').textContent()).resolves.toBe(t(locale, 'login.heading', { app: APP }));
      await page.frameLocator('[data-testid="feishu-qr"] iframe').locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
      // The element's own panel speaks the page's language too, and the login method's title is the element's i18n.
      await expect(page.locator('p.hint').first().textContent()).resolves.toBe(locale === 'zh-CN' ? '请使用飞书 App 扫码登录。' : 'Scan with the Feishu app to sign in.');
      await expect(page.getByText(locale === 'zh-CN' ? '飞书' : 'Feishu', { exact: true }).first().isVisible()).resolves.toBe(true);
      await page.screenshot({ path: join(shots, `login-page.${locale}.png`) });

      const qr = page.frameLocator('[data-testid="feishu-qr"] iframe');
      await qr.locator('[data-testid="simulate-scan"][data-user-id="zhangsan"]').click();
      await page.waitForURL(`${base}/`);
      await expect(page.locator('dt').first().textContent()).resolves.toBe(t(locale, 'signedIn.department'));
      await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user('zhangsan').name);
      const avatar = page.locator('img.avatar');
      await avatar.waitFor();
      await expect(avatar.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).resolves.toBe(true);

      await page.goto(`${base}/admin`);
      await expect(page.locator('h1').textContent()).resolves.toBe(t(locale, 'admin.heading', { app: APP }));
      // Drawn by admin.js from the client dictionary: the element tree's layers line ("Layers: …").
      await page.getByText(clientText(locale, 'admin.layers').split('{')[0]!.trim(), { exact: false }).first().waitFor();
      await page.screenshot({ path: join(shots, `admin-page.${locale}.png`), fullPage: true });

      await page.goto(`${base}/login/callback?code=forged&state=forged`);
      await expect(page.locator('h1').textContent()).resolves.toBe(t(locale, 'failure.signIn'));
      await expect(page.getByTestId('retry').textContent()).resolves.toBe(t(locale, 'failure.retry'));
      await context.close();
    });
  });

  test('the switch remembers a choice over the browser language, on every page', async () => {
    const context = await browserIn('en');
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.getByTestId('lang-zh-CN').click();
    await page.waitForURL(`${base}/login`);
    await expect(page.locator('h1').textContent()).resolves.toBe(t('zh-CN', 'login.heading', { app: APP }));
    await page.reload();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await page.getByTestId('lang-en').click();
    await expect(page.locator('h1').textContent()).resolves.toBe(t('en', 'login.heading', { app: APP }));
    await context.close();
  });
});
