import { afterEach } from '@jest/globals';
import { join } from 'node:path';
import type { FSInnerConfig, FSInnerType } from '../../../../../elements/auths/loginTypes/FSInnerType/index.js';
import { startSandbox, type EndpointName, type Sandbox, type SandboxOptions } from '../../../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp, type App } from '../../../../../runtime/index.js';
import { createTestDatabase } from '../../../../helpers/database.js';
import { tempDir, writeTree, type Tree } from '../../../../helpers/fixture.js';

export const REDIRECT_URI = 'http://127.0.0.1/callback';
export const INSTANCE = 'auths.loginTypes.FSInnerExample';

/** A clock tests move by hand; shared by the app and the sandbox so expiries line up. */
export class TestClock {
  private offset = 0;
  readonly now = () => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

export interface FeishuWorld {
  sandbox: Sandbox;
  app: App;
  clock: TestClock;
  /** The FSInnerExample instance (or another id). */
  fs(id?: string): FSInnerType;
  root: string;
  /** The server database of this world, when the suite runs on one (JIT_TEST_DATABASE). */
  databaseUrl: string | undefined;
}

type WorldOptions = {
  config?: Partial<FSInnerConfig> & Record<string, unknown>;
  sandbox?: SandboxOptions;
  /** Extra files for the app (e.g. a second instance's e.json). */
  tree?: Tree;
  /** Names of further instances to give the same sandbox config (their e.json comes from `tree`). */
  otherConfig?: string;
};

/**
 * One app in a temp folder with an FSInnerExample instance pointing at a
 * fresh sandbox (rate limiting off unless asked), on the official elements and
 * a database of its own (SQLite in the temp folder, or a fresh PostgreSQL/MariaDB
 * database under JIT_TEST_DATABASE). Everything is torn down after each test.
 */
export function useFeishuWorld() {
  const teardown: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });
  return async function world(options: WorldOptions = {}): Promise<FeishuWorld> {
    const clock = new TestClock();
    const sandbox = await startSandbox({ rate: 0, now: clock.now, ...options.sandbox });
    teardown.push(() => sandbox.close());
    const t = tempDir('jit-fs-');
    teardown.push(t.cleanup);
    writeTree(t.dir, {
      'apps/demo/app.json': { name: 'demo' },
      'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu login', type: 'auths.loginTypes.FSInnerType' },
      'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': instanceConfig(sandbox, options.config),
      ...options.tree,
      ...(options.otherConfig ? { [`apps/demo/auths/loginTypes/${options.otherConfig}/${options.otherConfig}.json`]: instanceConfig(sandbox, options.config) } : {}),
    });
    const database = await createTestDatabase();
    teardown.push(() => database.drop());
    const app = await loadApp(join(t.dir, 'apps/demo'), { env: {}, clock: clock.now, dataDir: join(t.dir, 'data'), ...(database.url ? { databaseUrl: database.url, migrate: true } : {}) });
    teardown.push(() => app.close());
    if (app.diagnostics.length > 0) throw new Error(`fixture app has diagnostics: ${JSON.stringify(app.diagnostics, null, 2)}`);
    return { sandbox, app, clock, root: t.dir, databaseUrl: database.url, fs: (id = INSTANCE) => app.getElement<FSInnerType>(id) };
  };
}

export function instanceConfig(sandbox: Sandbox, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { appId: sandbox.appId, appSecret: sandbox.appSecret, domain: sandbox.baseUrl, redirectUri: REDIRECT_URI, ...overrides };
}

/** Requests the sandbox has answered on one endpoint. */
export const requests = (sandbox: Sandbox, endpoint: EndpointName): number => sandbox.stats().byEndpoint[endpoint]?.total ?? 0;

/** A QR-flow login for a sandbox user: the state from getLoginConfig, a code as if they scanned. */
export async function scanAndLogin(w: FeishuWorld, userId: string, id?: string) {
  const config = await w.fs(id).getLoginConfig();
  const { code } = w.sandbox.issueCode({ userId, redirectUri: REDIRECT_URI });
  return w.fs(id).getLoginCode({ authCode: code, state: config.state });
}
