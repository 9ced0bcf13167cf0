import { describe, expect, test } from '@jest/globals';
import { requests, useFeishuWorld, type FeishuWorld } from './harness.js';
import { FSInnerCodes } from '../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';

const world = useFeishuWorld();

/** What the sandbox hands out right now for the app's credentials (it reuses a token with ≥ 30 min left, contract §1). */
async function sandboxToken(w: FeishuWorld): Promise<{ token: string; expire: number }> {
  const reply = await fetch(`${w.sandbox.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ app_id: w.sandbox.appId, app_secret: w.sandbox.appSecret }),
  });
  const body = (await reply.json()) as { tenant_access_token: string; expire: number };
  return { token: body.tenant_access_token, expire: body.expire };
}

const stat = (w: FeishuWorld, endpoint: 'user_get') => w.sandbox.stats().byEndpoint[endpoint];

describe('getAccessToken', () => {
  test("returns the tenant token Feishu issued, and tokenStatus tells its expiry without the token", async () => {
    const w = await world();
    expect(w.fs().tokenStatus()).toEqual({ cached: false });
    const token = await w.fs().getAccessToken();
    expect(token).toBe((await sandboxToken(w)).token);
    const status = w.fs().tokenStatus();
    expect(status.cached).toBe(true);
    expect(status.expiresAt).toBeGreaterThan(w.clock.now() + 7100_000);
    expect(status.expiresAt).toBeLessThanOrEqual(w.clock.now() + 7200_000);
    expect(JSON.stringify(status)).not.toContain(token);
  });

  test('200 concurrent cold callers share one request (single flight)', async () => {
    const w = await world();
    const tokens = await Promise.all(Array.from({ length: 200 }, () => w.fs().getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(requests(w.sandbox, 'tenant_token')).toBe(1);
  });

  test('cached until 180 s before expiry, then fetched once more', async () => {
    const w = await world();
    const first = await w.fs().getAccessToken();
    const { expire } = await sandboxToken(w);
    w.sandbox.resetStats();

    w.clock.advance((expire - 181) * 1000);
    expect(await w.fs().getAccessToken()).toBe(first);
    expect(requests(w.sandbox, 'tenant_token')).toBe(0);

    w.clock.advance(2_000); // now inside the 180 s margin
    const [a, b] = await Promise.all([w.fs().getAccessToken(), w.fs().getAccessToken()]);
    expect(requests(w.sandbox, 'tenant_token')).toBe(1);
    expect(a).toBe(b);
    expect(a).not.toBe(first); // under 30 min left, Feishu issues a new one (§1)
  });

  test('a token Feishu revoked is evicted, fetched again once, and the call retried once', async () => {
    const w = await world();
    const before = await w.fs().getAccessToken();
    w.sandbox.revokeTokens();
    w.sandbox.resetStats();

    const info = await w.fs().getUserInfo({ userId: 'zhangsan' });
    expect(info.name).toBe(w.sandbox.org.user('zhangsan').name);
    expect(requests(w.sandbox, 'tenant_token')).toBe(1);
    expect(stat(w, 'user_get').total).toBe(2); // the rejected attempt and the retry
    expect(stat(w, 'user_get').byStatus['400']).toBe(1);
    expect(await w.fs().getAccessToken()).not.toBe(before);
  });

  test('concurrent calls that all meet a revoked token fetch one new token between them', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.revokeTokens();
    w.sandbox.resetStats();
    const infos = await Promise.all(['zhangsan', 'lisi', 'wangwu', 'zhaoliu'].map((userId) => w.fs().getUserInfo({ userId })));
    expect(infos.map((i) => i.userId)).toEqual(['zhangsan', 'lisi', 'wangwu', 'zhaoliu']);
    expect(requests(w.sandbox, 'tenant_token')).toBe(1);
  });

  test('a rejection that repeats with the fresh token surfaces 40014', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.resetStats();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'token_invalid', times: 2 });

    await expect(w.fs().getUserInfo({ userId: 'zhangsan' })).rejects.toMatchObject({ code: FSInnerCodes.INVALID_ACCESS_TOKEN, details: { endpoint: 'user_get', feishuCode: 99991663 } });
    expect(stat(w, 'user_get').total).toBe(2); // one retry, not a loop
    expect(requests(w.sandbox, 'tenant_token')).toBe(1);
  });
});

describe('transient Feishu failures', () => {
  test('429: waits x-ogw-ratelimit-reset, then succeeds', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'rate_limit', resetSeconds: 1 });
    const started = Date.now();
    const info = await w.fs().getUserInfo({ userId: 'zhangsan' });
    const elapsed = Date.now() - started;
    expect(info.userId).toBe('zhangsan');
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(5_000);
    expect(stat(w, 'user_get')).toMatchObject({ total: 2, rateLimited: 1, byStatus: { '429': 1, '200': 1 } });
  });

  test('a rate limit reset longer than the element will wait fails fast with 45009', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'rate_limit', resetSeconds: 120 });
    const started = Date.now();
    await expect(w.fs().getUserInfo({ userId: 'zhangsan' })).rejects.toMatchObject({ code: FSInnerCodes.RATE_LIMITED, details: { feishuCode: 99991400 } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stat(w, 'user_get').total).toBe(1);
  });

  test('HTTP 500 twice: retried with backoff, succeeds on the third request', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'status', status: 500, times: 2 });
    expect((await w.fs().getUserInfo({ userId: 'lisi' })).userId).toBe('lisi');
    expect(stat(w, 'user_get')).toMatchObject({ total: 3, byStatus: { '500': 2, '200': 1 } });
  });

  test('5xx that never ends: bounded retries, then 50000', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'status', status: 502, times: 100 });
    await expect(w.fs().getUserInfo({ userId: 'lisi' })).rejects.toMatchObject({ code: FSInnerCodes.FEISHU_FAILURE, details: { endpoint: 'user_get', status: 502 } });
    expect(stat(w, 'user_get').total).toBe(4); // 1 + got's 3 retries
  });

  test('a dropped connection on a GET is retried', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'drop' });
    expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).userId).toBe('zhangsan');
    expect(stat(w, 'user_get')).toMatchObject({ total: 2, byStatus: { dropped: 1, '200': 1 } });
  });

  test('one malformed JSON reply is retried like a 5xx', async () => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind: 'malformed' });
    expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).userId).toBe('zhangsan');
    expect(stat(w, 'user_get').total).toBe(2);
  });

  test.each([
    ['malformed JSON', 'malformed', 'application/json; charset=utf-8'],
    ['an HTML page', 'content_type', 'text/html; charset=utf-8'],
  ] as const)('%s every time: 50000 with details after bounded retries, and the element keeps working', async (_label, kind, contentType) => {
    const w = await world();
    await w.fs().getAccessToken();
    w.sandbox.injectFault({ endpoint: 'user_get', kind, times: 100 });

    const error = await w.fs().getUserInfo({ userId: 'zhangsan' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: FSInnerCodes.FEISHU_FAILURE, details: { endpoint: 'user_get', status: 200, contentType, attempts: 4 } });
    expect((error as Error).message).toContain('not JSON');
    expect(stat(w, 'user_get').total).toBe(4);

    w.sandbox.clearFaults();
    expect((await w.fs().getUserInfo({ userId: 'zhangsan' })).userId).toBe('zhangsan');
  });
});
