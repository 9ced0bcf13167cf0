import { afterEach, describe, expect, test } from '@jest/globals';
import { startSandbox, type Sandbox } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { getJson, manualClock, tenantToken } from './helpers.js';

let sandbox: Sandbox;
afterEach(() => sandbox?.close());

describe('rate limiting per endpoint per app (contract §7)', () => {
  test('past the per-second cap: HTTP 429, code 99991400, x-ogw-ratelimit-* headers; the next second is open again', async () => {
    const clock = manualClock(1_700_000_000_000);
    sandbox = await startSandbox({ now: clock.now, rate: 3 });
    const token = await tenantToken(sandbox);
    const path = '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id';
    for (let i = 0; i < 3; i++) expect((await getJson(sandbox, path, token)).status).toBe(200);
    const limited = await getJson(sandbox, path, token);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: 99991400, msg: 'request trigger frequency limit' });
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('3');
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('1');
    // Another endpoint has its own budget.
    expect((await getJson(sandbox, '/open-apis/contact/v3/departments/engineering?department_id_type=department_id', token)).status).toBe(200);
    clock.advance(1000);
    expect((await getJson(sandbox, path, token)).status).toBe(200);
    expect(sandbox.stats().byEndpoint.user_get).toMatchObject({ total: 5, rateLimited: 1, byStatus: { 200: 4, 429: 1 } });
  });

  test('the per-minute cap applies where the contract gives one, with the seconds left in the minute', async () => {
    const clock = manualClock(1_700_000_080_000); // 40 s into a minute
    sandbox = await startSandbox({ now: clock.now, rate: 100, ratePerMinute: 2 });
    const token = await tenantToken(sandbox);
    const path = '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id';
    await getJson(sandbox, path, token);
    await getJson(sandbox, path, token);
    const limited = await getJson(sandbox, path, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ogw-ratelimit-limit')).toBe('2');
    expect(limited.headers.get('x-ogw-ratelimit-reset')).toBe('20');
  });

  test('apps have separate budgets', async () => {
    const clock = manualClock();
    sandbox = await startSandbox({ now: clock.now, rate: 1, apps: [{ appId: 'cli_a' }, { appId: 'cli_b' }] });
    const [a, b] = sandbox.apps;
    const tokenA = await tenantToken(sandbox, a!.appId, a!.appSecret);
    const tokenB = await tenantToken(sandbox, b!.appId, b!.appSecret);
    const path = '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id';
    expect((await getJson(sandbox, path, tokenA)).status).toBe(200);
    expect((await getJson(sandbox, path, tokenA)).status).toBe(429);
    expect((await getJson(sandbox, path, tokenB)).status).toBe(200);
  });

  test('rate: 0 turns limiting off', async () => {
    sandbox = await startSandbox({ rate: 0 });
    const token = await tenantToken(sandbox);
    const replies = await Promise.all(Array.from({ length: 120 }, () => getJson(sandbox, '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id', token)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
  });
});
