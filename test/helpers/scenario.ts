import { afterEach } from '@jest/globals';
import { join } from 'node:path';
import { loadApp, readManifest, type App, type AppManifest, type LoadAppOptions, type ManifestOptions } from '../../runtime/index.js';
import { createTestDatabase, ENGINE, type TestDatabase } from './database.js';
import { tempDir, writeTree, type Tree } from './fixture.js';
import { platformTree } from './platform.js';

/**
 * One fixture tree per test: `scenario(tree)` writes the platform layer plus
 * `tree` into a fresh temp folder; `load(app)` loads `apps/<app>` against it,
 * `manifest(app)` reads its manifest only.
 * Apps and temp folders are closed and removed after each test.
 */
export function useScenarios() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return function scenario(tree: Tree, withPlatform = true) {
    const t = tempDir();
    cleanups.push(t.cleanup);
    writeTree(t.dir, withPlatform ? { ...platformTree(), ...tree } : tree);
    const root = t.dir;
    // On a server engine (JIT_TEST_DATABASE) the scenario's loads share one fresh database, as they would share a file.
    let database: Promise<TestDatabase> | undefined;
    const databaseOptions = async (): Promise<LoadAppOptions> => {
      if (ENGINE === 'sqlite') return {};
      if (!database) {
        database = createTestDatabase();
        const created = database;
        cleanups.push(async () => (await created).drop());
      }
      return { databaseUrl: (await database).url!, migrate: true };
    };
    return {
      root,
      path: (...parts: string[]) => join(root, ...parts),
      write: (more: Tree) => writeTree(root, more),
      /** The manifest of `apps/<app>` only (readManifest): no database, nothing to close. */
      manifest(app: string, options: ManifestOptions = {}): Promise<AppManifest> {
        return readManifest(join(root, 'apps', app), { platformDir: join(root, 'platform'), env: {}, ...options });
      },
      async load(app: string, options: LoadAppOptions = {}): Promise<App> {
        const loaded = await loadApp(join(root, 'apps', app), { platformDir: join(root, 'platform'), env: {}, ...(await databaseOptions()), ...options });
        cleanups.push(() => loaded.close());
        return loaded;
      },
    };
  };
}
