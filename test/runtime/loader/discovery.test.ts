import { describe, expect, test } from '@jest/globals';
import { useScenarios } from '../../helpers/scenario.js';
import { greeter, type Greeter } from '../../helpers/platform.js';

const scenario = useScenarios();

describe('discovery', () => {
  test('every folder holding e.json is an element whose id is its dotted path', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }),
      ...greeter('apps/a/greeters/nested/deeper/Bye', { greeting: 'Bye' }),
    });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([]);
    expect(app.listElements().map((e) => e.fullName)).toEqual(['greeters.Hello', 'greeters.nested.deeper.Bye', 'things.GreeterType', 'things.Meta']);
    expect(app.getElement<Greeter>('greeters.nested.deeper.Bye').greet('Ann')).toBe('Bye, Ann');
  });

  test('node_modules, dist, dot-folders and the data folder are never scanned', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      ...greeter('apps/a/node_modules/pkg/Hidden', { greeting: 'x' }),
      ...greeter('apps/a/dist/Hidden', { greeting: 'x' }),
      ...greeter('apps/a/.cache/Hidden', { greeting: 'x' }),
      ...greeter('apps/a/data/Hidden', { greeting: 'x' }),
      ...greeter('apps/a/greeters/Visible', { greeting: 'x' }),
    });
    const app = await s.load('a');
    expect(app.listElements({ kind: 'instance' }).map((e) => e.fullName)).toEqual(['greeters.Visible']);
  });

  test('kinds follow from type: Meta, Type, Instance, and listElements filters by type chain', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }) });
    const app = await s.load('a');
    expect(app.getElementDefine('things.Meta')?.kind).toBe('meta');
    expect(app.getElementDefine('things.GreeterType')?.kind).toBe('type');
    expect(app.getElementDefine('greeters.Hello')?.kind).toBe('instance');
    expect(app.listElements({ type: 'things.Meta' }).map((e) => e.fullName)).toEqual(['greeters.Hello', 'things.GreeterType']);
    expect(app.listElements({ type: 'things.GreeterType' }).map((e) => e.fullName)).toEqual(['greeters.Hello']);
  });

  test('a Type may specialise another Type; its class receives the parent class as Base', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/things/LoudGreeterType/e.json': { title: 'Loud', type: 'things.GreeterType', backendBundleEntry: 'index.js' },
      'apps/a/things/LoudGreeterType/index.js': 'export function extend(Base) { return class extends Base { greet(n) { return super.greet(n).toUpperCase(); } }; }\n',
      'apps/a/greeters/Loud/e.json': { title: 'Loud one', type: 'things.LoudGreeterType' },
      'apps/a/greeters/Loud/Loud.json': { greeting: 'hey' },
    });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([]);
    expect(app.explain('greeters.Loud')?.typeChain).toEqual(['things.LoudGreeterType', 'things.GreeterType', 'things.Meta']);
    expect(app.getElement<Greeter>('greeters.Loud').greet('bo')).toBe('HEY, BO');
  });

  test('a Type module may export a default class extending Element', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/things/PlainType/e.json': { title: 'Plain', type: 'things.Meta', backendBundleEntry: 'index.ts' },
      'apps/a/things/PlainType/index.ts': `import { Element } from '${process.cwd()}/runtime/index.ts';\nexport default class Plain extends Element { hello() { return 'plain ' + this.fullName; } }\n`,
      'apps/a/plain/P/e.json': { title: 'P', type: 'things.PlainType' },
    });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([]);
    expect(app.getElement<{ hello(): string }>('plain.P').hello()).toBe('plain plain.P');
  });
});
