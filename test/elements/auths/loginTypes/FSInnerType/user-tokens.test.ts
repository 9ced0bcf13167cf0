import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { FSInnerAuthModel, FSInnerCodes, type FSInnerType } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { REFRESH_MARGIN_MS } from '../../../../../elements/auths/loginTypes/FSInnerType/user-tokens.js';
import { FEISHU, SCOPES } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp, RuntimeCodes } from '../../../../../runtime/index.js';
import { INSTANCE, requests, scanAndLogin, useFeishuWorld, type FeishuWorld } from './harness.js';

/** getUserTokens: tokens that stay usable (events-and-scopes notes §6; user-tokens.ts). */
const world = useFeishuWorld();
const ACCESS_MS = 7200 * 1000; // the sandbox's expires_in
const SCOPE = `${SCOPES.offlineAccess} ${SCOPES.userBase}`;

/** A world whose instance asks for `scope` and whose Feishu app has offline_access enabled in the console. */
async function offlineWorld(scope = SCOPE, sandbox: Record<string, unknown> = {}): Promise<FeishuWorld> {
  const w = await world({ config: { scope }, sandbox });
  w.sandbox.apps[0]!.scopes.push(SCOPES.offlineAccess);
  return w;
}

/** The redirect flow end to end: the element's authorize URL, the sandbox's page, "Sign in as", the callback. */
async function signIn(w: FeishuWorld, userId = 'zhangsan', fs: FSInnerType = w.fs()) {
  const { authorizeUrl } = await fs.getLoginConfig();
  const page = await (await fetch(authorizeUrl, { redirect: 'manual' })).text();
  const link = new RegExp(`data-user-id="${userId}" href="([^"]+)"`).exec(page);
  if (!link) throw new Error(`the authorize page refused: ${/data-error-code="\d+">[^<]*/.exec(page)?.[0] ?? page.slice(0, 200)}`);
  const done = await fetch(w.sandbox.baseUrl + link[1]!.replace(/&amp;/g, '&'), { redirect: 'manual' });
  const callback = new URL(done.headers.get('location')!);
  return fs.getLoginCode({ authCode: callback.searchParams.get('code')!, state: callback.searchParams.get('state')! });
}

/** The Feishu code user_info answers a token with. */
async function feishuCodeFor(w: FeishuWorld, accessToken: string): Promise<number> {
  const res = await fetch(`${w.sandbox.baseUrl}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${accessToken}` } });
  return ((await res.json()) as { code: number }).code;
}

async function refreshDirectly(w: FeishuWorld, refreshToken: string): Promise<{ code: number }> {
  const res = await fetch(`${w.sandbox.baseUrl}/open-apis/authen/v2/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ grant_type: 'refresh_token', client_id: w.sandbox.appId, client_secret: w.sandbox.appSecret, refresh_token: refreshToken }),
  });
  return (await res.json()) as { code: number };
}

/** An access token issued just now lives the sandbox's full lifetime (the clock runs on between issue and check). */
function expectFullLifetime(w: FeishuWorld, expiresAt: number) {
  expect(expiresAt).toBeLessThanOrEqual(w.clock.now() + ACCESS_MS);
  expect(expiresAt).toBeGreaterThan(w.clock.now() + ACCESS_MS - 10_000);
}

const row = (w: FeishuWorld, userId = 'zhangsan') => w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: INSTANCE, userId });

/** Moves the clock to `msBefore` the access token's expiry. */
async function nearExpiry(w: FeishuWorld, msBefore = REFRESH_MARGIN_MS - 60_000, userId = 'zhangsan') {
  const { expiresAt } = await row(w, userId);
  w.clock.advance(expiresAt! - msBefore - w.clock.now());
}

describe('scope in the config', () => {
  test('the authorize URL asks for the configured scope (spaces as %20); the QR URL carries none', async () => {
    const w = await offlineWorld();
    const config = await w.fs().getLoginConfig();
    expect(config.authorizeUrl).toContain(`scope=${SCOPE.split(' ').map(encodeURIComponent).join('%20')}`);
    expect(new URL(config.authorizeUrl).searchParams.get('scope')).toBe(SCOPE);
    expect(new URL(config.qrAuthorizeUrl).searchParams.has('scope')).toBe(false);
    const plain = await world();
    expect(new URL((await plain.fs().getLoginConfig()).authorizeUrl).searchParams.has('scope')).toBe(false);
  });

  test('a scope named twice, more than 50, or empty is a config error', async () => {
    await expect(world({ config: { scope: `${SCOPES.offlineAccess} ${SCOPES.userBase} ${SCOPES.offlineAccess}` } })).rejects.toThrow(/scope/);
    await expect(world({ config: { scope: Array.from({ length: 51 }, (_, i) => `custom:s${i}:read`).join(' ') } })).rejects.toThrow(/scope/);
    await expect(world({ config: { scope: '' } })).rejects.toThrow(/scope/);
    await expect(world({ config: { scope: Array.from({ length: 50 }, (_, i) => `custom:s${i}:read`).join(' ') } })).resolves.toBeDefined();
  });

  test('a scope the app has not enabled stops at the authorize page (20027)', async () => {
    const w = await world({ config: { scope: SCOPE } }); // offline_access not enabled for the app
    await expect(signIn(w)).rejects.toThrow(String(FEISHU.scopeNotEnabled[0]));
  });
});

describe('getUserTokens', () => {
  test('a fresh token is returned as is, without asking Feishu; both tokens are stored encrypted', async () => {
    const w = await offlineWorld();
    await signIn(w);
    const before = requests(w.sandbox, 'oauth_token');
    const tokens = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      expiresAt: expect.any(Number),
      refreshToken: expect.any(String),
      refreshExpiresAt: expect.any(Number),
      scope: expect.stringContaining(SCOPES.offlineAccess),
    });
    expectFullLifetime(w, tokens.expiresAt);
    expect(requests(w.sandbox, 'oauth_token')).toBe(before);
    const stored = await row(w);
    for (const [sealed, plain] of [[stored.accessToken, tokens.accessToken], [stored.refreshToken, tokens.refreshToken]] as const) {
      expect(sealed).toMatch(/^enc1:/);
      expect(sealed).not.toContain(plain!);
    }
  });

  test('a token near expiry is refreshed: a new access token, and the rotated refresh token stored with it', async () => {
    const w = await offlineWorld();
    await signIn(w);
    const old = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    await nearExpiry(w);
    const before = requests(w.sandbox, 'oauth_token');
    const fresh = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(requests(w.sandbox, 'oauth_token')).toBe(before + 1);
    expect(fresh.accessToken).not.toBe(old.accessToken);
    expect(fresh.refreshToken).not.toBe(old.refreshToken);
    expectFullLifetime(w, fresh.expiresAt);
    expect(await feishuCodeFor(w, fresh.accessToken)).toBe(FEISHU.ok[0]);
    // Stored: the rotated refresh token, which the next refresh spends (a reuse of the old one would revoke it).
    expect(await w.fs().getUserTokens({ userId: 'zhangsan' })).toEqual(fresh);
    expect(requests(w.sandbox, 'oauth_token')).toBe(before + 1);
    await nearExpiry(w);
    const third = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(third.accessToken).not.toBe(fresh.accessToken);
    expect(await feishuCodeFor(w, third.accessToken)).toBe(FEISHU.ok[0]);
    expect(requests(w.sandbox, 'oauth_token')).toBe(before + 2);
    // Both spent refresh tokens are dead at Feishu.
    expect((await refreshDirectly(w, old.refreshToken!)).code).toBe(FEISHU.refreshUsed[0]);
    expect((await refreshDirectly(w, fresh.refreshToken!)).code).toBe(FEISHU.refreshUsed[0]);
  });

  test('an already expired access token is refreshed too', async () => {
    const w = await offlineWorld();
    await signIn(w);
    w.clock.advance(ACCESS_MS + 60_000);
    const tokens = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(tokens.expiresAt).toBeGreaterThan(w.clock.now());
    expect(await feishuCodeFor(w, tokens.accessToken)).toBe(FEISHU.ok[0]);
  });

  test('concurrent calls in one process share one refresh', async () => {
    const w = await offlineWorld();
    await signIn(w);
    await nearExpiry(w);
    const before = requests(w.sandbox, 'oauth_token');
    const all = await Promise.all(Array.from({ length: 8 }, () => w.fs().getUserTokens({ userId: 'zhangsan' })));
    expect(requests(w.sandbox, 'oauth_token')).toBe(before + 1);
    expect(new Set(all.map((t) => t!.accessToken)).size).toBe(1);
    expect(await feishuCodeFor(w, all[0]!.accessToken)).toBe(FEISHU.ok[0]);
  });

  test('two app instances on one database: one refresh, and both get a valid token', async () => {
    const w = await offlineWorld();
    const second = await loadApp(join(w.root, 'apps/demo'), { env: {}, clock: w.clock.now, dataDir: join(w.root, 'data'), ...(w.databaseUrl ? { databaseUrl: w.databaseUrl } : {}) });
    try {
      const other = second.getElement<FSInnerType>(INSTANCE);
      await signIn(w);
      await nearExpiry(w);
      // A slow Feishu keeps the first refresh in flight while the other instance asks.
      w.sandbox.injectFault({ endpoint: 'oauth_token', kind: 'latency', ms: 400 });
      const before = requests(w.sandbox, 'oauth_token');
      const [mine, theirs] = await Promise.all([w.fs().getUserTokens({ userId: 'zhangsan' }), other.getUserTokens({ userId: 'zhangsan' })]);
      expect(requests(w.sandbox, 'oauth_token')).toBe(before + 1);
      expect(theirs!.accessToken).toBe(mine!.accessToken);
      expectFullLifetime(w, mine!.expiresAt);
      expect(await feishuCodeFor(w, mine!.accessToken)).toBe(FEISHU.ok[0]);
      // And the other instance refreshes the next time, from the refresh token the first one stored.
      await nearExpiry(w);
      const next = (await other.getUserTokens({ userId: 'zhangsan' }))!;
      expect(next.accessToken).not.toBe(mine!.accessToken);
      expect(await feishuCodeFor(w, next.accessToken)).toBe(FEISHU.ok[0]);
    } finally {
      await second.close();
    }
  });

  const revoke = async (w: FeishuWorld): Promise<void> => w.sandbox.revokeTokens();
  const spendElsewhere = async (w: FeishuWorld): Promise<void> => {
    const { refreshToken } = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    await refreshDirectly(w, refreshToken!);
  };
  test.each([
    ['revoked (20064)', FEISHU.refreshRevoked[0], revoke],
    ['spent elsewhere (20073)', FEISHU.refreshUsed[0], spendElsewhere],
  ])('a refresh token Feishu rejects as %s: the tokens are cleared and the user must sign in again', async (_name, feishuCode, kill) => {
    const w = await offlineWorld();
    await signIn(w);
    await kill(w);
    await nearExpiry(w);
    await expect(w.fs().getUserTokens({ userId: 'zhangsan' })).rejects.toMatchObject({ code: FSInnerCodes.SIGN_IN_AGAIN, details: { feishuCode, reason: 'refresh_rejected' } });
    const stored = await row(w);
    expect([stored.accessToken, stored.refreshToken, stored.expiresAt]).toEqual([null, null, null]);
    expect(await w.fs().getUserTokens({ userId: 'zhangsan' })).toBeUndefined();
    // Signing in again brings working tokens back.
    await signIn(w);
    expect(await feishuCodeFor(w, (await w.fs().getUserTokens({ userId: 'zhangsan' }))!.accessToken)).toBe(FEISHU.ok[0]);
  });

  test('concurrent callers learn that the user must sign in again, from one refresh', async () => {
    const w = await offlineWorld();
    await signIn(w);
    w.sandbox.revokeTokens();
    await nearExpiry(w);
    const before = requests(w.sandbox, 'oauth_token');
    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => w.fs().getUserTokens({ userId: 'zhangsan' })));
    // A caller whose read lands after the tokens were cleared finds none stored (undefined), as any later caller does.
    const seen = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code: number }).code : o.value));
    expect(seen).toContain(FSInnerCodes.SIGN_IN_AGAIN);
    for (const outcome of seen) expect([FSInnerCodes.SIGN_IN_AGAIN, undefined]).toContain(outcome);
    expect(requests(w.sandbox, 'oauth_token')).toBe(before + 1);
  });

  test('a refresh token past its lifetime: the token serves until it expires, then sign in again without asking Feishu', async () => {
    const w = await offlineWorld(SCOPE, { refreshTokenTtlSeconds: 3600 });
    await signIn(w);
    w.clock.advance(3600_000); // the refresh token is gone, the access token has an hour left
    const before = requests(w.sandbox, 'oauth_token');
    expect(await w.fs().getUserTokens({ userId: 'zhangsan' })).toMatchObject({ accessToken: expect.any(String) });
    await nearExpiry(w);
    expect(await w.fs().getUserTokens({ userId: 'zhangsan' })).toMatchObject({ accessToken: expect.any(String) });
    w.clock.advance(REFRESH_MARGIN_MS);
    await expect(w.fs().getUserTokens({ userId: 'zhangsan' })).rejects.toMatchObject({ code: FSInnerCodes.SIGN_IN_AGAIN, details: { reason: 'refresh_expired' } });
    expect(requests(w.sandbox, 'oauth_token')).toBe(before);
  });

  test.each([
    ['a scope without offline_access', (w: FeishuWorld) => signIn(w)],
    ['the QR-code flow (no scope)', (w: FeishuWorld) => scanAndLogin(w, 'zhangsan')],
  ])('%s: no refresh token; the token serves until it expires, then a clear Code', async (_name, login) => {
    const w = await offlineWorld(SCOPES.userBase);
    await login(w);
    const tokens = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(tokens).toMatchObject({ refreshToken: null, refreshExpiresAt: null });
    const before = requests(w.sandbox, 'oauth_token');
    await nearExpiry(w, 60_000);
    expect((await w.fs().getUserTokens({ userId: 'zhangsan' }))!.accessToken).toBe(tokens.accessToken);
    w.clock.advance(60_000);
    await expect(w.fs().getUserTokens({ userId: 'zhangsan' })).rejects.toMatchObject({ code: FSInnerCodes.SIGN_IN_AGAIN, details: { reason: 'no_refresh_token' } });
    expect(requests(w.sandbox, 'oauth_token')).toBe(before);
  });

  test('the refresh switch off (20074): the current token serves while valid, then 48001; nothing is cleared', async () => {
    const w = await offlineWorld();
    await signIn(w);
    const old = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    w.sandbox.apps[0]!.refreshEnabled = false;
    await nearExpiry(w);
    expect((await w.fs().getUserTokens({ userId: 'zhangsan' }))!.accessToken).toBe(old.accessToken);
    w.clock.advance(REFRESH_MARGIN_MS);
    await expect(w.fs().getUserTokens({ userId: 'zhangsan' })).rejects.toMatchObject({ code: FSInnerCodes.PERMISSION_MISSING, details: { feishuCode: FEISHU.refreshDisabled[0] } });
    w.sandbox.apps[0]!.refreshEnabled = true;
    const fresh = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(await feishuCodeFor(w, fresh.accessToken)).toBe(FEISHU.ok[0]);
  });

  test('a Feishu outage during a refresh keeps the tokens; the next call refreshes', async () => {
    const w = await offlineWorld();
    await signIn(w);
    const old = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    await nearExpiry(w);
    w.sandbox.injectFault({ endpoint: 'oauth_token', kind: 'status', status: 500 });
    expect((await w.fs().getUserTokens({ userId: 'zhangsan' }))!.accessToken).toBe(old.accessToken);
    const fresh = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(fresh.accessToken).not.toBe(old.accessToken);
    expect(await feishuCodeFor(w, fresh.accessToken)).toBe(FEISHU.ok[0]);
  });

  test('a login that lands while a refresh is in flight wins: its tokens stay stored', async () => {
    const w = await offlineWorld();
    await signIn(w);
    await nearExpiry(w);
    w.sandbox.injectFault({ endpoint: 'oauth_token', kind: 'latency', ms: 1500 });
    const refreshing = w.fs().getUserTokens({ userId: 'zhangsan' });
    await new Promise((r) => setTimeout(r, 200)); // the refresh request is on its way
    await signIn(w);
    const returned = (await refreshing)!;
    const stored = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(returned).toEqual(stored);
    expect(await feishuCodeFor(w, stored.accessToken)).toBe(FEISHU.ok[0]);
    expect((await refreshDirectly(w, stored.refreshToken!)).code).toBe(FEISHU.ok[0]); // the login's refresh token, unspent
  });

  test('an unknown user has no tokens; a malformed id is 10008', async () => {
    const w = await offlineWorld();
    expect(await w.fs().getUserTokens({ userId: 'nobody' })).toBeUndefined();
    await expect(w.fs().getUserTokens({ userId: '' })).rejects.toMatchObject({ code: RuntimeCodes.INVALID_PARAMS });
  });
});
