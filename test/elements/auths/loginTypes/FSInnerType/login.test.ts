import { describe, expect, test } from '@jest/globals';
import { FSInnerAuthModel } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { REDIRECT_URI, requests, scanAndLogin, useFeishuWorld } from './harness.js';
import { FSInnerCodes } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';

const world = useFeishuWorld();

describe('getLoginConfig', () => {
  test('returns the appId, fresh states and both authorize URLs, never the secret', async () => {
    const w = await world();
    const config = await w.fs().getLoginConfig();
    expect(config).toMatchObject({ appId: w.sandbox.appId, redirectUri: REDIRECT_URI, expiresIn: 600 });
    expect(Buffer.from(config.state, 'base64url').length).toBeGreaterThanOrEqual(16); // ≥ 128 bits
    const qr = new URL(config.qrAuthorizeUrl);
    expect(qr.pathname).toBe('/suite/passport/oauth/authorize');
    expect(Object.fromEntries(qr.searchParams)).toEqual({ client_id: w.sandbox.appId, redirect_uri: REDIRECT_URI, response_type: 'code', state: config.state });
    const redirect = new URL(config.authorizeUrl);
    expect(redirect.pathname).toBe('/open-apis/authen/v1/authorize');
    expect(redirect.searchParams.get('code_challenge_method')).toBe('S256');
    expect(redirect.searchParams.get('state')).not.toBe(config.state); // its own PKCE-bound state
    expect(JSON.stringify(config)).not.toContain(w.sandbox.appSecret);
    // The H5 JSSDK at Feishu's script path, on the sandbox's origin; no sandbox-only fields.
    expect(config.h5SdkUrl).toBe(`${w.sandbox.baseUrl}/lark/op/h5-js-sdk-1.5.44.js`);
    expect(config).not.toHaveProperty('jsapiEmulatorUrl');
    const again = await w.fs().getLoginConfig();
    expect(again.state).not.toBe(config.state);
  });

  test('the Lark domain points at larksuite hosts', async () => {
    const lark = await world({ config: { domain: 'lark' } });
    const config = await lark.fs().getLoginConfig();
    expect(new URL(config.authorizeUrl).origin).toBe('https://accounts.larksuite.com');
    expect(new URL(config.qrAuthorizeUrl).origin).toBe('https://passport.larksuite.com');
    expect(config.h5SdkUrl).toBe('https://lf-scm-cn.feishucdn.com/lark/op/h5-js-sdk-1.5.44.js'); // Lark's own host is UNVERIFIED
  });

  test('the Feishu domain names the documented H5 JSSDK', async () => {
    const feishu = await world({ config: { domain: 'feishu' } });
    expect((await feishu.fs().getLoginConfig()).h5SdkUrl).toBe('https://lf-scm-cn.feishucdn.com/lark/op/h5-js-sdk-1.5.44.js');
  });
});

describe('getLoginCode', () => {
  test('QR flow: exchanges the code, reads the user, binds a local account and stores the tokens', async () => {
    const w = await world();
    const user = await scanAndLogin(w, 'zhangsan');
    expect(user).toMatchObject({
      userId: 'zhangsan',
      name: '张三',
      department: w.sandbox.org.department('engineering').name,
      position: '研发总监',
      gender: 'male',
      status: 'active',
      isLeader: true,
      localUserId: expect.any(String),
    });
    expect(user.openId).toMatch(/^ou_/);
    expect(user.email).toContain('@');
    const row = await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: 'auths.loginTypes.FSInnerExample', userId: 'zhangsan' });
    // Stored encrypted; the element decrypts them, and they are the tokens Feishu issued.
    const tokens = (await w.fs().getUserTokens({ userId: 'zhangsan' }))!;
    expect(row.accessToken).toMatch(/^enc1:/);
    expect(row.accessToken).not.toContain(tokens.accessToken);
    const me = await fetch(`${w.sandbox.baseUrl}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(((await me.json()) as { data: { user_id: string } }).data.user_id).toBe('zhangsan');
    expect(row.expiresAt).toBeGreaterThan(w.clock.now());
    expect(row.localUserId).toBe(user.localUserId);
    const second = await scanAndLogin(w, 'zhangsan');
    expect(second.localUserId).toBe(user.localUserId);
    expect(await w.app.dataSource.getRepository(FSInnerAuthModel).count()).toBe(1);
  });

  test('redirect flow: the PKCE verifier kept with the state is sent with the code', async () => {
    const w = await world();
    const url = new URL((await w.fs().getLoginConfig()).authorizeUrl);
    const state = url.searchParams.get('state')!;
    const challenge = url.searchParams.get('code_challenge')!;
    const { code } = w.sandbox.issueCode({ userId: 'lisi', redirectUri: REDIRECT_URI, codeChallenge: challenge, codeChallengeMethod: 'S256' });
    const user = await w.fs().getLoginCode({ authCode: code, state });
    expect(user.userId).toBe('lisi');
    const names = ['product', 'marketing'].map((id) => w.sandbox.org.department(id).name);
    expect(user.departments!.map((d) => d.name).sort()).toEqual(names.sort());
  });

  test('workspace flow: a code from the Feishu client logs in without a state', async () => {
    const w = await world();
    const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
    expect((await w.fs().getLoginCode({ authCode: code })).name).toBe('张三');
  });

  describe('state rules', () => {
    test('an unknown state is refused before Feishu is asked', async () => {
      const w = await world();
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
      await expect(w.fs().getLoginCode({ authCode: code, state: 'made-up' })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_STATE, details: { reason: 'unknown' } });
      expect(requests(w.sandbox, 'oauth_token')).toBe(0);
    });

    test('a state works once', async () => {
      const w = await world();
      const { state } = await w.fs().getLoginConfig();
      const first = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI }).code;
      const second = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI }).code;
      await w.fs().getLoginCode({ authCode: first, state });
      await expect(w.fs().getLoginCode({ authCode: second, state })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_STATE, details: { reason: 'used' } });
    });

    test('an expired state is refused', async () => {
      const w = await world({ config: { stateTtlSeconds: 60 } });
      const { state } = await w.fs().getLoginConfig();
      w.clock.advance(61_000);
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
      await expect(w.fs().getLoginCode({ authCode: code, state })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_STATE, details: { reason: 'expired' } });
    });

    test("another instance's state is refused", async () => {
      const w = await world({
        tree: { 'apps/demo/auths/loginTypes/Other/e.json': { title: 'Other', type: 'auths.loginTypes.FSInnerType' } },
        otherConfig: 'Other',
      });
      const { state } = await w.fs('auths.loginTypes.Other').getLoginConfig();
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI });
      await expect(w.fs().getLoginCode({ authCode: code, state })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_STATE, details: { reason: 'other_instance' } });
    });

    test('two concurrent logins replaying one state: exactly one wins', async () => {
      const w = await world();
      const { state } = await w.fs().getLoginConfig();
      const codes = [0, 1, 2, 3].map(() => w.sandbox.issueCode({ userId: 'zhangsan', redirectUri: REDIRECT_URI }).code);
      const results = await Promise.allSettled(codes.map((authCode) => w.fs().getLoginCode({ authCode, state })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((r) => r.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: FSInnerCodes.INVALID_STATE });
    });
  });

  describe('Feishu failures map onto documented codes', () => {
    test('a forged code is 40029', async () => {
      const w = await world();
      const { state } = await w.fs().getLoginConfig();
      await expect(w.fs().getLoginCode({ authCode: 'forged-code-123', state })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_AUTH_CODE, details: { feishuCode: 20003 } });
    });

    test('a reused code is 40029', async () => {
      const w = await world();
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
      await w.fs().getLoginCode({ authCode: code });
      await expect(w.fs().getLoginCode({ authCode: code })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_AUTH_CODE });
    });

    test('an expired code is 40029', async () => {
      const w = await world();
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
      w.clock.advance(6 * 60_000);
      await expect(w.fs().getLoginCode({ authCode: code })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_AUTH_CODE, details: { feishuCode: 20004 } });
    });

    test('a code with "." and "_" in it, the shape real codes take, is exchanged', async () => {
      const w = await world();
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
      expect(code).toContain('.');
      expect(code).toContain('_');
      expect((await w.fs().getLoginCode({ authCode: code })).userId).toBe('zhangsan');
    });

    test('a malformed code is 40029 without a request', async () => {
      const w = await world();
      await expect(w.fs().getLoginCode({ authCode: 'bad code with spaces' })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_AUTH_CODE });
      await expect(w.fs().getLoginCode({ authCode: '' })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_AUTH_CODE });
      expect(w.sandbox.stats().total).toBe(0);
    });

    test('a wrong app secret is 40013, and the message holds no secret', async () => {
      const w = await world({ config: { appSecret: 'definitely-wrong-secret' } });
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
      const error = await w.fs().getLoginCode({ authCode: code }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: FSInnerCodes.CREDENTIALS_REJECTED });
      expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('definitely-wrong-secret');
    });

    test('a disabled app is 60020', async () => {
      const w = await world();
      w.sandbox.apps[0]!.status = 'disabled';
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
      await expect(w.fs().getLoginCode({ authCode: code })).rejects.toMatchObject({ code: FSInnerCodes.APP_UNAVAILABLE });
    });

    test('resigned and frozen users are not allowed to log in (40301)', async () => {
      const w = await world();
      for (const userId of ['wujiu', 'zhengshi']) {
        const { code } = w.sandbox.issueCode({ userId });
        await expect(w.fs().getLoginCode({ authCode: code })).rejects.toMatchObject({ code: FSInnerCodes.LOGIN_NOT_ALLOWED });
      }
    });

    test('a code exchange is not retried after a 500: the code may be consumed', async () => {
      const w = await world();
      w.sandbox.injectFault({ endpoint: 'oauth_token', kind: 'status', status: 500, times: 1 } as never);
      const { code } = w.sandbox.issueCode({ userId: 'zhangsan' });
      await expect(w.fs().getLoginCode({ authCode: code })).rejects.toMatchObject({ code: FSInnerCodes.FEISHU_FAILURE });
      expect(requests(w.sandbox, 'oauth_token')).toBe(1);
    });
  });
});

describe('binding modes', () => {
  test('match binds to the local account with the same email and refuses strangers', async () => {
    const w = await world({ config: { binding: 'match' } });
    const email = w.sandbox.org.user('zhangsan').email!;
    const { AccountService } = await import('../../../../../runtime/auth/accounts.js');
    const accounts = new AccountService(w.app.dataSource, w.clock.now);
    const existing = await accounts.createUser({ name: 'Z. San', email: email.toUpperCase() });
    expect((await scanAndLogin(w, 'zhangsan')).localUserId).toBe(existing.id);
    await expect(scanAndLogin(w, 'lisi')).rejects.toMatchObject({ code: FSInnerCodes.LOGIN_NOT_ALLOWED, details: { reason: 'no_match' } });
  });

  test('existing lets in only users already synced', async () => {
    const w = await world({ config: { binding: 'existing' } });
    await expect(scanAndLogin(w, 'zhangsan')).rejects.toMatchObject({ code: FSInnerCodes.LOGIN_NOT_ALLOWED });
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    expect((await scanAndLogin(w, 'zhangsan')).userId).toBe('zhangsan');
  });

  test('existing refuses someone whose contact record only a login read, again when the next attempt is answered from that record', async () => {
    const w = await world({ config: { binding: 'existing' } });
    const notBound = { code: FSInnerCodes.LOGIN_NOT_ALLOWED, details: { reason: 'not_bound' } };
    await expect(scanAndLogin(w, 'zhangsan')).rejects.toMatchObject(notBound);
    // The refused attempt read and stored the record: fresh for the next login, but no sync has seen them.
    w.sandbox.resetStats();
    await expect(scanAndLogin(w, 'zhangsan')).rejects.toMatchObject(notBound);
    await expect(scanAndLogin(w, 'zhangsan')).rejects.toMatchObject(notBound);
    const row = await w.app.dataSource.getRepository(FSInnerAuthModel).findOneByOrFail({ instance: 'auths.loginTypes.FSInnerExample', userId: 'zhangsan' });
    expect(row).toMatchObject({ syncedAt: null, localUserId: null });
    // A sync of them (not forced) is what lets them in: the record a login read does not stand in for it.
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    expect((await scanAndLogin(w, 'zhangsan')).userId).toBe('zhangsan');
  });

  test('two first logins of one person at once create one local account', async () => {
    const w = await world();
    const [a, b] = await Promise.all([scanAndLogin(w, 'zhangsan'), scanAndLogin(w, 'zhangsan')]);
    expect(a.localUserId).toBe(b.localUserId);
    const { LocalUserModel } = await import('../../../../../runtime/auth/models.js');
    expect(await w.app.dataSource.getRepository(LocalUserModel).count()).toBe(1);
  });
});

describe('userIdType', () => {
  test.each([
    ['open_id', /^ou_/],
    ['union_id', /^on_/],
    ['user_id', /^zhangsan$/],
  ] as const)('%s is the id login returns and stores', async (userIdType, pattern) => {
    const w = await world({ config: { userIdType } });
    const user = await scanAndLogin(w, 'zhangsan');
    expect(user.userId).toMatch(pattern);
    expect(user.isLeader).toBe(true); // leader ids compared in the same id type
  });
});

describe('requests per login', () => {
  test('a warm token and a synced user cost Feishu two requests per login', async () => {
    const w = await world();
    await w.fs().syncUserInfo({ userId: 'zhangsan' });
    await scanAndLogin(w, 'zhangsan');
    w.sandbox.resetStats();
    await scanAndLogin(w, 'zhangsan');
    expect(w.sandbox.stats().total).toBe(2);
  });
});
