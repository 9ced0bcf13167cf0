import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { HttpCodes } from '../../runtime/http/http-errors.js';
import type { Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { ENGINE } from '../helpers/database.js';
import { REDIS_URL, redisReachable } from '../helpers/redis.js';
import { post, startServerPair, type ServerPair, type ServerProcess } from './servers.js';

const FS = '/api/auths/loginTypes/FSInnerExample';
const LIMIT = 4;

// CI starts Redis; a developer machine without it skips the Redis store by name.
const redisUp = process.env['CI'] ? true : await redisReachable(REDIS_URL);

/**
 * The sign-in limit belongs to the app, not to the process: two `jit serve`
 * processes of one app give a client one budget between them, counted in the
 * app's database by default, or in Redis when JIT_REDIS_URL is set.
 */
describe.each([
  { store: `the ${ENGINE} database`, redis: false },
  ...(redisUp ? [{ store: 'Redis', redis: true }] : []),
])('two server processes share one sign-in budget per client, counted in $store', ({ redis }) => {
  let pair: ServerPair;
  let sandbox: Sandbox;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    pair = await startServerPair({
      appName: `limit${Math.random().toString(36).slice(2, 8)}`, // a fresh key space in a shared Redis
      env: { JIT_LOGIN_RATE_LIMIT: String(LIMIT), ...(redis ? { JIT_REDIS_URL: REDIS_URL } : {}) },
    });
    ({ sandbox, a, b } = pair);
  }, 90_000);

  afterAll(async () => pair?.stop());

  test(`alternating between the servers, the client gets ${LIMIT} sign-in requests in all, not ${LIMIT} at each`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await post((i % 2 === 0 ? a : b).base, `${FS}/getLoginConfig`, {})).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429, 429]);
    const refused = await post(b.base, `${FS}/loginWithCode`, { authCode: sandbox.issueCode({ userId: 'lisi' }).code });
    expect([refused.status, refused.body.code]).toEqual([429, HttpCodes.TOO_MANY_REQUESTS]);
    // Other routes are not sign-in routes and stay open.
    expect((await fetch(`${a.base}/api/session`)).status).toBe(200);
  });
});
