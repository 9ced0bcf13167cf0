import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN_PROBE, adminProbeTree, HOSTILE, type ProbeCalls } from '../helpers/admin-probe.js';
import { browserAvailable } from './browser.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

const maybe = browserAvailable ? describe : describe.skip;
jest.setTimeout(60_000);

/**
 * The admin page draws what a Type declares in `static admin` beyond one status line and trees: several status
 * lines, tables (their text as text, never HTML), and row buttons that run a declared action with the row's params
 * and redraw the view. The fixture Type is test/helpers/admin-probe.ts, served next to the demo's Feishu login.
 */
maybe('the admin page draws status lines and tables, and runs row actions', () => {
  let served: ServedApp;
  let page: Page;
  const view = (method: string) => page.locator(`[data-testid="admin-view"][data-view="${ADMIN_PROBE}#${method}"]`);
  const calls = () => served.app.getElement<{ calls: ProbeCalls }>(ADMIN_PROBE).calls;

  beforeAll(async () => {
    served = await serveDemoApp({ tree: adminProbeTree('apps/demo') });
    page = await (await served.browser.newContext()).newPage();
    await page.goto(`${served.base}/login`);
    const qr = page.locator('section[data-full-name="auths.loginTypes.FSInnerExample"]').frameLocator('[data-testid="feishu-qr"] iframe');
    await qr.locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
    await qr.locator('[data-testid="simulate-scan"][data-user-id="zhangsan"]').click();
    await page.waitForURL(`${served.base}/`);
    await page.goto(`${served.base}/admin`);
    await view('failedEvents').locator('tbody tr').first().waitFor();
  }, 60_000);

  afterAll(async () => served?.close());

  test('status lines in declared order, one per line', async () => {
    const desk = page.locator(`#login-status li[data-full-name="${ADMIN_PROBE}"]`);
    await expect(desk.getByTestId('admin-status').allTextContents()).resolves.toEqual([
      'Event transport: connected since 08:00',
      'Last sync: 07:00 (ok)',
      'Next sync: 13:00',
      'Broken line: unavailable: the element failed to answer',
    ]);
    // Only actions with a button get one beside the instance; row-only actions (button: false) do not.
    await expect(desk.getByTestId('action-button').allTextContents()).resolves.toEqual(['Purge']);
    await expect(page.locator('[data-testid="admin-status"][data-method="tokenStatus"]').textContent()).resolves.toMatch(/^Tenant token: /);
  });

  test('a table: header, one row per answer row, text drawn as text, a button per row action', async () => {
    const failed = view('failedEvents');
    await expect(failed.locator('thead th').allTextContents()).resolves.toEqual(['Event', 'Error', 'Attempts', '']);
    await expect(failed.getByTestId('view-row').count()).resolves.toBe(2);
    await expect(failed.locator('tbody tr').first().locator('td').allTextContents()).resolves.toEqual(['ev-1', HOSTILE, '3', 'Retry']);
    await expect(failed.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    // A table whose rows have no action has no button column; a malformed one shows the server's error.
    await expect(view('disabledAccounts').locator('thead th').allTextContents()).resolves.toEqual(['Account', 'Why']);
    await expect(view('disabledAccounts').locator('tbody td').allTextContents()).resolves.toEqual(['wangwu', 'left the company']);
    await expect(view('badCells').locator('.error').textContent()).resolves.toMatch(/malformed table: row 0 must have cells.*\(code \d+\)$/);
    await expect(view('teams').getByTestId('view-node').allTextContents()).resolves.toEqual(['AllOps', 'Ops']);
  });

  test('a row button runs the action with the row’s params, shows the outcome and redraws the table', async () => {
    const failed = view('failedEvents');
    await failed.locator('tbody tr', { hasText: 'ev-1' }).getByTestId('row-action').click();
    await failed.locator('[data-testid="view-outcome"][data-status="done"]').waitFor();
    await expect(failed.getByTestId('view-outcome').textContent()).resolves.toBe('Retry: done');
    await failed.locator('tbody tr', { hasText: 'ev-1' }).waitFor({ state: 'detached' });
    await expect(failed.getByTestId('view-row').count()).resolves.toBe(1);
    await expect(failed.locator('tbody td').first().textContent()).resolves.toBe('ev-2');
    expect(calls().filter((c) => c.method === 'retryEvent')).toEqual([{ method: 'retryEvent', params: { eventId: 'ev-1' } }]);
    await page.screenshot({ path: join(artifacts, 'admin-tables.png'), fullPage: true });
  });

  test('the instance’s button redraws the views it refreshes: empty tables show their empty text', async () => {
    await page.locator(`#login-status li[data-full-name="${ADMIN_PROBE}"] [data-testid="action-button"][data-action="purge"]`).click();
    await page.locator(`#login-status li[data-full-name="${ADMIN_PROBE}"] [data-testid="action-progress"][data-action="purge"][data-status="done"]`).waitFor();
    await view('failedEvents').locator('p', { hasText: 'No failed events.' }).waitFor();
    await view('disabledAccounts').locator('p', { hasText: 'No disabled account.' }).waitFor();
  });

  test('asked in Chinese (Accept-Language: zh-CN), a Type’s declared texts are drawn in Chinese', async () => {
    const FS = 'auths.loginTypes.FSInnerExample';
    await page.setExtraHTTPHeaders({ 'accept-language': 'zh-CN' });
    try {
      await page.goto(`${served.base}/admin`);
      const buttons = page.locator(`#login-status li[data-full-name="${FS}"] [data-testid="action-button"]`);
      await buttons.first().waitFor();
      await expect(buttons.allTextContents()).resolves.toEqual(['同步部门', '重试失败的事件']);
      await expect(page.locator('[data-testid="admin-status"][data-method="tokenStatus"]').textContent()).resolves.toMatch(/^租户令牌/);
      const org = page.locator(`[data-testid="admin-view"][data-view="${FS}#getOrgTree"]`);
      await expect(org.locator('h2').textContent()).resolves.toContain('组织架构');
      const disabled = page.locator(`[data-testid="admin-view"][data-view="${FS}#disabledAccounts"]`);
      await disabled.locator('.view-body p, .view-body table').first().waitFor();
      await expect(disabled.locator('h2').textContent()).resolves.toContain('已停用的账号');
    } finally {
      await page.setExtraHTTPHeaders({});
    }
  });
});
