import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { adminProbeTree } from '../helpers/admin-probe.js';
import { browserAvailable } from './browser.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

const maybe = browserAvailable ? describe : describe.skip;
jest.setTimeout(60_000);

/**
 * The admin page holds its layout in both languages, on a desktop and on a phone: the page never scrolls
 * sideways (a table scrolls inside its own box), the Type select shows its whole text, inputs take the
 * form's width and nothing sticks out past the screen's edge.
 */
const SIZES = [
  { name: 'desktop', width: 1200, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const LOCALES = ['en-US', 'zh-CN'] as const;

/** What the page measures of itself (run in the browser; a string, so this file needs no DOM types). */
const MEASURE = `(() => {
  const root = document.scrollingElement;
  const select = document.querySelector('[data-testid="new-type"]');
  // Chromium reports a select's scrollWidth as its clientWidth however long the chosen text is, so the text is
  // also measured as drawn: its width, the select's padding and the drop-down arrow (about 20px) must fit.
  const style = getComputedStyle(select);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const text = select.options[select.selectedIndex].text;
  const textWidth = context.measureText(text).width + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 20;
  // Anything whose right edge is past the screen, outside a box that scrolls on its own.
  const sticking = [...document.querySelectorAll('body *')]
    .filter((el) => !el.closest('.table-scroll, .scroll-x, option, script'))
    .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
    .map((el) => el.tagName.toLowerCase() + (el.dataset.testid ? '[' + el.dataset.testid + ']' : el.className ? '.' + el.className : ''));
  const tables = [...document.querySelectorAll('.table-scroll')].map((box) => box.getBoundingClientRect().right <= innerWidth + 0.5);
  const form = document.querySelector('.new-login');
  const formWidth = form.clientWidth - parseFloat(getComputedStyle(form).paddingLeft) - parseFloat(getComputedStyle(form).paddingRight);
  const name = document.querySelector('[data-testid="new-name"]').getBoundingClientRect().width;
  return {
    scrollWidth: root.scrollWidth, innerWidth,
    select: { scrollWidth: select.scrollWidth, clientWidth: select.clientWidth, textWidth, text },
    sticking, tables, input: { name, formWidth },
  };
})()`;

interface Measured {
  scrollWidth: number;
  innerWidth: number;
  select: { scrollWidth: number; clientWidth: number; textWidth: number; text: string };
  sticking: string[];
  tables: boolean[];
  input: { name: number; formWidth: number };
}

maybe('the admin page layout, desktop and phone, English and Chinese', () => {
  let served: ServedApp;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    served = await serveDemoApp({ tree: adminProbeTree('apps/demo') });
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await served?.close();
  });

  /** A signed-in administrator's page in that language (the browser's Accept-Language). */
  async function adminPage(locale: string): Promise<Page> {
    const context = await served.browser.newContext({ locale });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${served.base}/login`);
    const qr = page.locator('section[data-full-name="auths.loginTypes.FSInnerExample"]').frameLocator('[data-testid="feishu-qr"] iframe');
    await qr.locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
    await qr.locator('[data-testid="simulate-scan"][data-user-id="zhangsan"]').click();
    await page.waitForURL(`${served.base}/`);
    return page;
  }

  test.each(LOCALES)('%s: no sideways scrolling, the Type select shows its whole text, inputs fill the form', async (locale) => {
    const page = await adminPage(locale);
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.goto(`${served.base}/admin`);
      await page.getByTestId('new-type').waitFor();
      await page.locator('.table-scroll tbody tr').first().waitFor();
      const m = (await page.evaluate(MEASURE)) as Measured;
      const at = `${locale} ${size.name}`;
      expect([at, m.scrollWidth <= m.innerWidth, m.scrollWidth]).toEqual([at, true, m.scrollWidth]);
      expect([at, m.sticking]).toEqual([at, []]);
      expect([at, m.select.scrollWidth <= m.select.clientWidth]).toEqual([at, true]);
      expect([at, m.select.text, m.select.textWidth <= m.select.clientWidth]).toEqual([at, m.select.text, true]);
      expect([at, m.tables.length > 0 && m.tables.every(Boolean)]).toEqual([at, true]);
      // On a phone an input takes the form's whole width; on a desktop it may stop at its max-width.
      if (size.name === 'phone') expect([at, Math.abs(m.input.name - m.input.formWidth) <= 1]).toEqual([at, true]);
      await page.screenshot({ path: join(artifacts, `admin-layout-${locale}-${size.name}.png`), fullPage: true });
    }
  });

  test('zh-CN: the page reads in Chinese — element titles, the form\'s labels and the Type select', async () => {
    const page = await adminPage('zh-CN');
    await page.goto(`${served.base}/admin`);
    await page.getByTestId('new-type').waitFor();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await expect(page.locator('[data-testid="new-type"] option').first().textContent()).resolves.toBe('飞书自建应用扫码登录');
    await expect(page.locator('[data-field="appId"] label strong').textContent()).resolves.toBe('应用 ID');
    await expect(page.getByTestId('new-submit').textContent()).resolves.toBe('创建');
    await expect(page.locator('h2', { hasText: '新建登录方式' }).count()).resolves.toBe(1);
    await page.getByTestId('new-submit').click();
    await expect(page.getByTestId('error-appId').textContent()).resolves.toBe('必填');
    await expect(page.getByTestId('new-result').textContent()).resolves.toBe('请修改标出的字段。');
  });
});
