import { describe, expect, test } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import type { ElementHost } from '../../runtime/element.js';
import { RuntimeCodes, type App, type Diagnostic, type ReloadEvent } from '../../runtime/index.js';
import { Registry } from '../../runtime/registry.js';
import { Reloader } from '../../runtime/reloader.js';
import { useScenarios } from '../helpers/scenario.js';
import { greeter, type Greeter } from '../helpers/platform.js';
import { until } from '../helpers/reload.js';

const scenario = useScenarios();

/** Resolves after the next reload the app applies. */
const nextReload = (app: App) => new Promise<void>((resolve) => app.once('reload', () => resolve()));


const GREETER_FUNCTIONS = [{ name: 'greet', access: 'public', args: [] }];

/** A platform whose Greeter Type lists a method, so functionList has something to answer. */
const listedPlatform = {
  'platform/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.ts', configSchema: 'config.schema.json', functionList: GREETER_FUNCTIONS },
};

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
    expect(() => app.getElement('greeters.Hello')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_NOT_FOUND }));
    expect(app.getElement<Greeter>('greeters.Other').config.greeting).toBe('other');
  });

  test('saves in quick succession: the last one is what serves (no write is swallowed)', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'v0' }) });
    const app = await s.load('a', { watch: true });
    for (let i = 1; i <= 5; i++) {
      writeFileSync(s.path('apps/a/greeters/Hello/Hello.json'), JSON.stringify({ greeting: `v${i}` }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(app, () => app.getElement<Greeter>('greeters.Hello').config.greeting === 'v5');
    expect(app.getElement<Greeter>('greeters.Hello').config.greeting).toBe('v5');
  });

  test('a folder of elements removed and put back while running', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/team/One', { greeting: 'one' }), ...greeter('apps/a/greeters/team/Two', { greeting: 'two' }) });
    const app = await s.load('a', { watch: true });
    rmSync(s.path('apps/a/greeters/team'), { recursive: true });
    await until(app, () => app.getElementDefine('greeters.team.One') === undefined && app.getElementDefine('greeters.team.Two') === undefined);
    s.write(greeter('apps/a/greeters/team/One', { greeting: 'back' }));
    await until(app, () => app.getElementDefine('greeters.team.One') !== undefined);
    expect(app.getElement<Greeter>('greeters.team.One').config.greeting).toBe('back');
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

describe('last good means last good everywhere', () => {
  /** The broken edits of an instance, each with the diagnostic it raises. */
  const brokenEdits: Array<{ name: string; file: string; text: string; code: Diagnostic['code'] }> = [
    { name: 'config JSON syntax error', file: 'Hello.json', text: '{"greeting": "v2",', code: 'JSON_SYNTAX' },
    { name: "config failing the Type's schema", file: 'Hello.json', text: '{"greeting": ""}', code: 'CONFIG_INVALID' },
    { name: 'e.json syntax error', file: 'e.json', text: '{"title": "Renamed", "type": ', code: 'JSON_SYNTAX' },
    { name: 'e.json naming an unknown type', file: 'e.json', text: '{"title": "Renamed", "type": "things.NoSuchType"}', code: 'UNKNOWN_TYPE' },
  ];

  test.each(brokenEdits)('every query answers from the last good version after a $name', async ({ file, text, code }) => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...listedPlatform, ...greeter('apps/a/greeters/Hello', { greeting: 'v1' }, 'Hello') });
    const app = await s.load('a', { watch: true });
    const served = app.getElement<Greeter>('greeters.Hello');
    const define = app.getElementDefine('greeters.Hello');
    const definitions = app.definitionsOf('greeters.Hello');
    expect(define).toMatchObject({ quarantined: false, keptLastGood: false, title: 'Hello' });
    expect(app.functionList('greeters.Hello')).toEqual(GREETER_FUNCTIONS);

    const events: ReloadEvent[] = [];
    app.on('reload', (e: ReloadEvent) => events.push(e));
    writeFileSync(s.path('apps/a/greeters/Hello', file), text);
    await until(app, () => app.diagnostics.some((d) => d.code === code));

    expect(app.getElement('greeters.Hello')).toBe(served);
    const kept = { ...define, keptLastGood: true };
    expect(app.getElementDefine('greeters.Hello')).toEqual(kept);
    expect(app.listElements({ kind: 'instance' })).toEqual([kept]);
    expect(app.listElements({ type: 'things.GreeterType' })).toEqual([kept]);
    expect(app.functionList('greeters.Hello')).toEqual(GREETER_FUNCTIONS);
    expect(app.definitionsOf('greeters.Hello')).toEqual(definitions);
    expect(app.explain('greeters.Hello')).toMatchObject({
      ...kept,
      typeChain: ['things.GreeterType', 'things.Meta'],
      diagnostics: [expect.objectContaining({ code, file: s.path('apps/a/greeters/Hello', file), keptLastGood: true })],
    });
    expect(events.at(-1)).toMatchObject({ kept: ['greeters.Hello'], changed: [], removed: [] });

    // Fixed: the new version serves and nothing says "last good" any more.
    writeFileSync(s.path('apps/a/greeters/Hello', file), file === 'e.json' ? '{"title": "Renamed", "type": "things.GreeterType"}' : '{"greeting": "v3"}');
    await until(app, () => app.diagnostics.length === 0);
    expect(app.getElement('greeters.Hello')).not.toBe(served);
    expect(app.getElementDefine('greeters.Hello')).toMatchObject({ quarantined: false, keptLastGood: false, title: file === 'e.json' ? 'Renamed' : 'Hello' });
    expect(app.getElement<Greeter>('greeters.Hello').config.greeting).toBe(file === 'e.json' ? 'v1' : 'v3');
    expect(events.at(-1)).toMatchObject({ kept: [], changed: ['greeters.Hello'] });
  });

  test('an element that never loaded stays quarantined', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'v1' }) });
    const app = await s.load('a', { watch: true });
    s.write(greeter('apps/a/greeters/Broken', '{"greeting": '));
    await until(app, () => app.diagnostics.some((d) => d.fullName === 'greeters.Broken'));
    expect(app.getElementDefine('greeters.Broken')).toMatchObject({ quarantined: true, keptLastGood: false });
    expect(app.listElements({ kind: 'instance' }).map((e) => [e.fullName, e.quarantined])).toEqual([
      ['greeters.Broken', true],
      ['greeters.Hello', false],
    ]);
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'JSON_SYNTAX', fullName: 'greeters.Broken' })]);
    expect(app.diagnostics[0]!.keptLastGood).toBeUndefined();
    expect(() => app.getElement('greeters.Broken')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_QUARANTINED }));
  });

  test('"still serving" is never left on a diagnostic the file cache hands out again', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'v1' }) });
    const app = await s.load('a', { watch: true });
    const eJson = s.path('apps/a/greeters/Hello/e.json');
    const seen: Diagnostic[] = [];
    app.on('diagnostic', (d: Diagnostic) => seen.push(d));

    // Break the config: the last good instance keeps serving.
    writeFileSync(s.path('apps/a/greeters/Hello/Hello.json'), '{"greeting": ');
    await until(app, () => app.diagnostics.length > 0);
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'JSON_SYNTAX', keptLastGood: true })]);
    expect(seen).toEqual([expect.objectContaining({ code: 'JSON_SYNTAX', keptLastGood: true })]);

    // Remove the element (its broken config file stays, and stays cached), then bring it back: nothing good is served now.
    rmSync(eJson);
    await until(app, () => app.getElementDefine('greeters.Hello') === undefined);
    expect(() => app.getElement('greeters.Hello')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_NOT_FOUND }));
    writeFileSync(eJson, JSON.stringify({ title: 'A greeter', type: 'things.GreeterType' }));
    await until(app, () => app.getElementDefine('greeters.Hello') !== undefined && app.diagnostics.length > 0);
    expect(() => app.getElement('greeters.Hello')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_QUARANTINED }));
    expect(app.getElementDefine('greeters.Hello')).toMatchObject({ quarantined: true, keptLastGood: false });
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'JSON_SYNTAX', fullName: 'greeters.Hello' })]);
    expect(app.diagnostics[0]!.keptLastGood).toBeUndefined();
  });
});

describe('the reloader on its own (no App, no watcher)', () => {
  test('rebuild → validate → swap, one batch at a time, however apply() is called', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'v1' }) });
    const manifest = await s.manifest('a');
    const host = { name: 'a', dir: manifest.dir, dataDir: s.path('data'), now: Date.now } as unknown as ElementHost;
    const registry = new Registry(host);
    registry.swap(manifest.build);
    const steps: string[] = [];
    const reloader = new Reloader(manifest.builder, registry, {
      ignoredDirs: [],
      entities: new Set(),
      listener: {
        swapped: (build) => steps.push(`swapped ${build.configs.get('greeters.Hello')?.value['greeting']}`),
        applied: (result) => steps.push(`applied ${result.changed.join()}`),
        failed: (problem) => steps.push(`failed ${problem.message}`),
      },
    });
    const file = s.path('apps/a/greeters/Hello/Hello.json');
    const change = { kind: 'change' as const, path: file, layer: manifest.layers[0]! };
    writeFileSync(file, JSON.stringify({ greeting: 'v2' }));
    const first = reloader.apply([change]);
    writeFileSync(file, JSON.stringify({ greeting: 'v3' })); // while the first turn is still to run
    const second = reloader.apply([change]);
    await Promise.all([first, second]);
    expect(steps).toEqual(['swapped v3', 'applied greeters.Hello']); // the second turn found nothing new
    writeFileSync(file, JSON.stringify({ greeting: 'v4' }));
    const third = reloader.apply([change]);
    const fourth = reloader.apply([{ ...change, path: s.path('apps/a/greeters/Hello/index.ts') }]); // code: a restart notice, and a rebuild
    await Promise.all([third, fourth]);
    expect(steps.slice(2)).toEqual(['swapped v4', 'applied greeters.Hello', 'swapped v4', 'applied ']);
    await reloader.close();
  });
});
