// Shared by the Feishu benchmarks: an app in a temp folder with one FSInnerExample instance on a sandbox, and a load driver.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FSInnerType } from '../elements/auths/loginTypes/FSInnerType/index.js';
import type { Sandbox } from '../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { loadApp, type App } from '../runtime/index.js';

export const REDIRECT_URI = 'http://127.0.0.1/callback';
export const INSTANCE = 'auths.loginTypes.FSInnerExample';

export interface BenchApp {
  app: App;
  fs: FSInnerType;
  close(): Promise<void>;
}

/** An app in a temp folder with one FSInnerExample instance on `sandbox`, like the test harness but with SQLite on disk. */
export async function openApp(sandbox: Pick<Sandbox, 'appId' | 'appSecret' | 'baseUrl'>, config: Record<string, unknown> = {}, stores: { databaseUrl?: string | undefined; redisUrl?: string | undefined } = {}): Promise<BenchApp> {
  const dir = mkdtempSync(join(tmpdir(), 'jit-bench-feishu-'));
  const files: Record<string, unknown> = {
    'package.json': { type: 'module' },
    'apps/demo/app.json': { name: 'demo' },
    'apps/demo/auths/loginTypes/FSInnerExample/e.json': { title: 'Feishu login', type: 'auths.loginTypes.FSInnerType' },
    'apps/demo/auths/loginTypes/FSInnerExample/FSInnerExample.json': {
      appId: sandbox.appId,
      appSecret: sandbox.appSecret,
      domain: sandbox.baseUrl,
      redirectUri: REDIRECT_URI,
      ...config,
    },
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), JSON.stringify(content, null, 2));
  }
  const { databaseUrl, redisUrl } = stores;
  const app = await loadApp(join(dir, 'apps/demo'), { env: {}, dataDir: join(dir, 'data'), ...(databaseUrl ? { databaseUrl, migrate: true } : {}), ...(redisUrl ? { redisUrl } : {}) });
  if (app.diagnostics.length > 0) throw new Error(`bench app has diagnostics: ${JSON.stringify(app.diagnostics, null, 2)}`);
  return {
    app,
    fs: app.getElement<FSInnerType>(INSTANCE),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `count` tasks with `workers` in flight; returns each task's latency in ms and the wall time. */
export async function drive(count: number, workers: number, task: (i: number) => Promise<void>): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(workers, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

