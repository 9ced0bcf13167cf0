import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { FSInnerCodes } from '../../../../../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import { budgetOf, FeishuQuota, type QuotaOptions } from '../../../../../../elements/auths/loginTypes/FSInnerType/feishu/quota.js';
import { SharedState } from '../../../../../../runtime/shared/shared-state.js';

/**
 * Two FeishuQuota on one SharedState are two processes of one app on one store (Redis or the
 * database count the same way; test/multiprocess/shared-quota.test.ts runs real processes). Time is
 * jest's fake clock: the windows are whole seconds, and a test of minutes must not take minutes.
 */
const quotaOf = (shared: SharedState, options: Partial<QuotaOptions> = {}) =>
  new FeishuQuota(shared, { appId: 'cli_quota_test', perSecond: 48, perMinute: 990, maxWaitMs: 10_000, ...options });

/** The most of these (sorted) times that fall in one span [t, t + ms). */
function mostInAnySpan(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + ms) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

/** `callers` loops taking the budget of `endpoint` until `until`, recording when each got through; refusals (45009) are counted. */
function saturate(quota: FeishuQuota, endpoint: string, callers: number, until: number, as: 'interactive' | 'bulk') {
  const passed: number[] = [];
  let refused = 0;
  const loop = async () => {
    while (Date.now() < until) {
      try {
        await quota.acquire(endpoint);
        if (Date.now() < until) passed.push(Date.now());
      } catch (err) {
        expect(err).toMatchObject({ code: FSInnerCodes.RATE_LIMITED });
        refused++;
        // As a client told to retry: not before a moment has passed (a refusal can come at once).
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const done = Promise.all(Array.from({ length: callers }, () => (as === 'bulk' ? quota.bulk(loop) : loop())));
  return { passed, refusedCount: () => refused, done };
}

/** Advances the fake clock until `work` settles: callers still waiting when a run ends get through a window or two later. */
async function finish<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  void work.finally(() => (settled = true)).catch(() => undefined);
  for (let i = 0; i < 120 && !settled; i++) await jest.advanceTimersByTimeAsync(1_000);
  return work;
}

beforeEach(() => {
  jest.useFakeTimers({ now: 1_800_000_000_123 }); // not on a window boundary
});
afterEach(() => {
  jest.useRealTimers();
});

describe('one budget per Feishu app and endpoint, shared by its processes', () => {
  test('two processes flat out stay within 48 in any second and 990 in any minute together, and get 930 a minute', async () => {
    const shared = SharedState.inMemory();
    const start = Date.now();
    const until = start + 180_000;
    const a = saturate(quotaOf(shared), 'oauth_token', 30, until, 'bulk');
    const b = saturate(quotaOf(shared), 'oauth_token', 30, until, 'bulk');
    await jest.advanceTimersByTimeAsync(180_000);
    await finish(Promise.all([a.done, b.done]));
    const all = [...a.passed, ...b.passed];

    expect(mostInAnySpan(all, 1000)).toBeLessThanOrEqual(48);
    expect(mostInAnySpan(all, 60_000)).toBeLessThanOrEqual(990);
    // Steady pace 30/31 of the minute's budget: 930/min, i.e. 2,790 in 3 minutes (a window or two lost at the edges).
    expect(budgetOf({ perSecond: 48, perMinute: 990 }).steadyPerMinute).toBe(930);
    expect(all.length).toBeGreaterThanOrEqual(2_760);
    // Both processes got a fair part of it: neither was starved.
    expect(Math.min(a.passed.length, b.passed.length)).toBeGreaterThan(all.length / 4);
  });

  test('two processes share every window between them, rather than the first awake taking it all', async () => {
    // A small budget (4 per 2 s window, a step of 200 ms) and a short rush: the case where one server could go without.
    const shared = SharedState.inMemory();
    const options = { perSecond: 10, perMinute: 124 };
    const start = Date.now();
    const until = start + 8_000;
    const a = saturate(quotaOf(shared, options), 'oauth_token', 6, until, 'interactive');
    const b = saturate(quotaOf(shared, options), 'oauth_token', 6, until, 'interactive');
    await jest.advanceTimersByTimeAsync(8_000);
    await finish(Promise.all([a.done, b.done]));

    const windowOf = (t: number) => Math.floor(t / 2000);
    for (let w = windowOf(start) + 1; w < windowOf(until); w++) {
      const inWindow = (times: number[]) => times.filter((t) => windowOf(t) === w).length;
      expect([inWindow(a.passed), inWindow(b.passed)]).toEqual([2, 2]);
    }
  });

  test('a lone process still gets the steady pace: stepping leaves no budget unused', async () => {
    const quota = quotaOf(SharedState.inMemory());
    const until = Date.now() + 60_000;
    const alone = saturate(quota, 'user_get', 50, until, 'bulk');
    await jest.advanceTimersByTimeAsync(60_000);
    await finish(alone.done);
    expect(alone.passed.length).toBeGreaterThanOrEqual(920); // 930 a minute, a window lost at an edge
    expect(quota.stepMs).toBeCloseTo(41.7, 1);
  });

  test('each endpoint and each Feishu app has its own budget', async () => {
    const shared = SharedState.inMemory();
    const spent = saturate(quotaOf(shared, { perSecond: 4, perMinute: 62 }), 'oauth_token', 5, Date.now() + 4_000, 'bulk');
    await jest.advanceTimersByTimeAsync(10);
    const otherEndpoint = quotaOf(shared, { perSecond: 4, perMinute: 62 }).acquire('user_get');
    const otherApp = quotaOf(shared, { appId: 'cli_another_app', perSecond: 4, perMinute: 62 }).acquire('oauth_token');
    let resolved = 0;
    void otherEndpoint.then(() => resolved++);
    void otherApp.then(() => resolved++);
    await jest.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(2);
    await finish(spent.done);
  });
});

describe('logins before bulk work', () => {
  test('in a process, a login waiting behind a bulk backlog of 500 goes in the next window', async () => {
    const quota = quotaOf(SharedState.inMemory());
    let bulkPassed = 0;
    const backlog = Array.from({ length: 500 }, () => quota.bulk(() => quota.acquire('user_get')).then(() => bulkPassed++));
    await jest.advanceTimersByTimeAsync(3_000);
    const asked = Date.now();
    let waitedMs = -1;
    void quota.acquire('user_get').then(() => (waitedMs = Date.now() - asked));
    await jest.advanceTimersByTimeAsync(2_100);
    expect(waitedMs).toBeGreaterThanOrEqual(0);
    expect(waitedMs).toBeLessThanOrEqual(2_100);
    expect(bulkPassed).toBeLessThan(500); // the backlog was still there: the login went before it
    await finish(Promise.all(backlog));
  });

  test('across processes, bulk work stands back while logins wait: they get over 90 % of the budget', async () => {
    const shared = SharedState.inMemory();
    const until = Date.now() + 60_000;
    const sync = saturate(quotaOf(shared), 'user_get', 10, until, 'bulk');
    await jest.advanceTimersByTimeAsync(5_000);
    const rushStart = Date.now();
    const logins = saturate(quotaOf(shared), 'user_get', 40, until, 'interactive');
    await jest.advanceTimersByTimeAsync(56_000);
    await finish(Promise.all([sync.done, logins.done]));

    const syncDuringRush = sync.passed.filter((t) => t >= rushStart + 2_000).length;
    const loginsDuringRush = logins.passed.filter((t) => t >= rushStart + 2_000).length;
    expect(loginsDuringRush / (loginsDuringRush + syncDuringRush)).toBeGreaterThan(0.9);
    expect(sync.passed.filter((t) => t < rushStart).length).toBeGreaterThan(60); // it had the budget before the rush
  });

  test('a login that cannot get the budget within rateLimitWaitSeconds fails with 45009 RATE_LIMITED, retryable, instead of hanging', async () => {
    const quota = quotaOf(SharedState.inMemory(), { perSecond: 4, perMinute: 62, maxWaitMs: 1_000 });
    const outcomes = Array.from({ length: 20 }, () => quota.acquire('oauth_token').then(() => 'ok', (err: unknown) => err));
    await jest.advanceTimersByTimeAsync(1_100);
    const settled = await Promise.all(outcomes);
    const refused = settled.filter((o) => o !== 'ok');
    expect(settled.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThan(10);
    for (const err of refused) expect(err).toMatchObject({ code: FSInnerCodes.RATE_LIMITED, details: { endpoint: 'oauth_token', retryAfterSeconds: expect.any(Number) } });
  });

  test('a login past its code exchange goes before new logins and is never cut off by the wait limit', async () => {
    const quota = quotaOf(SharedState.inMemory(), { perSecond: 4, perMinute: 62, maxWaitMs: 1_000 });
    const newLogins = Array.from({ length: 10 }, () => quota.acquire('user_info').then(() => 'ok', () => 'refused'));
    let finished = 0;
    const underWay = Array.from({ length: 6 }, () => quota.continuing(() => quota.acquire('user_info')).then(() => finished++));
    await finish(Promise.all([...newLogins, ...underWay]));
    expect(finished).toBe(6); // 6 at 2 per 2 s window: 6 s, far past the 1 s limit
    expect((await Promise.all(newLogins)).filter((o) => o === 'ok').length).toBeLessThanOrEqual(2);
  });

  test('once the pace is known, a login whose line cannot clear within the limit is refused at once, not after waiting', async () => {
    const quota = quotaOf(SharedState.inMemory(), { perSecond: 4, perMinute: 62, maxWaitMs: 3_000 });
    const refusedAt: number[] = [];
    const started = Date.now();
    const rush = Array.from({ length: 60 }, (_, i) =>
      new Promise((r) => setTimeout(r, i * 200)).then(() =>
        quota.acquire('oauth_token').then(
          () => 'ok',
          (err: unknown) => {
            expect(err).toMatchObject({ code: FSInnerCodes.RATE_LIMITED, details: { retryAfterSeconds: expect.any(Number) } });
            refusedAt.push(Date.now() - started - i * 200); // how long this one waited before its refusal
            return 'refused';
          },
        ),
      ),
    );
    await finish(Promise.all(rush));
    expect(refusedAt.length).toBeGreaterThan(20);
    expect(refusedAt.filter((waited) => waited === 0).length).toBeGreaterThan(refusedAt.length / 2);
  });

  test('bulk work waits as long as it takes', async () => {
    const quota = quotaOf(SharedState.inMemory(), { perSecond: 4, perMinute: 62, maxWaitMs: 1_000 });
    let passed = 0;
    const all = Array.from({ length: 40 }, () => quota.bulk(() => quota.acquire('find_by_department')).then(() => passed++));
    await finish(Promise.all(all)); // 40 at 2 per 2 s window: ≈ 40 s
    expect(passed).toBe(40);
  });
});

describe("Feishu's 429", () => {
  test('pauses the endpoint for every process of the app for the reset it named', async () => {
    const shared = SharedState.inMemory();
    const a = quotaOf(shared);
    const b = quotaOf(shared);
    await b.acquire('user_get'); // b has already read the flags once
    await jest.advanceTimersByTimeAsync(500);
    await a.pause('user_get', 5_000);
    const paused = Date.now();
    let waitedMs = -1;
    void b.bulk(() => b.acquire('user_get')).then(() => (waitedMs = Date.now() - paused));
    let otherEndpoint = false;
    void b.acquire('department_children').then(() => (otherEndpoint = true));
    await jest.advanceTimersByTimeAsync(4_900);
    expect(waitedMs).toBe(-1);
    expect(otherEndpoint).toBe(true);
    await jest.advanceTimersByTimeAsync(200);
    expect(waitedMs).toBeGreaterThanOrEqual(5_000);
  });

  test('after 4 refusals in a row, what waits for the paused endpoint fails with 45009 at once, bulk work too; an answer starts the count over', async () => {
    const quota = quotaOf(SharedState.inMemory());
    await quota.acquire('find_by_department'); // the endpoint has a line in this process
    for (let i = 0; i < 3; i++) await quota.pause('find_by_department', 5_000);
    const waitingOut = quota.bulk(() => quota.acquire('find_by_department')).then(() => 'sent', (err: unknown) => err);
    await jest.advanceTimersByTimeAsync(100);
    await quota.pause('find_by_department', 5_000); // the 4th in a row
    const pausedAt = Date.now();
    const outcomes = await finish(
      Promise.all([waitingOut, ...Array.from({ length: 15 }, () => quota.bulk(() => quota.acquire('find_by_department')).then(() => 'sent', (err: unknown) => err))]),
    );
    expect(Date.now() - pausedAt).toBeLessThanOrEqual(1_000); // none waited out the 5 s pause
    for (const outcome of outcomes) expect(outcome).toMatchObject({ code: FSInnerCodes.RATE_LIMITED, details: { retryAfterSeconds: 5 } });

    await jest.advanceTimersByTimeAsync(5_000);
    quota.answered('find_by_department');
    await quota.pause('find_by_department', 1_000);
    let sent = false;
    void quota.bulk(() => quota.acquire('find_by_department')).then(() => (sent = true));
    await jest.advanceTimersByTimeAsync(1_100);
    expect(sent).toBe(true); // one refusal after an answer: it waits the pause out
  });

  test('a login is not made to wait for a reset longer than it may wait', () => {
    const quota = quotaOf(SharedState.inMemory(), { maxWaitMs: 10_000 });
    expect(quota.mayWait(5_000)).toBe(true);
    expect(quota.mayWait(40_000)).toBe(false);
    expect(quota.bulk(async () => quota.mayWait(40_000))).resolves.toBe(true);
  });
});
