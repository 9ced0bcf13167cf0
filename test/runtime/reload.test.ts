import { describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import type { App, Diagnostic } from '../../runtime/index.js';
import { useScenarios } from '../helpers/scenario.js';
import { greeter, type Greeter } from '../helpers/platform.js';

const scenario = useScenarios();

/** Resolves after the next reload the app applies. */
const nextReload = (app: App) => new Promise<void>((resolve) => app.once('reload', () => resolve()));

describe('hot reload', () => {
  test('add, edit, break, fix and remove an instance while the app runs', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Other', { greeting: 'other' }) });
    const app = await s.load('a', { watch: true });
    const seen: Diagnostic[] = [];
    app.on('diagnostic', (d: Diagnostic) => seen.push(d));

    // add
    let reloaded = nextReload(app);
    s.write(greeter('apps/a/greeters/Hello', { greeting: 'v1' }));
    await reloaded;
    await app.settled();
    const v1 = app.getElement<Greeter>('greeters.Hello');
    expect(v1.config.greeting).toBe('v1');

    // edit: a new instance replaces the old one, which is closed
    let closed = false;
    (v1 as unknown as { close(): Promise<void> }).close = async () => {
      closed = true;
    };
    reloaded = nextReload(app);
    s.write({ 'apps/a/greeters/Hello/Hello.json': { greeting: 'v2' } });
    await reloaded;
    await app.settled();
    const v2 = app.getElement<Greeter>('greeters.Hello');
    expect(v2.config.greeting).toBe('v2');
    expect(v2).not.toBe(v1);
    expect(closed).toBe(true);

    // break: the last good instance keeps serving, with a diagnostic
    reloaded = nextReload(app);
    s.write({ 'apps/a/greeters/Hello/Hello.json': '{"greeting": "v3",' });
    await reloaded;
    await app.settled();
    expect(app.getElement<Greeter>('greeters.Hello')).toBe(v2);
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'JSON_SYNTAX', fullName: 'greeters.Hello', keptLastGood: true })]);
    expect(seen.map((d) => d.code)).toEqual(['JSON_SYNTAX']);

    // fix: the diagnostic clears and the fixed version serves
    reloaded = nextReload(app);
    s.write({ 'apps/a/greeters/Hello/Hello.json': { greeting: 'v4' } });
    await reloaded;
    await app.settled();
    expect(app.diagnostics).toEqual([]);
    expect(app.getElement<Greeter>('greeters.Hello').config.greeting).toBe('v4');

    // remove
    reloaded = nextReload(app);
    rmSync(s.path('apps/a/greeters/Hello'), { recursive: true });
    await reloaded;
    await app.settled();
    expect(() => app.getElement('greeters.Hello')).toThrow(expect.objectContaining({ code: 10001 }));
    expect(app.getElement<Greeter>('greeters.Other').config.greeting).toBe('other');
  });

  test('an edit leaves unrelated instances untouched', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      ...greeter('apps/a/greeters/One', { greeting: 'one' }),
      ...greeter('apps/a/greeters/Two', { greeting: 'two' }),
    });
    const app = await s.load('a', { watch: true });
    const two = app.getElement('greeters.Two');
    const reloaded = nextReload(app);
    s.write({ 'apps/a/greeters/One/One.json': { greeting: 'uno' } });
    await reloaded;
    expect(app.getElement<Greeter>('greeters.One').config.greeting).toBe('uno');
    expect(app.getElement('greeters.Two')).toBe(two);
  });

  test('an override added to a child app takes over instances declared in the parent', async () => {
    const s = scenario({
      'apps/base/app.json': { name: 'base' },
      'apps/top/app.json': { name: 'top', extends: ['base'] },
      ...greeter('apps/base/greeters/Hello', { greeting: 'base' }),
    });
    const app = await s.load('top', { watch: true });
    expect(app.getElement<Greeter>('greeters.Hello').config.greeting).toBe('base');
    const reloaded = nextReload(app);
    s.write(greeter('apps/top/greeters/Hello', { greeting: 'top' }));
    await reloaded;
    await app.settled();
    expect(app.getElement<Greeter>('greeters.Hello').config.greeting).toBe('top');
    expect(app.explain('greeters.Hello')?.overrides).toEqual(['base']);
  });

  test('a code change is reported as needing a restart', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' } });
    const app = await s.load('a', { watch: true });
    const reloaded = nextReload(app);
    s.write({ 'platform/things/GreeterType/index.ts': '// edited\n' });
    await reloaded;
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'RESTART_REQUIRED', severity: 'warning' })]);
  });

  test('close() stops watching: later edits are not applied', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'v1' }) });
    const app = await s.load('a', { watch: true });
    let reloads = 0;
    app.on('reload', () => reloads++);
    await app.close();
    s.write({ 'apps/a/greeters/Hello/Hello.json': { greeting: 'v2' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(reloads).toBe(0);
  });
});
