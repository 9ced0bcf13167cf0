// The built package, as an app author's plain `node` process uses it: import by
// package name, and load an app whose Type is TypeScript with no build step.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadApp, OFFICIAL_ELEMENTS_DIR } from 'jit-runtime';

const root = mkdtempSync(join(tmpdir(), 'jit-smoke-'));
const write = (path, content) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
};
write('package.json', { type: 'module' });
write('app/app.json', { name: 'smoke' });
write('app/things/Meta/e.json', { title: 'Things', type: '' });
write('app/things/HelloType/e.json', { title: 'Hello', type: 'things.Meta', backendBundleEntry: 'index.ts' });
write('app/things/HelloType/index.ts', 'export function extend(Base: any) { return class extends Base { hello(): string { return `hello from ${this.fullName}`; } }; }\n');
write('app/things/One/e.json', { title: 'One', type: 'things.HelloType' });
try {
  const app = await loadApp(join(root, 'app'), { strict: true, databaseUrl: 'sqlite::memory:' });
  const said = app.getElement('things.One').hello();
  if (said !== 'hello from things.One') throw new Error(`unexpected: ${said}`);
  if (!OFFICIAL_ELEMENTS_DIR.includes('dist')) throw new Error(`platform layer should come from dist/: ${OFFICIAL_ELEMENTS_DIR}`);
  await app.close();
  console.log('built package smoke test: ok');
} finally {
  rmSync(root, { recursive: true, force: true });
}
