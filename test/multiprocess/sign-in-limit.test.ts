import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { HttpCodes } from '../../runtime/http/http-errors.js';
import { defaultApp, startSandbox, type Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { createTestDatabase, ENGINE, type TestDatabase } from '../helpers/database.js';
import { tempDir, writeTree } from '../helpers/fixture.js';
import { freePort } from '../helpers/ports.js';
import { REDIS_URL, redisReachable } from '../helpers/redis.js';
import { post, startServer, type ServerProcess } from './servers.js';

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
  let sandbox: Sandbox;
  let database: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  const temp = tempDir('jit-limit-');

  beforeAll(async () => {
    sandbox = await startSandbox({ rate: 0, apps: [defaultApp()] });
    const appName = `limit${Math.random().toString(36).slice(2, 8)}`; // a fresh key space in a shared Redis
    writeTree(temp.dir, {
      'apps/demo/app.json': { name: appName },
      'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu', type: 'auths.loginTypes.FSInnerType' },
      'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': { appId: sandbox.appId, appSecret: '${FEISHU_APP_SECRET}', domain: sandbox.baseUrl },
    });
    database = await createTestDatabase();
    const env: Record<string, string> = {
      JIT_DATABASE_URL: database.url ?? `sqlite:${join(temp.dir, 'shared.sqlite')}`,
      FEISHU_APP_SECRET: sandbox.appSecret,
      JIT_LOGIN_RATE_LIMIT: String(LIMIT),
      ...(redis ? { JIT_REDIS_URL: REDIS_URL } : {}),
    };
    const appDir = join(temp.dir, 'apps/demo');
    a = await startServer(appDir, await freePort(), env);
    b = await startServer(appDir, await freePort(), env);
  }, 90_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await sandbox?.close();
    await database?.drop();
    temp.cleanup();
  });

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
