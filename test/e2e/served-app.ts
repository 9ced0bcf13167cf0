import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { defaultApp, startSandbox, type Sandbox } from '../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { createHttpServer } from '../../runtime/http/server.js';
import { loadApp, type App } from '../../runtime/index.js';
import { tempDir, writeTree, type Tree } from '../helpers/fixture.js';
import { freePort } from '../helpers/ports.js';
import { launch } from './browser.js';

export const artifacts = new URL('../artifacts/', import.meta.url).pathname;

export interface ServedApp {
  sandbox: Sandbox;
  app: App;
  browser: Browser;
  /** http://localhost:<port> — the app; the sandbox is on 127.0.0.1, another origin, as Feishu is. */
  base: string;
  close(): Promise<void>;
}

/**
 * A demo app with one Feishu login instance, served on a real port next to a
 * sandbox that knows its callback URL, plus a Chromium to drive it.
 */
export async function serveDemoApp(options: { env?: (sandbox: Sandbox) => Record<string, string>; watch?: boolean; secretInConfig?: boolean; tree?: Tree } = {}): Promise<ServedApp> {
  mkdirSync(artifacts, { recursive: true });
  const temp = tempDir('jit-e2e-');
  const port = await freePort();
  const base = `http://localhost:${port}`;
  // The callback, and the pages that run inside the Feishu client (requestAccess checks the calling page's URL).
  const sandbox = await startSandbox({ rate: 0, apps: [{ ...defaultApp(), redirectUris: [`${base}/login/callback`, `${base}/login`, `${base}/`] }] });
  writeTree(temp.dir, {
    'apps/demo/app.json': { name: 'demo', title: 'Demo app' },
    'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu', type: 'auths.loginTypes.FSInnerType', i18n: { 'zh-CN': { title: '飞书' } } },
    'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': {
      appId: sandbox.appId,
      appSecret: sandbox.appSecret,
      domain: sandbox.baseUrl,
      redirectUri: `${base}/login/callback`,
      adminUserIds: ['zhangsan'],
    },
    ...options.tree, // further elements, e.g. a fixture Type
  });
  const app = await loadApp(join(temp.dir, 'apps/demo'), { env: options.env?.(sandbox) ?? {}, dataDir: join(temp.dir, 'data'), watch: options.watch ?? false });
  const server = await createHttpServer(app, { logLevel: false });
  await server.listen({ port, host: '127.0.0.1' });
  const browser = await launch();
  return {
    sandbox,
    app,
    browser,
    base,
    async close() {
      await browser.close();
      await server.close();
      await app.close();
      await sandbox.close();
      temp.cleanup();
    },
  };
}
