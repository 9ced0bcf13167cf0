import { afterEach, expect, test } from '@jest/globals';
import { loadApp } from '../../runtime/index.js';
import { tempDir, writeTree } from '../helpers/fixture.js';

let cleanup = () => {};
afterEach(() => cleanup());

test('smoke', async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  writeTree(t.dir, {
    'platform/things/Meta/e.json': { title: 'Things', type: '' },
    'platform/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.ts', configSchema: 'schema.json' },
    'platform/things/GreeterType/schema.json': { type: 'object', required: ['greeting'], properties: { greeting: { type: 'string' } }, additionalProperties: false },
    'platform/things/GreeterType/index.ts': 'export function extend(Base: any) { return class Greeter extends Base { greet(n: string) { return `${this.config.greeting}, ${n}`; } }; }\n',
    'apps/a/app.json': { name: 'a' },
    'apps/a/things/Hello/e.json': { title: 'Hello', type: 'things.GreeterType' },
    'apps/a/things/Hello/Hello.json': { greeting: 'Hi' },
  });
  const app = await loadApp(`${t.dir}/apps/a`, { platformDir: `${t.dir}/platform` });
  expect(app.diagnostics).toEqual([]);
  const hello = app.getElement<{ greet(n: string): string }>('things.Hello');
  expect(hello.greet('Bob')).toBe('Hi, Bob');
  await app.close();
});
