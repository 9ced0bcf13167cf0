import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { browserAvailable } from './browser.js';
import { exchangeCode, getJson } from '../elements/auths/loginTypes/FSInnerType/sandbox/helpers.js';
import { artifacts, serveDemoApp, type ServedApp } from './served-app.js';

// Browser globals used by the functions evaluated in the page (the project's tsconfig has no DOM lib).
interface PageImage {
  complete: boolean;
  naturalWidth: number;
}
declare const document: { elementFromPoint(x: number, y: number): unknown; querySelector(selector: string): PageImage | null };
declare const window: { addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void; messages?: unknown[] };
declare function getComputedStyle(element: unknown): { scrollbarGutter: string };

const maybe = browserAvailable ? describe : describe.skip;
jest.setTimeout(60_000);

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;

/**
 * The sandbox's QR stand-in as a new user meets it (`npm start`, a 1200×900 window): every
 * sandbox user can be picked inside the QR frame, whose size the panel sets as for Feishu's, and
 * the signed-in page's avatar — served by the sandbox — loads with nothing but the app and the
 * sandbox reachable.
 */
maybe('the sandbox QR panel and avatars in a real browser', () => {
  let served: ServedApp;
  let sandbox: Sandbox;
  let base: string;

  beforeAll(async () => {
    served = await serveDemoApp();
    ({ sandbox, base } = served);
  }, 60_000);

  afterAll(async () => served?.close());

  /** A 1200×900 context that can reach only the app and the sandbox (an offline machine); `blocked` lists what else was asked for. */
  async function offlineContext(): Promise<{ context: BrowserContext; page: Page; blocked: string[]; errors: string[] }> {
    const context = await served.browser.newContext({ viewport: { width: 1200, height: 900 } });
    const blocked: string[] = [];
    const errors: string[] = [];
    const allowed = [new URL(base).origin, new URL(sandbox.baseUrl).origin];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || allowed.includes(new URL(url).origin)) return route.continue();
      blocked.push(url);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    return { context, page, blocked, errors };
  }

  async function openQr(page: Page): Promise<{ frame: FrameLocator; frameBox: Box }> {
    await page.goto(`${base}/login`);
    const frame = page.frameLocator('[data-testid="feishu-qr"] iframe');
    await frame.locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
    const frameBox = (await page.locator('[data-testid="feishu-qr"] iframe').boundingBox())!;
    return { frame, frameBox };
  }

  /** The element at the centre of `target` (inside its frame) is `target` or within it: nothing covers it. */
  function unobstructed(target: Locator): Promise<boolean> {
    return target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return !!hit && el.contains(hit as never);
    });
  }

  async function signedInAs(page: Page, userId: string): Promise<void> {
    await page.waitForURL(`${base}/`);
    await expect(page.getByTestId('user-name').textContent()).resolves.toBe(sandbox.org.user(userId).name);
  }

  test('the frame keeps the size the panel gives QRLogin; the QR code and every user fit in it, reachable by scrolling the list', async () => {
    const { context, page, errors } = await offlineContext();
    const { frame, frameBox } = await openQr(page);
    expect({ width: Math.round(frameBox.width), height: Math.round(frameBox.height) }).toEqual({ width: 300, height: 300 });
    // The page in the frame never scrolls as a whole; only the list does.
    await expect(frame.locator('html').evaluate((html) => ({ scrolls: html.scrollHeight > html.clientHeight || html.scrollWidth > html.clientWidth }))).resolves.toEqual({ scrolls: false });
    expect(inside((await frame.locator('[data-testid="sandbox-qr"] svg').boundingBox())!, frameBox)).toBe(true);

    // Every active user of the demo org (more than a frame shows at once) is listed.
    const users = sandbox.org.activeUsers();
    expect(users.length).toBeGreaterThan(12);
    expect(users.length).toBeLessThanOrEqual(200);
    const count = frame.getByTestId('sandbox-user-count');
    expect(await count.isVisible()).toBe(true);
    await expect(count.textContent()).resolves.toBe(`${users.length} people — scroll ↕`); // the scroll hint
    const list = frame.getByTestId('sandbox-users');
    const listBox = (await list.boundingBox())!;
    expect(inside(listBox, frameBox)).toBe(true);
    // The list overflows, so it scrolls, and says so with a visible scrollbar gutter.
    await expect(list.evaluate((el) => ({ overflows: el.scrollHeight > el.clientHeight, scrollbar: el.offsetWidth - el.clientWidth > 0 || getComputedStyle(el).scrollbarGutter === 'stable' }))).resolves.toEqual({ overflows: true, scrollbar: true });
    await page.screenshot({ path: join(artifacts, 'sandbox-qr-panel.png') });

    const buttons = frame.locator('[data-testid="simulate-scan"]');
    await expect(buttons.evaluateAll((els) => els.map((el) => el.getAttribute('data-user-id')))).resolves.toEqual(users.map((u) => u.user_id));
    for (const [i, user] of users.entries()) {
      const button = buttons.nth(i);
      await expect(button.getAttribute('data-user-id')).resolves.toBe(user.user_id);
      await button.scrollIntoViewIfNeeded();
      expect(await button.isVisible()).toBe(true);
      const box = (await button.boundingBox())!;
      expect({ user: user.user_id, inFrame: inside(box, frameBox), inList: inside(box, listBox) }).toEqual({ user: user.user_id, inFrame: true, inList: true });
      expect({ user: user.user_id, unobstructed: await unobstructed(button) }).toEqual({ user: user.user_id, unobstructed: true });
    }
    // At the bottom: the last user, nobody left out, and no fade.
    await expect(frame.getByTestId('sandbox-more-users').count()).resolves.toBe(0);
    await expect(frame.locator('#sandbox-people').getAttribute('data-at-end')).resolves.toBe('');
    await page.screenshot({ path: join(artifacts, 'sandbox-qr-panel-scrolled.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  test('picking the last user by mouse signs them in; the signed-in page shows their name and the avatar the sandbox serves', async () => {
    const { context, page, blocked, errors } = await offlineContext();
    const { frame } = await openQr(page);
    const last = sandbox.org.activeUsers().at(-1)!;
    const button = frame.locator('[data-testid="simulate-scan"]').last();
    await expect(button.getAttribute('data-user-id')).resolves.toBe(last.user_id); // the last in the list is the org's last active user
    await button.click(); // scrolls it into view first
    await signedInAs(page, last.user_id);

    const avatar = page.locator('img.avatar');
    await expect(avatar.getAttribute('src')).resolves.toMatch(new RegExp(`^${sandbox.baseUrl.replace(/\./g, '\\.')}/_sandbox/avatars/[0-9a-f]+\\?size=\\d+$`));
    await page.waitForFunction(() => document.querySelector('img.avatar')?.complete === true);
    await expect(avatar.evaluate((img: PageImage) => ({ complete: img.complete, loaded: img.naturalWidth > 0 }))).resolves.toEqual({ complete: true, loaded: true });
    await page.screenshot({ path: join(artifacts, 'sandbox-signed-in-avatar.png') });
    expect(blocked).toEqual([]); // nothing outside the app and the sandbox was needed
    expect(errors).toEqual([]);
    await context.close();
  });

  test('by keyboard: ↓ from the filter into the list, End to the last user, Enter signs them in', async () => {
    const { context, page, errors } = await offlineContext();
    const { frame, frameBox } = await openQr(page);
    const users = sandbox.org.activeUsers();
    await frame.getByTestId('sandbox-user-filter').focus();
    await page.keyboard.press('ArrowDown');
    await expect(frame.locator(':focus').getAttribute('data-user-id')).resolves.toBe(users[0]!.user_id);
    await page.keyboard.press('ArrowDown');
    await expect(frame.locator(':focus').getAttribute('data-user-id')).resolves.toBe(users[1]!.user_id);
    await page.keyboard.press('End');
    const focused = frame.locator(':focus');
    await expect(focused.getAttribute('data-user-id')).resolves.toBe(users.at(-1)!.user_id);
    expect(inside((await focused.boundingBox())!, frameBox)).toBe(true); // focus scrolled it into view
    await page.keyboard.press('Enter');
    await signedInAs(page, users.at(-1)!.user_id);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('the filter narrows the list; Enter picks the first match', async () => {
    const { context, page, errors } = await offlineContext();
    const { frame } = await openQr(page);
    const users = sandbox.org.activeUsers();
    const target = users[users.length - 2]!;
    await frame.getByTestId('sandbox-user-filter').fill(target.user_id);
    const visible = await frame.locator('[data-testid="simulate-scan"]:visible').evaluateAll((els) => els.map((el) => el.getAttribute('data-user-id')));
    expect(visible).toContain(target.user_id);
    expect(visible.length).toBeLessThan(users.length);
    await expect(frame.getByTestId('sandbox-user-count').textContent()).resolves.toMatch(new RegExp(`^${visible.length} of ${users.length} people`));
    await frame.getByTestId('sandbox-user-filter').fill('no-such-person');
    await expect(frame.getByTestId('sandbox-user-count').textContent()).resolves.toBe('No one matches');
    await frame.getByTestId('sandbox-user-filter').fill(target.name);
    await expect(frame.locator('[data-testid="simulate-scan"]:visible').first().getAttribute('data-user-id')).resolves.toBe(users.find((u) => u.name.includes(target.name))!.user_id);
    await frame.getByTestId('sandbox-user-filter').press('Enter');
    await signedInAs(page, users.find((u) => u.name.includes(target.name))!.user_id);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a large org: the frame lists the first 200 and its filter finds anyone beyond them', async () => {
    const big = await startSandbox({ rate: 0, org: { users: 1000 } });
    const context = await served.browser.newContext({ viewport: { width: 1200, height: 900 } });
    try {
      const active = big.org.activeUsers();
      expect(active.length).toBeGreaterThan(200);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      // A page framing the QR stand-in as QRLogin does (300×300), recording what the frame posts.
      const goto = big.authorizeUrl({ flavour: 'passport', redirectUri: big.apps[0]!.redirectUris[0]!, state: 'big' });
      await page.goto(`${big.baseUrl}/_sandbox/qrlogin.js`); // any page on the sandbox origin to host the frame
      await page.setContent(`<iframe src="${big.baseUrl}/suite/passport/sso/qr?goto=${encodeURIComponent(goto)}" width="300" height="300" style="border:none"></iframe>`);
      await page.evaluate(() => {
        window.messages = [];
        window.addEventListener('message', (event) => window.messages!.push(event.data));
      });
      const frame = page.frameLocator('iframe');
      await frame.locator('[data-testid="sandbox-qr"] svg').first().waitFor({ state: 'visible' });
      const frameBox = (await page.locator('iframe').boundingBox())!;
      await expect(frame.locator('[data-testid="simulate-scan"]').count()).resolves.toBe(200);
      await expect(frame.getByTestId('sandbox-user-count').textContent()).resolves.toBe(`First 200 of ${active.length} people — scroll ↕ or filter`);

      const beyond = active.at(-1)!;
      await expect(frame.locator(`[data-testid="simulate-scan"][data-user-id="${beyond.user_id}"]`).count()).resolves.toBe(0);
      await frame.getByTestId('sandbox-user-filter').fill(beyond.user_id);
      const button = frame.locator(`[data-testid="simulate-scan"][data-user-id="${beyond.user_id}"]`);
      await button.waitFor({ state: 'visible' });
      await expect(frame.getByTestId('sandbox-user-count').textContent()).resolves.toMatch(new RegExp(`^\\d+ of ${active.length} people`));
      await button.scrollIntoViewIfNeeded();
      expect(inside((await button.boundingBox())!, frameBox)).toBe(true);
      expect(await unobstructed(button)).toBe(true);
      await button.click();
      await expect(frame.getByTestId('sandbox-qr-status').textContent()).resolves.toBe(`Confirmed as ${beyond.name}`);
      const messages = (await page.evaluate(() => window.messages)) as Array<{ source: string; tmp_code: string }>;
      expect(messages).toEqual([{ source: 'qrcode', tmp_code: expect.any(String) }]);
      // The tmp_code is the picked user's: goto&tmp_code ends at the callback with a code for them.
      const done = await fetch(`${goto}&tmp_code=${messages[0]!.tmp_code}`, { redirect: 'manual' });
      expect(done.status).toBe(302);
      const callback = new URL(done.headers.get('location')!);
      expect(callback.searchParams.get('state')).toBe('big');
      const token = await exchangeCode(big, callback.searchParams.get('code')!, { redirect_uri: big.apps[0]!.redirectUris[0]! });
      expect(token.body.code).toBe(0);
      await expect(getJson(big, '/open-apis/authen/v1/user_info', token.body.access_token).then((r) => r.body.data.user_id)).resolves.toBe(beyond.user_id);

      // Cleared, the filter lists the first 200 again.
      await frame.getByTestId('sandbox-user-filter').fill('');
      await frame.locator(`[data-testid="simulate-scan"][data-user-id="${active[199]!.user_id}"]`).waitFor({ state: 'attached' });
      await expect(frame.locator('[data-testid="simulate-scan"]').count()).resolves.toBe(200);
      // Enter right after typing waits for the answer and picks the first match (of all active users).
      await frame.getByTestId('sandbox-user-filter').fill(beyond.user_id);
      await frame.getByTestId('sandbox-user-filter').press('Enter');
      await page.waitForFunction(() => window.messages!.length === 2);
      await expect(frame.locator(':focus').getAttribute('data-user-id')).resolves.toBe(big.org.activeUsers().find((u) => `${u.name} ${u.user_id}`.includes(beyond.user_id))!.user_id);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await big.close();
    }
  });
});
