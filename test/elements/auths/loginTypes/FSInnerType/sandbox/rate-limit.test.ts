import { afterEach, describe, expect, test } from '@jest/globals';
import { ENDPOINT_NAMES, startSandbox, type EndpointName, type Sandbox, type SandboxOptions } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { RateLimiter } from '../../../../../../elements/auths/loginTypes/FSInnerType/sandbox/rate-limiter.js';
import { getJson, manualClock, tenantToken, userToken } from './helpers.js';

/**
 * Contract §7: limits are "per API, per app, per tenant"; the standard level is "1000/min & 50/s" and
 * either cap triggers. Whether Feishu's windows are fixed or sliding is not documented, so the sandbox
 * takes the stricter reading: sliding windows (rate-limiter.ts has the table).
 */

let sandbox: Sandbox;
const started: Sandbox[] = [];
async function start(options: SandboxOptions): Promise<void> {
  started.push((sandbox = await startSandbox(options)));
}
afterEach(() => Promise.all(started.splice(0).map((s) => s.close())));

const USER = '/open-apis/contact/v3/users/zhangsan?user_id_type=user_id';
const DEPARTMENT = '/open-apis/contact/v3/departments/engineering?department_id_type=department_id';
const LIMITED = { code: 99991400, msg: 'request trigger frequency limit' };

/** 1_700_000_040_000 is a whole minute (and second) on the clock. */
const MINUTE = 1_700_000_040_000;

async function raw(method: 'GET' | 'POST', path: string, body?: unknown, token?: string) {
  const res = await fetch(sandbox.baseUrl + path, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const reset = (r: { headers: Headers }) => r.headers.get('x-ogw-ratelimit-reset');
const limit = (r: { headers: Headers }) => r.headers.get('x-ogw-ratelimit-limit');

describe('sliding windows: the caps hold over ANY 1000 ms and ANY 60 s span', () => {
  test('a burst straddling a clock-second boundary is refused (aligned windows would let 2× the cap through)', async () => {
    const clock = manualClock(MINUTE + 900); // 100 ms before the clock second turns
    await start({ now: clock.now, rate: 3 });
    const token = await tenantToken(sandbox);
    for (let i = 0; i < 3; i++) expect((await getJson(sandbox, USER, token)).status).toBe(200);
    clock.advance(200); // a new clock second, but only 200 ms later
    const refused = await getJson(sandbox, USER, token);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(LIMITED);
    expect(limit(refused)).toBe('3');
    expect(reset(refused)).toBe('1'); // the burst leaves the span 800 ms from now
    clock.advance(799);
    expect((await getJson(sandbox, USER, token)).status).toBe(429); // 999 ms after the burst
    clock.advance(1);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // 1000 ms after: the burst has left
  });

  test('each request frees its slot exactly 1000 ms after it was accepted', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 3 });
    const token = await tenantToken(sandbox);
    const at = async (t: number) => {
      clock.advance(MINUTE + t - clock.now());
      return (await getJson(sandbox, USER, token)).status;
    };
    expect([await at(0), await at(400), await at(800)]).toEqual([200, 200, 200]);
    expect(await at(999)).toBe(429);
    expect(await at(1000)).toBe(200); // the one at 0 has left
    expect(await at(1399)).toBe(429);
    expect(await at(1400)).toBe(200); // the one at 400 has left
  });

  test('the minute cap holds over any 60 s span, not per clock minute', async () => {
    const clock = manualClock(MINUTE - 10_000); // 10 s before the clock minute turns
    await start({ now: clock.now, rate: 100, ratePerMinute: 5 });
    const token = await tenantToken(sandbox);
    const t0 = clock.now();
    for (let i = 0; i < 5; i++) {
      expect((await getJson(sandbox, USER, token)).status).toBe(200);
      clock.advance(2000); // 0, 2, 4, 6, 8 s: straddling the clock minute
    }
    clock.advance(t0 + 20_000 - clock.now()); // t0 + 20 s, well into the next clock minute
    const refused = await getJson(sandbox, USER, token);
    expect(refused.status).toBe(429);
    expect(limit(refused)).toBe('5');
    expect(reset(refused)).toBe('40'); // the request at `t0` leaves at t0 + 60 s
    clock.advance(t0 + 59_999 - clock.now());
    const lastMs = await getJson(sandbox, USER, token);
    expect([lastMs.status, reset(lastMs)]).toEqual([429, '1']);
    clock.advance(1);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // t0 + 60 s: the first has left
    const next = await getJson(sandbox, USER, token);
    expect([next.status, limit(next), reset(next)]).toEqual([429, '5', '2']); // the one at t0 + 2 s blocks now
  });

  test('over a long irregular run, no 1 s or 60 s span holds more than its cap, and every refusal was needed', () => {
    let now = MINUTE;
    const limiter = new RateLimiter(() => now, { perSecond: 5, perMinute: 40 });
    let seed = 42;
    const gap = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % 400); // 0–399 ms
    const accepted: number[] = [];
    const inSpan = (from: number, ms: number) => accepted.filter((t) => t >= from && t < from + ms).length;
    const before = (t: number, ms: number) => accepted.filter((s) => s > t - ms && s <= t).length;
    let refusals = 0;
    for (let i = 0; i < 3000; i++) {
      now += gap();
      const refused = limiter.take('user_get\ncli_a');
      if (!refused) {
        accepted.push(now);
        continue;
      }
      refusals++;
      // Needed: one window already held its cap.
      expect(before(now, 1000) >= 5 || before(now, 60_000) >= 40).toBe(true);
      // The reset is enough: after it, with no other traffic, both windows have room ...
      const retry = now + refused.resetSeconds * 1000;
      expect(before(retry, 1000) < 5 && before(retry, 60_000) < 40).toBe(true);
      // ... and not a whole second more than needed.
      if (refused.resetSeconds > 1) expect(before(retry - 1000, 1000) >= 5 || before(retry - 1000, 60_000) >= 40).toBe(true);
      // The limit header names a window that is full.
      expect(refused.limit === 5 ? before(now, 1000) >= 5 : refused.limit === 40 && before(now, 60_000) >= 40).toBe(true);
    }
    expect(refusals).toBeGreaterThan(100); // the run really pressed on both caps
    for (const t of accepted) {
      expect(inSpan(t, 1000)).toBeLessThanOrEqual(5);
      expect(inSpan(t, 60_000)).toBeLessThanOrEqual(40);
    }
  });

  test('refused requests consume nothing', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 2 });
    const token = await tenantToken(sandbox);
    expect((await getJson(sandbox, USER, token)).status).toBe(200);
    expect((await getJson(sandbox, USER, token)).status).toBe(200);
    clock.advance(500);
    for (let i = 0; i < 10; i++) expect((await getJson(sandbox, USER, token)).status).toBe(429);
    clock.advance(500); // the two accepted ones have left; the ten refused ones never counted
    expect((await getJson(sandbox, USER, token)).status).toBe(200);
    expect((await getJson(sandbox, USER, token)).status).toBe(200);
    expect(sandbox.stats().byEndpoint.user_get).toMatchObject({ total: 14, rateLimited: 10, byStatus: { 200: 4, 429: 10 } });
  });
});

describe('the 429 reply', () => {
  test('x-ogw-ratelimit-reset is the whole seconds (rounded up) until the blocking request leaves its window', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 100, ratePerMinute: 1 });
    const token = await tenantToken(sandbox);
    expect((await getJson(sandbox, USER, token)).status).toBe(200);
    clock.advance(58_500);
    expect(reset(await getJson(sandbox, USER, token))).toBe('2'); // 1.5 s left
    clock.advance(1499);
    expect(reset(await getJson(sandbox, USER, token))).toBe('1'); // 1 ms left: never 0
  });

  test('when both caps refuse, the headers name the one that lasts longer', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 2, ratePerMinute: 3 });
    const token = await tenantToken(sandbox);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // t = 0
    clock.advance(100);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // t = 100
    clock.advance(100);
    const perSecond = await getJson(sandbox, USER, token); // t = 200: only the second cap is full
    expect([perSecond.status, limit(perSecond), reset(perSecond)]).toEqual([429, '2', '1']);
    clock.advance(800);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // t = 1000: the third of the minute
    const both = await getJson(sandbox, USER, token); // t = 1000: 100 and 1000 fill the second, 0/100/1000 the minute
    expect([both.status, limit(both), reset(both)]).toEqual([429, '3', '59']);
  });

  test('the sandbox itself always answers 429; the legacy 400 form exists as an injected fault and consumes nothing', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 1 });
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'rate_limit', status: 400, resetSeconds: 3 });
    const legacy = await getJson(sandbox, USER, token);
    expect([legacy.status, legacy.body, limit(legacy), reset(legacy)]).toEqual([400, LIMITED, '1', '3']);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // the injected refusal left the slot free
    expect((await getJson(sandbox, USER, token)).status).toBe(429);
    expect(sandbox.stats().byEndpoint.user_get).toMatchObject({ rateLimited: 2, byStatus: { 400: 1, 200: 1, 429: 1 } });
  });

  test('an injected failure (5xx, drop, bad reply) stands for a request Feishu let through: it uses a free slot but is never refused', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 1 });
    const token = await tenantToken(sandbox);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'status', status: 500 });
    expect((await raw('GET', USER, undefined, token)).status).toBe(500);
    expect((await getJson(sandbox, USER, token)).status).toBe(429); // the 500 used this second's slot
    clock.advance(500);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'status', status: 503 });
    expect((await raw('GET', USER, undefined, token)).status).toBe(503); // over the cap, yet the test sees its fault
    clock.advance(500);
    expect((await getJson(sandbox, USER, token)).status).toBe(200); // the 500 has left; the 503 found no free slot, so took none
    clock.advance(1000);
    sandbox.injectFault({ endpoint: 'user_get', kind: 'drop' });
    await expect(raw('GET', USER, undefined, token)).rejects.toThrow(); // the connection is cut, but the request may have counted
    expect((await getJson(sandbox, USER, token)).status).toBe(429);
  });
});

describe('whose quota: one per endpoint × app', () => {
  test('apps have separate quotas; tokens of the same app share one', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 1, apps: [{ appId: 'cli_a' }, { appId: 'cli_b' }] });
    const [a, b] = sandbox.apps;
    const tokenA = await tenantToken(sandbox, a!.appId, a!.appSecret);
    const tokenB = await tenantToken(sandbox, b!.appId, b!.appSecret);
    expect((await getJson(sandbox, USER, tokenA)).status).toBe(200);
    expect((await getJson(sandbox, USER, tokenA)).status).toBe(429);
    expect((await getJson(sandbox, USER, tokenB)).status).toBe(200);
    // A user token of app A (as another process of the same app would hold) gets no quota of its own.
    const { access } = await userToken(sandbox, 'zhangsan'); // issued to the first app, cli_a
    expect((await getJson(sandbox, USER, access)).status).toBe(429);
  });

  test('endpoints have separate quotas', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 1 });
    const token = await tenantToken(sandbox);
    expect((await getJson(sandbox, USER, token)).status).toBe(200);
    expect((await getJson(sandbox, USER, token)).status).toBe(429);
    expect((await getJson(sandbox, DEPARTMENT, token)).status).toBe(200);
    expect((await getJson(sandbox, DEPARTMENT, token)).status).toBe(429);
    expect(sandbox.stats().byEndpoint).toMatchObject({ user_get: { rateLimited: 1 }, department_get: { rateLimited: 1 }, tenant_token: { rateLimited: 0 } });
  });
});

describe('which endpoints', () => {
  // One request per emulated endpoint; the limiter answers before any validation, so these need not be valid.
  const REQUESTS: Record<EndpointName, (s: Sandbox) => ['GET' | 'POST', string, unknown?]> = {
    tenant_token: (s) => ['POST', '/open-apis/auth/v3/tenant_access_token/internal', { app_id: s.appId, app_secret: s.appSecret }],
    app_token: (s) => ['POST', '/open-apis/auth/v3/app_access_token/internal', { app_id: s.appId, app_secret: s.appSecret }],
    oauth_token: (s) => ['POST', '/open-apis/authen/v2/oauth/token', { grant_type: 'authorization_code', client_id: s.appId, client_secret: s.appSecret, code: 'x' }],
    user_info: () => ['GET', '/open-apis/authen/v1/user_info'],
    user_get: () => ['GET', USER],
    users_batch: () => ['GET', '/open-apis/contact/v3/users/batch?user_ids=zhangsan&user_id_type=user_id'],
    find_by_department: () => ['GET', '/open-apis/contact/v3/users/find_by_department?department_id=0'],
    department_get: () => ['GET', DEPARTMENT],
    department_children: () => ['GET', '/open-apis/contact/v3/departments/0/children'],
    departments_batch: () => ['GET', '/open-apis/contact/v3/departments/batch?department_ids=engineering&department_id_type=department_id'],
    contact_scopes: () => ['GET', '/open-apis/contact/v3/scopes'],
    authorize: (s) => ['GET', `/open-apis/authen/v1/authorize?client_id=${s.appId}&redirect_uri=x&response_type=code`],
    ws_endpoint: (s) => ['POST', '/callback/ws/endpoint', { AppID: s.appId, AppSecret: s.appSecret }],
  };

  test('every Open API endpoint gets the minute cap too: the documented ones, the "special" user_info and department get, and the undocumented token and ws endpoints', async () => {
    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 100, ratePerMinute: 1 });
    for (const name of ENDPOINT_NAMES) {
      const [method, path, body] = REQUESTS[name](sandbox);
      expect([name, (await raw(method, path, body)).status]).not.toEqual([name, 429]);
    }
    clock.advance(1000); // out of the per-second window: only the minute cap can refuse now
    for (const name of ENDPOINT_NAMES) {
      const [method, path, body] = REQUESTS[name](sandbox);
      const refused = await raw(method, path, body);
      expect([name, refused.status, JSON.parse(refused.text), limit(refused), reset(refused)]).toEqual([name, 429, LIMITED, '1', '59']);
    }
    for (const name of ENDPOINT_NAMES) expect([name, sandbox.stats().byEndpoint[name].rateLimited]).toEqual([name, 1]);
  });

  test('the control routes and browser stand-ins are never limited, nor counted', async () => {
    await start({ now: () => MINUTE, rate: 1, ratePerMinute: 1 });
    for (let i = 0; i < 5; i++) {
      expect((await raw('GET', '/_sandbox/stats')).status).toBe(200);
      expect((await raw('GET', '/_sandbox/users')).status).toBe(200);
      expect((await raw('POST', '/_sandbox/codes', { userId: 'lisi' })).status).toBe(200);
      expect((await raw('GET', '/_sandbox/qrlogin.js')).status).toBe(200);
    }
    expect(sandbox.stats().total).toBe(0);
  });

  test('rate: 0 turns limiting off (benchmarks); ratePerMinute: 0 keeps only the per-second cap', async () => {
    await start({ now: () => MINUTE, rate: 0 });
    const token = await tenantToken(sandbox);
    const replies = await Promise.all(Array.from({ length: 120 }, () => getJson(sandbox, USER, token)));
    expect(replies.every((r) => r.status === 200)).toBe(true);

    const clock = manualClock(MINUTE);
    await start({ now: clock.now, rate: 2, ratePerMinute: 0 });
    const token2 = await tenantToken(sandbox);
    for (let s = 0; s < 40; s++, clock.advance(1000)) {
      expect((await getJson(sandbox, USER, token2)).status).toBe(200);
      expect((await getJson(sandbox, USER, token2)).status).toBe(200); // 80 in 40 s: no minute cap
    }
    expect((await getJson(sandbox, USER, token2)).status).toBe(200);
    expect((await getJson(sandbox, USER, token2)).status).toBe(200);
    const third = await getJson(sandbox, USER, token2);
    expect([third.status, limit(third)]).toEqual([429, '2']); // but still 2 per second
  });
});
