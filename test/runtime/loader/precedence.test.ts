import { describe, expect, test } from '@jest/globals';
import { useScenarios } from '../../helpers/scenario.js';
import { greeter, greeterModule, type Greeter } from '../../helpers/platform.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';

const scenario = useScenarios();

/** Three layers: apps/top extends apps/mid, which extends apps/base; then the platform. */
const threeLayers = {
  'apps/base/app.json': { name: 'base' },
  'apps/mid/app.json': { name: 'mid', extends: ['base'] },
  'apps/top/app.json': { name: 'top', extends: ['mid'] },
};

describe('layer precedence', () => {
  test('the nearest layer wins and records what it shadows', async () => {
    const s = scenario({
      ...threeLayers,
      ...greeter('apps/base/greeters/Hello', { greeting: 'base' }),
      ...greeter('apps/mid/greeters/Hello', { greeting: 'mid' }),
      ...greeter('apps/top/greeters/Hello', { greeting: 'top' }),
      ...greeter('apps/base/greeters/OnlyBase', { greeting: 'only base' }),
    });
    const top = await s.load('top');
    expect(top.layers.map((l) => l.name)).toEqual(['top', 'mid', 'base', '@platform']);
    expect(top.getElement<Greeter>('greeters.Hello').config.greeting).toBe('top');
    expect(top.getElement<Greeter>('greeters.OnlyBase').config.greeting).toBe('only base');
    const why = top.explain('greeters.Hello')!;
    expect(why.layer).toBe('top');
    expect(why.shadowed.map((x) => x.layer)).toEqual(['mid', 'base']);
    expect(why.overrides).toEqual(['mid', 'base']);
    const mid = await s.load('mid');
    expect(mid.getElement<Greeter>('greeters.Hello').config.greeting).toBe('mid');
  });

  test('extends parents are searched in list order, each parent before its own parents, no app twice', async () => {
    const s = scenario({
      'apps/root/app.json': { name: 'root' },
      'apps/left/app.json': { name: 'left', extends: ['root'] },
      'apps/right/app.json': { name: 'right', extends: ['root'] },
      'apps/leaf/app.json': { name: 'leaf', extends: ['left', 'right'] },
      ...greeter('apps/right/greeters/G', { greeting: 'right' }),
      ...greeter('apps/root/greeters/G', { greeting: 'root' }),
    });
    const leaf = await s.load('leaf');
    expect(leaf.layers.map((l) => l.name)).toEqual(['leaf', 'left', 'root', 'right', '@platform']);
    // root comes before right in this order, so root's definition is nearer.
    expect(leaf.getElement<Greeter>('greeters.G').config.greeting).toBe('root');
  });

  test('an app overriding a Type changes every instance seen through it, including instances declared in parents', async () => {
    const s = scenario({
      ...threeLayers,
      ...greeter('apps/base/greeters/FromBase', { greeting: 'hi' }),
      'apps/top/things/GreeterType/e.json': { title: 'Custom greeter', type: 'things.Meta', backendBundleEntry: 'index.ts' },
      'apps/top/things/GreeterType/index.ts': `export function extend(Base: any) {
  return class extends Base { tag = 'top'; greet(n: string) { return super.greet(n) + '!'; } };
}\n`,
    });
    const top = await s.load('top');
    expect(top.diagnostics).toEqual([]);
    const seenFromTop = top.getElement<Greeter>('greeters.FromBase');
    expect(seenFromTop.tag).toBe('top');
    expect(seenFromTop.greet('x')).toBe('hi, x!'); // super reaches the official class
    const base = await s.load('base');
    expect(base.getElement<Greeter>('greeters.FromBase').tag).toBe('platform');
    expect(base.getElement<Greeter>('greeters.FromBase').greet('x')).toBe('hi, x');
  });

  test('an override without its own schema inherits the config schema of what it overrides', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/things/GreeterType/e.json': { title: 'Custom', type: 'things.Meta', backendBundleEntry: 'index.ts' },
      'apps/a/things/GreeterType/index.ts': greeterModule('a'),
      ...greeter('apps/a/greeters/Bad', { greeting: 'x', unknownField: 1 }),
    });
    const app = await s.load('a');
    expect(app.diagnostics.map((d) => [d.code, d.pointer])).toEqual([['CONFIG_INVALID', '/unknownField']]);
  });

  test('an override without its own functionList keeps the one it overrides; one with a list replaces it', async () => {
    const fn = (name: string) => ({ name, access: 'public' });
    const s = scenario({
      'apps/base/app.json': { name: 'base' },
      'apps/top/app.json': { name: 'top', extends: ['base'] },
      'apps/base/things/ListedType/e.json': { title: 'Listed', type: 'things.GreeterType', backendBundleEntry: 'index.ts', functionList: [fn('greet')] },
      'apps/base/things/ListedType/index.ts': greeterModule('base'),
      'apps/top/things/ListedType/e.json': { title: 'Listed, overridden', type: 'things.GreeterType', backendBundleEntry: 'index.ts' },
      'apps/top/things/ListedType/index.ts': greeterModule('top'),
      'apps/base/things/ReplacedType/e.json': { title: 'Replaced', type: 'things.GreeterType', backendBundleEntry: 'index.ts', functionList: [fn('greet')] },
      'apps/base/things/ReplacedType/index.ts': greeterModule('base'),
      'apps/top/things/ReplacedType/e.json': { title: 'Replaced, overridden', type: 'things.GreeterType', backendBundleEntry: 'index.ts', functionList: [fn('wave')] },
      'apps/top/things/ReplacedType/index.ts': greeterModule('top'),
    });
    const top = await s.load('top');
    expect(top.getElementDefine('things.ListedType')?.functionList).toEqual([{ name: 'greet', access: 'public', args: [] }]);
    expect(top.getElementDefine('things.ReplacedType')?.functionList.map((f) => f.name)).toEqual(['wave']);
  });

  test('a protected element cannot be overridden: the override is rejected and the original stays', async () => {
    const s = scenario({
      'apps/base/app.json': { name: 'base' },
      'apps/top/app.json': { name: 'top', extends: ['base'] },
      'apps/base/greeters/Locked/e.json': { title: 'Locked', type: 'things.GreeterType', accessModifier: 'protected' },
      'apps/base/greeters/Locked/Locked.json': { greeting: 'original' },
      ...greeter('apps/top/greeters/Locked', { greeting: 'override' }),
    });
    const top = await s.load('top');
    expect(top.diagnostics.map((d) => [d.code, d.fullName, d.file])).toEqual([['OVERRIDE_PROTECTED', 'greeters.Locked', s.path('apps/top/greeters/Locked/e.json')]]);
    expect(top.getElement<Greeter>('greeters.Locked').config.greeting).toBe('original');
  });

  test('a private element is not inherited by child apps', async () => {
    const s = scenario({
      'apps/base/app.json': { name: 'base' },
      'apps/top/app.json': { name: 'top', extends: ['base'] },
      'apps/base/greeters/Secret/e.json': { title: 'Private', type: 'things.GreeterType', accessModifier: 'private' },
      'apps/base/greeters/Secret/Secret.json': { greeting: 'mine' },
    });
    const base = await s.load('base');
    expect(base.getElement<Greeter>('greeters.Secret').config.greeting).toBe('mine');
    const top = await s.load('top');
    expect(() => top.getElement('greeters.Secret')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_NOT_FOUND }));
  });

  test('ids that differ only in letter case within one layer are both quarantined', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      ...greeter('apps/a/greeters/Hello', { greeting: 'a' }),
      ...greeter('apps/a/greeters/hello', { greeting: 'b' }),
      ...greeter('apps/a/greeters/Fine', { greeting: 'c' }),
    });
    const app = await s.load('a');
    expect(app.diagnostics.map((d) => [d.code, d.fullName]).sort()).toEqual([
      ['DUPLICATE_ID', 'greeters.Hello'],
      ['DUPLICATE_ID', 'greeters.hello'],
    ]);
    expect(() => app.getElement('greeters.Hello')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_QUARANTINED }));
    expect(app.getElement<Greeter>('greeters.Fine').config.greeting).toBe('c');
  });

  test('an extends cycle is reported at the offending entry and the apps still load', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a', extends: ['b'] },
      'apps/b/app.json': { name: 'b', extends: ['a'] },
      ...greeter('apps/b/greeters/FromB', { greeting: 'b' }),
    });
    const app = await s.load('a');
    expect(app.diagnostics.map((d) => [d.code, d.file, d.pointer])).toEqual([['APP_EXTENDS_CYCLE', s.path('apps/b/app.json'), '/extends/0']]);
    expect(app.layers.map((l) => l.name)).toEqual(['a', 'b', '@platform']);
    expect(app.getElement<Greeter>('greeters.FromB').config.greeting).toBe('b');
  });

  test('an unknown parent app is reported with the path it looked for', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a', extends: ['nope'] } });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'APP_EXTENDS_UNKNOWN', file: s.path('apps/a/app.json'), pointer: '/extends/0' })]);
  });

  test('strict mode rejects an app with any diagnostic, naming it', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a', extends: ['nope'] } });
    await expect(s.load('a', { strict: true })).rejects.toMatchObject({ code: RuntimeCodes.APP_INVALID, message: expect.stringContaining('APP_EXTENDS_UNKNOWN') });
  });
});
