import { afterEach, describe, expect, test } from '@jest/globals';
import { FEISHU, SCOPES, startSandbox, type Sandbox, type SandboxOptions } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode, getJson, manualClock, postJson } from './helpers.js';

/** Refresh tokens in the sandbox (events-and-scopes notes §6.3/§6.4, §5.3 for the authorize scope). */
const TOKEN = '/open-apis/authen/v2/oauth/token';
const CALLBACK = 'http://127.0.0.1/callback';
const DAY = 24 * 60 * 60 * 1000;
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

const refresh = (token: string, extra: Record<string, unknown> = {}) =>
  postJson(sandbox, TOKEN, { grant_type: 'refresh_token', client_id: sandbox.appId, client_secret: sandbox.appSecret, refresh_token: token, ...extra });

/** Exchanges a code minted with this scope; the reply body. */
async function login(scope: string, userId = 'zhangsan', extra: Record<string, unknown> = {}) {
  return (await exchangeCode(sandbox, sandbox.issueCode({ userId, scope }).code, extra)).body;
}

async function userInfoCode(accessToken: string): Promise<number> {
  return (await getJson(sandbox, '/open-apis/authen/v1/user_info', accessToken)).body.code;
}

async function page(url: string) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

/** The data-error-code an authorize page shows, or undefined when it lists users. */
const pageError = (text: string) => /data-error-code="(\d+)"/.exec(text)?.[1];

/** A sandbox whose apps have offline_access enabled in the console (it is not in the default grant), unless their scopes are given. */
async function start(options: SandboxOptions = {}) {
  sandbox = await startSandbox(options);
  for (const [i, app] of sandbox.apps.entries()) if (!options.apps?.[i]?.scopes) app.scopes.push(SCOPES.offlineAccess);
  return sandbox;
}

describe('a refresh token needs offline_access enabled, requested and kept when narrowing', () => {
  test('enabled and requested on the authorize page: refresh_token and refresh_token_expires_in', async () => {
    await start();
    const list = await page(sandbox.authorizeUrl({ redirectUri: CALLBACK, scope: `${SCOPES.offlineAccess} ${SCOPES.userBase}` }));
    const href = /data-user-id="lisi" href="([^"]+)"/.exec(list.text)![1]!.replace(/&amp;/g, '&');
    const code = new URL((await page(sandbox.baseUrl + href)).location!).searchParams.get('code')!;
    const body = (await exchangeCode(sandbox, code)).body;
    expect(body).toMatchObject({ code: FEISHU.ok[0], refresh_token: expect.any(String), refresh_token_expires_in: 604_800 });
    expect(body.scope.split(' ')).toEqual(expect.arrayContaining([SCOPES.offlineAccess, SCOPES.userBase]));
  });

  test('requested but not enabled for the app: the authorize page shows 20027', async () => {
    await start({ apps: [{ appId: 'cli_nooffline', scopes: [SCOPES.userBase] }] });
    const shown = await page(sandbox.authorizeUrl({ redirectUri: CALLBACK, scope: SCOPES.offlineAccess }));
    expect(shown.status).toBe(400);
    expect(pageError(shown.text)).toBe(String(FEISHU.scopeNotEnabled[0]));
  });

  test('a code that carries offline_access gets no refresh token once the app no longer has it enabled', async () => {
    await start();
    const { code } = sandbox.issueCode({ userId: 'zhangsan', scope: SCOPES.offlineAccess });
    sandbox.apps[0]!.scopes = sandbox.apps[0]!.scopes.filter((s) => s !== SCOPES.offlineAccess);
    const body = (await exchangeCode(sandbox, code)).body;
    expect(body.code).toBe(FEISHU.ok[0]);
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('refresh_token_expires_in');
  });

  test('enabled but not requested (or the passport flow, which has no scope): no refresh token', async () => {
    await start();
    expect(await login('')).not.toHaveProperty('refresh_token');
    expect(await login(SCOPES.userBase)).not.toHaveProperty('refresh_token');
    const list = await page(sandbox.authorizeUrl({ flavour: 'passport', redirectUri: CALLBACK, scope: SCOPES.offlineAccess }));
    const href = /data-user-id="lisi" href="([^"]+)"/.exec(list.text)![1]!.replace(/&amp;/g, '&');
    const code = new URL((await page(sandbox.baseUrl + href)).location!).searchParams.get('code')!;
    expect((await exchangeCode(sandbox, code)).body).not.toHaveProperty('refresh_token');
  });

  test('narrowing at code exchange keeps the refresh token only if offline_access is named again', async () => {
    await start();
    const scope = `${SCOPES.offlineAccess} ${SCOPES.userBase}`;
    const without = await login(scope, 'zhangsan', { scope: SCOPES.userBase });
    expect(without).toMatchObject({ code: FEISHU.ok[0] });
    expect(without).not.toHaveProperty('refresh_token');
    expect(await login(scope, 'zhangsan', { scope: SCOPES.offlineAccess })).toMatchObject({ code: FEISHU.ok[0], refresh_token: expect.any(String) });
  });

  test('narrowing at refresh without offline_access: an access token, no new refresh token, and the old one is spent', async () => {
    await start();
    const first = await login(`${SCOPES.offlineAccess} ${SCOPES.userBase}`);
    const narrowed = (await refresh(first.refresh_token, { scope: SCOPES.userBase })).body;
    expect(narrowed).toMatchObject({ code: FEISHU.ok[0], access_token: expect.any(String) });
    expect(narrowed).not.toHaveProperty('refresh_token');
    expect(narrowed.scope.split(' ')).not.toContain(SCOPES.offlineAccess);
    expect((await refresh(first.refresh_token)).body.code).toBe(FEISHU.refreshUsed[0]);
  });

  test('narrowing does not accumulate: a refresh without scope after a narrowed one carries the whole grant', async () => {
    await start();
    const first = await login(`${SCOPES.offlineAccess} ${SCOPES.userBase} ${SCOPES.userEmail}`);
    const narrowed = (await refresh(first.refresh_token, { scope: `${SCOPES.offlineAccess} ${SCOPES.userBase}` })).body;
    expect(narrowed.scope.split(' ')).not.toContain(SCOPES.userEmail);
    const whole = (await refresh(narrowed.refresh_token)).body;
    expect(whole.scope.split(' ')).toEqual(expect.arrayContaining([SCOPES.offlineAccess, SCOPES.userBase, SCOPES.userEmail]));
  });

  test('narrowing to a scope never granted is 20068, naming one twice 20067; neither spends the token', async () => {
    await start();
    const first = await login(`${SCOPES.offlineAccess} ${SCOPES.userBase}`);
    expect((await refresh(first.refresh_token, { scope: `${SCOPES.offlineAccess} ${SCOPES.userEmail}` })).body.code).toBe(FEISHU.scopeNotPermitted[0]);
    expect((await refresh(first.refresh_token, { scope: `${SCOPES.offlineAccess} ${SCOPES.offlineAccess}` })).body.code).toBe(FEISHU.scopeDuplicate[0]);
    expect((await refresh(first.refresh_token)).body.code).toBe(FEISHU.ok[0]);
  });

  test('the authorize scope: at most 50, no duplicates', async () => {
    const many = Array.from({ length: 51 }, (_, i) => `custom:scope${i}:read`);
    await start({ apps: [{ appId: 'cli_many', scopes: [...many, SCOPES.offlineAccess] }] });
    const tooMany = await page(sandbox.authorizeUrl({ redirectUri: CALLBACK, scope: many.join(' ') }));
    expect(pageError(tooMany.text)).toBe(String(FEISHU.badRequest[0]));
    const fifty = await page(sandbox.authorizeUrl({ redirectUri: CALLBACK, scope: many.slice(0, 50).join(' ') }));
    expect(pageError(fifty.text)).toBeUndefined();
    const twice = await page(sandbox.authorizeUrl({ redirectUri: CALLBACK, scope: `${SCOPES.offlineAccess} ${SCOPES.offlineAccess}` }));
    expect(pageError(twice.text)).toBe(String(FEISHU.scopeDuplicate[0]));
  });
});

describe('rotation', () => {
  test('each refresh returns a new refresh token; the old one stops at once (20073) and its reuse revokes the chain (20064)', async () => {
    await start();
    const first = await login(SCOPES.offlineAccess);
    const second = (await refresh(first.refresh_token)).body;
    expect(second).toMatchObject({ code: FEISHU.ok[0], access_token: expect.any(String), refresh_token: expect.any(String), refresh_token_expires_in: expect.any(Number) });
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await refresh(first.refresh_token)).body.code).toBe(FEISHU.refreshUsed[0]);
    // Someone spent a token twice: the successor is revoked too, so a racing client learns it at once.
    expect((await refresh(second.refresh_token)).body.code).toBe(FEISHU.refreshRevoked[0]);
    expect((await refresh(first.refresh_token)).body.code).toBe(FEISHU.refreshUsed[0]);
  });

  test('another authorisation of the same user is its own chain: a reuse in one leaves the other alone', async () => {
    await start();
    const one = await login(SCOPES.offlineAccess);
    const other = await login(SCOPES.offlineAccess);
    await refresh(one.refresh_token);
    await refresh(one.refresh_token);
    expect((await refresh(other.refresh_token)).body.code).toBe(FEISHU.ok[0]);
  });

  test('the previous access token keeps a 1-minute grace; the new one lives its full lifetime', async () => {
    const clock = manualClock();
    await start({ now: clock.now });
    const first = await login(SCOPES.offlineAccess);
    const unrelated = await login(SCOPES.offlineAccess, 'lisi');
    const second = (await refresh(first.refresh_token)).body;
    clock.advance(59_000);
    expect(await userInfoCode(first.access_token)).toBe(FEISHU.ok[0]);
    clock.advance(2_000);
    expect(await userInfoCode(first.access_token)).toBe(FEISHU.userTokenExpired[0]);
    expect(await userInfoCode(second.access_token)).toBe(FEISHU.ok[0]);
    expect(await userInfoCode(unrelated.access_token)).toBe(FEISHU.ok[0]);
    expect(second.expires_in).toBe(7200);
  });
});

describe('refusals', () => {
  test('an unknown or malformed refresh token is 20026', async () => {
    await start();
    expect((await refresh('not-a-token')).body.code).toBe(FEISHU.refreshInvalid[0]);
    const { access_token: accessToken } = await login(SCOPES.offlineAccess);
    expect((await refresh(accessToken)).body.code).toBe(FEISHU.refreshInvalid[0]);
  });

  test('a refresh token past refresh_token_expires_in is 20037', async () => {
    const clock = manualClock();
    await start({ now: clock.now, refreshTokenTtlSeconds: 3600 });
    const first = await login(SCOPES.offlineAccess);
    expect(first.refresh_token_expires_in).toBe(3600);
    clock.advance(3599_000);
    const second = (await refresh(first.refresh_token)).body;
    expect(second.code).toBe(FEISHU.ok[0]);
    clock.advance(3600_000);
    expect((await refresh(second.refresh_token)).body.code).toBe(FEISHU.refreshExpired[0]);
  });

  test('365 days after the authorisation no refresh works, however recently rotated (20037)', async () => {
    const clock = manualClock();
    await start({ now: clock.now, refreshTokenTtlSeconds: 200 * 86_400 });
    let token = (await login(SCOPES.offlineAccess)).refresh_token as string;
    clock.advance(199 * DAY);
    const late = (await refresh(token)).body;
    expect(late.refresh_token_expires_in).toBe((365 - 199) * 86_400); // capped by the authorisation, not 200 days
    token = late.refresh_token;
    clock.advance(165 * DAY);
    token = (await refresh(token)).body.refresh_token;
    clock.advance(DAY);
    expect((await refresh(token)).body.code).toBe(FEISHU.refreshExpired[0]);
  });

  test('the "refresh user_access_token" switch off is 20074, whatever the token', async () => {
    await start();
    const first = await login(SCOPES.offlineAccess);
    sandbox.apps[0]!.refreshEnabled = false;
    expect((await refresh(first.refresh_token)).body.code).toBe(FEISHU.refreshDisabled[0]);
    sandbox.apps[0]!.refreshEnabled = true;
    expect((await refresh(first.refresh_token)).body.code).toBe(FEISHU.ok[0]); // the refused attempt did not spend it
  });

  test("another app's refresh token is 20024; a revoked one 20064; a resigned user's 20021", async () => {
    await start({ apps: [{ appId: 'cli_one' }, { appId: 'cli_two' }] });
    const foreign = (await exchangeCode(sandbox, sandbox.issueCode({ userId: 'zhangsan', appId: 'cli_two', scope: SCOPES.offlineAccess }).code, { client_id: 'cli_two', client_secret: sandbox.apps[1]!.appSecret })).body;
    expect((await refresh(foreign.refresh_token)).body.code).toBe(FEISHU.wrongApp[0]);
    const leaver = await login(SCOPES.offlineAccess, 'lisi');
    sandbox.org.resignUser('lisi');
    expect((await refresh(leaver.refresh_token)).body.code).toBe(FEISHU.userResigned[0]);
    const revoked = await login(SCOPES.offlineAccess);
    sandbox.revokeTokens();
    expect((await refresh(revoked.refresh_token)).body.code).toBe(FEISHU.refreshRevoked[0]);
  });
});
