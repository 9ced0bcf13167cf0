import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { exchangeCode, manualClock, postJson } from './helpers.js';

const TOKEN = '/open-apis/authen/v2/oauth/token';
let sandbox: Sandbox;
afterEach(() => sandbox?.close());

describe('POST /open-apis/authen/v2/oauth/token, authorization_code (contract §2a)', () => {
  test('success is top-level (no data wrapper) and has no refresh token without offline_access', async () => {
    sandbox = await startSandbox();
    const { code } = sandbox.issueCode({ userId: 'zhangsan' });
    const reply = await exchangeCode(sandbox, code);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 0, access_token: expect.any(String), expires_in: 7200, token_type: 'Bearer', scope: 'auth:user.id:read' });
    expect(reply.body.access_token.length).toBeGreaterThan(1000); // JWT-like, 1-2 KB
  });

  test('with offline_access: refresh_token and refresh_token_expires_in', async () => {
    sandbox = await startSandbox();
    sandbox.apps[0]!.scopes.push('offline_access'); // enabled in the console as well as asked for (tokens.test.ts)
    const { code } = sandbox.issueCode({ userId: 'zhangsan', scope: 'offline_access' });
    const reply = await exchangeCode(sandbox, code);
    expect(reply.body).toMatchObject({ code: 0, refresh_token: expect.any(String), refresh_token_expires_in: 604800 });
    expect(reply.body).not.toHaveProperty('refresh_expires_in');
  });

  test('a code is single-use: 20065 the second time, with HTTP 400 and an OAuth error body', async () => {
    sandbox = await startSandbox();
    const { code } = sandbox.issueCode({ userId: 'zhangsan' });
    await exchangeCode(sandbox, code);
    const again = await exchangeCode(sandbox, code);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ code: 20065, error: 'invalid_grant', error_description: expect.any(String) });
  });

  test('unknown code 20003; expired code 20004 (injected clock, 5 min)', async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ now: clock.now });
    expect((await exchangeCode(sandbox, 'no-such-code')).body.code).toBe(20003);
    const { code } = sandbox.issueCode({ userId: 'zhangsan' });
    clock.advance(300 * 1000);
    expect((await exchangeCode(sandbox, code)).body.code).toBe(20004);
  });

  test("another app's code → 20024", async () => {
    sandbox = await startSandbox({ apps: [{ appId: 'cli_one' }, { appId: 'cli_two' }] });
    const { code } = sandbox.issueCode({ userId: 'zhangsan', appId: 'cli_two' });
    const reply = await exchangeCode(sandbox, code); // exchanged by cli_one
    expect(reply.body.code).toBe(20024);
  });

  test('redirect_uri must match the one used to authorize → 20071', async () => {
    sandbox = await startSandbox();
    const { code } = sandbox.issueCode({ userId: 'zhangsan', redirectUri: 'http://127.0.0.1/callback' });
    expect((await exchangeCode(sandbox, code, { redirect_uri: 'http://127.0.0.1/other' })).body.code).toBe(20071);
    expect((await exchangeCode(sandbox, code, { redirect_uri: 'http://127.0.0.1/callback' })).body.code).toBe(0);
  });

  test('PKCE S256 and plain; a wrong or missing verifier → 20049', async () => {
    sandbox = await startSandbox();
    const verifier = 'v'.repeat(43);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const s256 = sandbox.issueCode({ userId: 'zhangsan', codeChallenge: challenge, codeChallengeMethod: 'S256' }).code;
    expect((await exchangeCode(sandbox, s256)).body.code).toBe(20049);
    expect((await exchangeCode(sandbox, s256, { code_verifier: 'w'.repeat(43) })).body.code).toBe(20049);
    expect((await exchangeCode(sandbox, s256, { code_verifier: verifier })).body.code).toBe(0);
    const plain = sandbox.issueCode({ userId: 'zhangsan', codeChallenge: verifier, codeChallengeMethod: 'plain' }).code;
    expect((await exchangeCode(sandbox, plain, { code_verifier: verifier })).body.code).toBe(0);
  });

  test('client errors: missing credentials 20025, wrong secret 20002, unknown app 20048, bad grant_type 20036, non-JSON 20001', async () => {
    sandbox = await startSandbox();
    expect((await postJson(sandbox, TOKEN, { grant_type: 'authorization_code', code: 'x' })).body.code).toBe(20025);
    const { code } = sandbox.issueCode({ userId: 'zhangsan' });
    expect((await exchangeCode(sandbox, code, { client_secret: 'wrong' })).body.code).toBe(20002);
    expect((await exchangeCode(sandbox, code, { client_id: 'cli_unknown' })).body.code).toBe(20048);
    expect((await exchangeCode(sandbox, code, { grant_type: 'password' })).body.code).toBe(20036);
    const form = await fetch(sandbox.baseUrl + TOKEN, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=authorization_code&code=${code}` });
    expect(form.status).toBe(400);
    expect(((await form.json()) as { code: number }).code).toBe(20001);
  });

  test('a disabled app → 20042, an uninstalled one → 20009', async () => {
    sandbox = await startSandbox();
    const { code } = sandbox.issueCode({ userId: 'zhangsan' });
    sandbox.apps[0]!.status = 'disabled';
    expect((await exchangeCode(sandbox, code)).body.code).toBe(20042);
    sandbox.apps[0]!.status = 'not_installed';
    expect((await exchangeCode(sandbox, code)).body.code).toBe(20009);
  });
});

describe('refresh_token grant (contract §2e)', () => {
  const refresh = (sb: Sandbox, token: string) =>
    postJson(sb, TOKEN, { grant_type: 'refresh_token', client_id: sb.appId, client_secret: sb.appSecret, refresh_token: token });

  test('refresh tokens are single-use (20073) and rotate', async () => {
    sandbox = await startSandbox();
    sandbox.apps[0]!.scopes.push('offline_access');
    const { code } = sandbox.issueCode({ userId: 'zhangsan', scope: 'offline_access' });
    const first = (await exchangeCode(sandbox, code)).body;
    const second = await refresh(sandbox, first.refresh_token);
    expect(second.body).toMatchObject({ code: 0, access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await refresh(sandbox, first.refresh_token)).body.code).toBe(20073);
  });

  test('unknown 20026, expired 20037, revoked 20064, switch off 20074', async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ now: clock.now });
    sandbox.apps[0]!.scopes.push('offline_access');
    expect((await refresh(sandbox, 'nope')).body.code).toBe(20026);
    const issue = async () => (await exchangeCode(sandbox, sandbox.issueCode({ userId: 'lisi', scope: 'offline_access' }).code)).body.refresh_token as string;
    const toExpire = await issue();
    clock.advance(604_800 * 1000);
    expect((await refresh(sandbox, toExpire)).body.code).toBe(20037);
    const toRevoke = await issue();
    sandbox.revokeTokens();
    expect((await refresh(sandbox, toRevoke)).body.code).toBe(20064);
    const blocked = await issue();
    sandbox.apps[0]!.refreshEnabled = false;
    expect((await refresh(sandbox, blocked)).body.code).toBe(20074);
  });
});
