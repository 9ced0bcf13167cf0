import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import type { FSInnerType } from '../../elements/auths/loginTypes/FSInnerType/index.js';
import { startSandbox, type Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp, type App } from '../../runtime/index.js';
import { createTestDatabase } from '../helpers/database.js';
import { tempDir } from '../helpers/fixture.js';
import { AuthCodes } from '../../runtime/auth/auth-errors.js';

const appsDir = fileURLToPath(new URL('../../apps/', import.meta.url));
const REDIRECT_URI = 'http://127.0.0.1/callback';
const INSTANCE = 'auths.loginTypes.FSInnerExample';

let sandbox: Sandbox;
const opened: App[] = [];
const cleanups: Array<() => void | Promise<void>> = [];

beforeEach(async () => {
  sandbox = await startSandbox({ rate: 0 });
});
afterEach(async () => {
  for (const app of opened.splice(0)) await app.close();
  await sandbox.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Loads a committed example app against this test's sandbox, strictly: the examples must stay free of diagnostics. */
async function open(name: 'demo' | 'custom'): Promise<App> {
  const t = tempDir('jit-apps-');
  cleanups.push(t.cleanup);
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  const app = await loadApp(appsDir + name, {
    strict: true,
    env: { FEISHU_DOMAIN: sandbox.baseUrl, FEISHU_REDIRECT_URI: REDIRECT_URI },
    dataDir: t.dir,
    ...(database.url ? { databaseUrl: database.url, migrate: true } : {}),
  });
  opened.push(app);
  return app;
}

async function login(app: App, userId: string) {
  const fs = app.getElement<FSInnerType>(INSTANCE);
  const { state } = await fs.getLoginConfig();
  const { code } = sandbox.issueCode({ userId, redirectUri: REDIRECT_URI });
  return fs.getLoginCode({ authCode: code, state });
}

describe('apps/demo', () => {
  test('declares FSInnerExample on the official FSInnerType and logs anyone in', async () => {
    const demo = await open('demo');
    expect(demo.explain('auths.loginTypes.FSInnerType')).toMatchObject({ layer: '@platform', shadowed: [] });
    expect(await login(demo, 'lisi')).toMatchObject({ userId: 'lisi', name: sandbox.org.user('lisi').name });
    expect(await login(demo, 'zhangsan')).not.toHaveProperty('accessLevel');
  });
});

describe('apps/custom', () => {
  test('overrides FSInnerType, and the instance declared in demo runs the override', async () => {
    const custom = await open('custom');
    expect(custom.explain('auths.loginTypes.FSInnerType')).toMatchObject({ layer: 'custom', overrides: ['@platform'] });
    expect(custom.explain(INSTANCE)).toMatchObject({ layer: 'demo', typeChain: ['auths.loginTypes.FSInnerType', 'auths.loginTypes.Meta'] });
    expect(custom.getElementDefine('auths.loginTypes.FSInnerType')?.functionList.map((f) => f.name)).toContain('getLoginConfig');
    expect(await login(custom, 'zhangsan')).toMatchObject({ userId: 'zhangsan', accessLevel: 'lead', team: sandbox.org.department('engineering').name });
    await expect(login(custom, 'lisi')).rejects.toMatchObject({ code: AuthCodes.LOGIN_NOT_ALLOWED, details: { reason: 'department' } });
  });

  test('the same instance through demo is untouched by the override', async () => {
    const custom = await open('custom');
    const demo = await open('demo');
    const viaCustom = custom.getElement<object>(INSTANCE);
    const viaDemo = demo.getElement<object>(INSTANCE);
    expect(Object.getPrototypeOf(viaCustom.constructor)).toBe(viaDemo.constructor); // the override subclasses the official class
  });
});
