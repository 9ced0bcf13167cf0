import { describe, expect, test } from '@jest/globals';
import type { Diagnostic } from '../../runtime/index.js';
import { until } from '../helpers/reload.js';
import { useScenarios } from '../helpers/scenario.js';

const scenario = useScenarios();

/** A Type that declares one service and records, on globalThis, each instance's start and close. */
const servedPlatform = (serviceBody = 'log.push(`start ${this.config.greeting}`);') => ({
  'platform/things/Meta/e.json': { title: 'Things', type: '' },
  'platform/things/ServedType/e.json': { title: 'Served', type: 'things.Meta', backendBundleEntry: 'index.ts' },
  'platform/things/ServedType/index.ts': `
const log: string[] = ((globalThis as any).__servicesLog ??= []);
export function extend(Base: any) {
  return class extends Base {
    static services = [{ name: 'ticker', method: 'startTicker' }];
    async startTicker() { ${serviceBody} }
    async close() { log.push(\`close \${this.config.greeting}\`); await super.close(); }
  };
}
`,
});
const served = (dir: string, greeting: string) => ({
  [`${dir}/e.json`]: { title: 'x', type: 'things.ServedType' },
  [`${dir}/${dir.slice(dir.lastIndexOf('/') + 1)}.json`]: { greeting },
});
const log = (): string[] => ((globalThis as Record<string, unknown>)['__servicesLog'] ??= []) as string[];

describe('services: work a Type runs per instance while the app is served', () => {
  test('each live instance is started once; a reload starts the instances it added or put in place of old ones, whose close() stopped them', async () => {
    log().length = 0;
    const s = scenario({ ...servedPlatform(), 'apps/a/app.json': { name: 'a' }, ...served('apps/a/things/One', 'one'), ...served('apps/a/things/Two', 'two') });
    const app = await s.load('a', { watch: true, services: true });
    expect([...log()].sort()).toEqual(['start one', 'start two']);

    s.write({ 'apps/a/things/One/One.json': { greeting: 'uno' } });
    await until(app, () => log().includes('start uno'));
    expect(log().filter((l) => l.startsWith('start'))).toHaveLength(3);
    expect(log()).toContain('close one');

    s.write(served('apps/a/things/Three', 'three'));
    await until(app, () => log().includes('start three'));
    expect(log().filter((l) => l === 'start two')).toHaveLength(1);

    await app.close();
    expect(log()).toEqual(expect.arrayContaining(['close uno', 'close two']));
  });

  test('not served, nothing starts (tools that only read the app never open connections)', async () => {
    log().length = 0;
    const s = scenario({ ...servedPlatform(), 'apps/a/app.json': { name: 'a' }, ...served('apps/a/things/One', 'one') });
    const app = await s.load('a');
    expect(log()).toEqual([]);
    await app.close();
  });

  test('a service that throws is a SERVICE_FAILED diagnostic and the instance still answers', async () => {
    log().length = 0;
    const s = scenario({ ...servedPlatform("throw new Error('no route to host');"), 'apps/a/app.json': { name: 'a' }, ...served('apps/a/things/One', 'one') });
    const seen: Diagnostic[] = [];
    const app = await s.load('a');
    app.on('diagnostic', (d: Diagnostic) => seen.push(d));
    await app.startServices();
    expect(seen).toEqual([expect.objectContaining({ code: 'SERVICE_FAILED', fullName: 'things.One', message: expect.stringContaining('ticker did not start: no route to host') })]);
    expect(app.getElement<{ config: { greeting: string } }>('things.One').config.greeting).toBe('one');
    await app.close();
  });

  test('a service naming a method the class lacks fails the Type at load (MODULE_EXPORT_INVALID)', async () => {
    const tree = servedPlatform();
    tree['platform/things/ServedType/index.ts'] = tree['platform/things/ServedType/index.ts'].replace("method: 'startTicker'", "method: 'startTocker'");
    const s = scenario({ ...tree, 'apps/a/app.json': { name: 'a' }, ...served('apps/a/things/One', 'one') });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'MODULE_EXPORT_INVALID', message: expect.stringContaining('startTocker') })]));
    await app.close();
  });
});
