import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { budgetOf } from '../../elements/auths/loginTypes/FSInnerType/feishu/quota.js';
import { FSInnerCodes } from '../../elements/auths/loginTypes/FSInnerType/feishu-errors.js';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { ENGINE } from '../helpers/database.js';
import { REDIS_URL, redisReachable } from '../helpers/redis.js';
import { post, startServerPair, type ServerPair, type ServerProcess } from './servers.js';

const FS = '/api/auths/loginTypes/FSInnerExample';

/** A small budget, the same in the instance and in the sandbox: 5 per 1 s window and 4 per 2 s window per endpoint (quota.ts). */
const PER_SECOND = 10;
const PER_MINUTE = 124;
const { perSecondWindow, perTwoSecondWindow } = budgetOf({ perSecond: PER_SECOND, perMinute: PER_MINUTE });
/** How long new logins are started; the ones in flight then finish (or are refused) within the wait below. */
const RUSH_MS = 8000;
/** A login waits this long at most for the budget, then is refused with 45009: the rush ends soon after it stops. */
const WAIT_SECONDS = 2;
/** Logins in flight at each server at any moment: always more than the budget lets through, so it is spent every window. */
const WORKERS = 6;

// CI starts Redis; a developer machine without it skips the Redis store by name.
const redisUp = process.env['CI'] ? true : await redisReachable(REDIS_URL);

/** Clock-aligned windows of `ms` that the span [from, to] touches (the quota's counters are such windows). */
const windowsTouched = (from: number, to: number, ms: number) => Math.floor(to / ms) - Math.floor(from / ms) + 1;
/** Clock-aligned windows of `ms` lying wholly inside [from, to]. */
const windowsInside = (from: number, to: number, ms: number) => Math.max(0, Math.floor(to / ms) - Math.ceil(from / ms));

interface Rush {
  startedAt: number;
  stoppedAt: number;
  settledAt: number;
  done: { a: number; b: number };
  refused: number;
}

/**
 * Feishu's quota belongs to the app, not to the process (feishu/quota.ts): two `jit serve`
 * processes of one app, both driven with first logins as fast as they take them, spend one budget
 * per endpoint between them — counted in the app's database by default, or in Redis when
 * JIT_REDIS_URL is set — and fetch the tenant token once between them.
 */
describe.each([
  { store: `the ${ENGINE} database`, redis: false },
  ...(redisUp ? [{ store: 'Redis', redis: true }] : []),
])('two server processes spend one Feishu quota between them, counted in $store', ({ redis }) => {
  let pair: ServerPair;
  let sandbox: Sandbox;
  let a: ServerProcess;
  let b: ServerProcess;
  let rush: Rush;

  beforeAll(async () => {
    const unique = randomBytes(8).toString('hex');
    pair = await startServerPair({
      appName: `quota${unique.slice(0, 6)}`, // a fresh key space (tenant token) in a shared Redis
      // The quota is keyed by the Feishu app: an app id of its own, so no other run on a shared Redis draws on it.
      sandbox: { rate: PER_SECOND, ratePerMinute: PER_MINUTE, org: { departments: 12, users: 300 }, app: { appId: `cli_${unique}` } },
      config: { requestsPerSecond: PER_SECOND, requestsPerMinute: PER_MINUTE, rateLimitWaitSeconds: WAIT_SECONDS },
      // All load comes from one address: the per-client sign-in limit would refuse it first.
      env: { JIT_LOGIN_RATE_LIMIT: '0', JIT_REDIS_URL: redis ? REDIS_URL : '' },
    });
    ({ sandbox, a, b } = pair);
    rush = await loginRush();
  }, 90_000);

  afterAll(async () => pair?.stop());

  /** First logins only: everyone in a department, each person once; WORKERS at each server until RUSH_MS is up. */
  async function loginRush(): Promise<Rush> {
    const people = sandbox.org
      .activeUsers()
      .filter((u) => u.department_ids.length > 0)
      .map((u) => u.user_id);
    let next = 0;
    const done = { a: 0, b: 0 };
    let refused = 0;
    const startedAt = Date.now();
    const stoppedAt = startedAt + RUSH_MS;
    const worker = async (name: 'a' | 'b', server: ServerProcess) => {
      while (Date.now() < stoppedAt && next < people.length) {
        const userId = people[next++]!;
        const config = await post(server.base, `${FS}/getLoginConfig`, {});
        if (config.status !== 200) throw new Error(`getLoginConfig at ${name}: HTTP ${config.status} ${JSON.stringify(config.body)}`);
        const login = await post(server.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId }).code, state: config.body.data.state }, config.cookie);
        if (login.status === 200 && login.body.data?.userId === userId) done[name]++;
        else if (login.status === 429 && login.body.code === FSInnerCodes.RATE_LIMITED) refused++;
        else throw new Error(`loginWithCode at ${name}: HTTP ${login.status} ${JSON.stringify(login.body)}`);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, () => [worker('a', a), worker('b', b)]).flat());
    return { startedAt, stoppedAt, settledAt: Date.now(), done, refused };
  }

  test('Feishu answers no 429, and the code exchanges of both servers together stay within the one budget while spending it', () => {
    const stats = sandbox.stats();
    const limited = Object.entries(stats.byEndpoint).filter(([, e]) => e.rateLimited > 0 || (e.byStatus['429'] ?? 0) > 0);
    expect(limited.map(([name]) => name)).toEqual([]);

    const exchanged = stats.byEndpoint.oauth_token.byStatus['200'] ?? 0;
    // Every exchange took its place in the budget between the start of the rush and its end.
    const budget = Math.min(
      perTwoSecondWindow * windowsTouched(rush.startedAt, rush.settledAt, 2000),
      perSecondWindow * windowsTouched(rush.startedAt, rush.settledAt, 1000),
    );
    // Counted per process, each would have had that budget: together about twice it.
    expect(exchanged).toBeLessThanOrEqual(budget);
    // …and it was spent: most of the windows wholly inside the rush (60 %: a window can go unused while logins
    // refused with 45009 start over, and a process's pace estimate refuses the hopeless ones at once).
    expect(exchanged).toBeGreaterThanOrEqual(Math.floor(0.6 * perTwoSecondWindow * windowsInside(rush.startedAt, rush.stoppedAt, 2000)));
    // More was offered than the budget allowed (so it was the budget that limited).
    expect(rush.refused).toBeGreaterThan(0);
    // Each server got a fair part: windows are shared step by step, not won whole by whoever wakes first (quota.ts, Sharing).
    expect(Math.min(rush.done.a, rush.done.b)).toBeGreaterThanOrEqual((rush.done.a + rush.done.b) / 4);
    expect(rush.done.a + rush.done.b).toBeLessThanOrEqual(exchanged);
  });

  test('the two servers fetch the tenant token once between them', () => {
    // Every first login reads the contact record with the tenant token, at both servers from the first moment.
    expect(sandbox.stats().byEndpoint.user_get.total).toBeGreaterThan(0);
    expect(sandbox.stats().byEndpoint.tenant_token.total).toBe(1);
  });
});
