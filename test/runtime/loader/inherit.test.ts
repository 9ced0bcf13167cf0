import { describe, expect, test } from '@jest/globals';
import type { InheritedProperties } from '../../../runtime/index.js';
import { typeContract } from '../../../runtime/scaffold/schema.js';
import type { Tree } from '../../helpers/fixture.js';
import { useScenarios } from '../../helpers/scenario.js';

const scenario = useScenarios();

/**
 * The inheritance rule of runtime/loader/inherit.ts, property by property:
 * own value → what it overrides → its type chain → the runtime's default,
 * and an instance has its Type's values. One fixture holds every case:
 *
 *   things.GreeterType  @platform  declares every property ("platform" values)
 *   things.OwnType      top        a sub-Type declaring every property itself ("own" values)
 *   things.OverType     base       declares every property ("base" values) …
 *                       top        … overridden in top by a definition declaring none
 *   things.SubType      top        a sub-Type of GreeterType declaring none
 *   plain.PlainType     @platform  a Type of another Meta: nobody declares anything
 */
const fn = (name: string) => ({ name, access: 'public' });
const module = 'export function extend(Base) { return class extends Base {}; }\n';
const schema = { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string' } } };

/** e.json fields of each property, with the value a definition tagged `tag` declares. */
const declared = (tag: string) => ({
  configFile: `{name}.${tag}.json`,
  configSchema: `${tag}.schema.json`,
  functionList: [fn(tag)],
  frontendBundleEntry: `${tag}.panel.js`,
});

const typeFolder = (dir: string, eJson: object, tag?: string): Tree => ({
  [`${dir}/e.json`]: eJson,
  [`${dir}/index.js`]: module,
  ...(tag ? { [`${dir}/${tag}.schema.json`]: schema, [`${dir}/${tag}.panel.js`]: '// panel\n' } : {}),
});

const tree: Tree = {
  'apps/base/app.json': { name: 'base' },
  'apps/top/app.json': { name: 'top', extends: ['base'] },
  'platform/things/Meta/e.json': { title: 'Things', type: '' },
  ...typeFolder('platform/things/GreeterType', { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.js', ...declared('platform') }, 'platform'),
  ...typeFolder('apps/top/things/OwnType', { title: 'Own', type: 'things.GreeterType', backendBundleEntry: 'index.js', ...declared('own') }, 'own'),
  ...typeFolder('apps/base/things/OverType', { title: 'Over', type: 'things.GreeterType', backendBundleEntry: 'index.js', ...declared('base') }, 'base'),
  ...typeFolder('apps/top/things/OverType', { title: 'Over, overridden', type: 'things.GreeterType', backendBundleEntry: 'index.js' }),
  ...typeFolder('apps/top/things/SubType', { title: 'Sub', type: 'things.GreeterType', backendBundleEntry: 'index.js' }),
  'platform/plain/Meta/e.json': { title: 'Plain', type: '' },
  ...typeFolder('platform/plain/PlainType', { title: 'Plain type', type: 'plain.Meta', backendBundleEntry: 'index.js' }),
  // An instance of each: it has its Type's values.
  'apps/top/greeters/OfOwn/e.json': { title: 'Of own', type: 'things.OwnType' },
  'apps/top/greeters/OfOwn/OfOwn.own.json': { greeting: 'own' },
  'apps/base/greeters/OfOver/e.json': { title: 'Of over', type: 'things.OverType' },
  'apps/base/greeters/OfOver/OfOver.base.json': { greeting: 'base' },
  'apps/top/greeters/OfSub/e.json': { title: 'Of sub', type: 'things.SubType' },
  'apps/top/greeters/OfSub/OfSub.platform.json': { greeting: 'platform' },
  'apps/top/greeters/OfPlain/e.json': { title: 'Of plain', type: 'plain.PlainType' },
  'apps/top/greeters/OfPlain/OfPlain.json': { anything: 'goes' },
};

type Case = 'own value' | 'from an override' | 'from the type chain' | 'default';
/** Which element shows each case, and whose definition its values come from (none: the default). */
const CASES: Record<Case, { type: string; instance: string; from?: { fullName: string; layer: string; file: string }; tag?: string }> = {
  'own value': { type: 'things.OwnType', instance: 'greeters.OfOwn', from: { fullName: 'things.OwnType', layer: 'top', file: 'apps/top/things/OwnType/e.json' }, tag: 'own' },
  'from an override': { type: 'things.OverType', instance: 'greeters.OfOver', from: { fullName: 'things.OverType', layer: 'base', file: 'apps/base/things/OverType/e.json' }, tag: 'base' },
  'from the type chain': { type: 'things.SubType', instance: 'greeters.OfSub', from: { fullName: 'things.GreeterType', layer: '@platform', file: 'platform/things/GreeterType/e.json' }, tag: 'platform' },
  default: { type: 'plain.PlainType', instance: 'greeters.OfPlain' },
};

const DEFAULTS: { [P in keyof InheritedProperties]: InheritedProperties[P]['value'] } = {
  configFile: '{name}.json',
  configSchema: undefined,
  functionList: [],
  frontendBundleEntry: undefined,
};

/** The value a definition tagged `tag` declares, as read (functionList entries get their defaults filled in). */
function expectedValue(property: keyof InheritedProperties, tag: string | undefined): unknown {
  if (tag === undefined) return DEFAULTS[property];
  if (property === 'functionList') return [{ name: tag, access: 'public', args: [] }];
  return declared(tag)[property];
}

const PROPERTIES = Object.keys(DEFAULTS) as Array<keyof InheritedProperties>;
const rows = PROPERTIES.flatMap((property) => (Object.keys(CASES) as Case[]).map((c) => [property, c] as const));

describe('every inherited e.json property, resolved once in the loader', () => {
  test.each(rows)('%s: %s — value and provenance, the same for the Type and its instance', async (property, c) => {
    const s = scenario(tree, false);
    const manifest = await s.manifest('top');
    expect(manifest.diagnostics).toEqual([]);
    const { type, instance, from, tag } = CASES[c];
    const expected = from ? { value: expectedValue(property, tag), from: { ...from, file: s.path(from.file) } } : { value: DEFAULTS[property] };
    expect(manifest.inherited(type)?.[property]).toEqual(expected);
    expect(manifest.inherited(instance)?.[property]).toEqual(expected);
    if (!from) expect(manifest.inherited(type)?.[property]).not.toHaveProperty('from');
  });
});

describe('every reader reads the resolved values', () => {
  test.each(Object.keys(CASES) as Case[])('%s: config binding, the method list and the scaffold agree with the manifest', async (c) => {
    const s = scenario(tree, false);
    const app = await s.load('top');
    const { type, instance, tag } = CASES[c];
    expect(app.diagnostics).toEqual([]);
    // config binding: the inherited file name and schema
    const bound = app.getElement<{ config: Record<string, unknown> }>(instance).config;
    expect(bound).toEqual(tag ? { greeting: tag } : { anything: 'goes' });
    // the method list, for the Type and its instance (what the HTTP layer exposes)
    const methods = tag ? [tag] : [];
    expect(app.functionList(type).map((f) => f.name)).toEqual(methods);
    expect(app.functionList(instance).map((f) => f.name)).toEqual(methods);
    expect(app.getElementDefine(instance)?.functionList.map((f) => f.name)).toEqual(methods);
    // scaffolding (jit new, the admin form), from the manifest alone
    const contract = typeContract(await s.manifest('top'), type);
    expect(contract.configFile).toBe(expectedValue('configFile', tag));
    expect(contract.schemaFile).toBe(tag ? s.path(CASES[c].from!.file.replace('e.json', `${tag}.schema.json`)) : undefined);
    // explain shows where each value came from
    expect(app.explain(instance)?.inherited).toEqual(app.inherited(type));
  });

  test('a config that breaks the schema inherited along the type chain is refused at load', async () => {
    const s = scenario({ ...tree, 'apps/top/greeters/OfSub/OfSub.platform.json': { greeting: 'x', extra: 1 } }, false);
    const app = await s.load('top');
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'CONFIG_INVALID', fullName: 'greeters.OfSub', pointer: '/extra' })]);
  });
});

describe('the class is built along the same lineage', () => {
  /** A module whose class adds `tag` to the chain of its Base. */
  const tagged = (tag: string) => `export function extend(Base) { return class extends Base { chain() { return [...(super.chain ? super.chain() : []), ${JSON.stringify(tag)}]; } }; }\n`;
  const classTree: Tree = {
    'apps/base/app.json': { name: 'base' },
    'apps/top/app.json': { name: 'top', extends: ['base'] },
    'platform/things/Meta/e.json': { title: 'Things', type: '', backendBundleEntry: 'index.js' },
    'platform/things/Meta/index.js': tagged('Meta@platform'),
    'platform/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.js' },
    'platform/things/GreeterType/index.js': tagged('GreeterType@platform'),
    'apps/top/things/GreeterType/e.json': { title: 'Greeter, overridden', type: 'things.Meta', backendBundleEntry: 'index.js' },
    'apps/top/things/GreeterType/index.js': tagged('GreeterType@top'),
    'apps/base/things/SubType/e.json': { title: 'Sub', type: 'things.GreeterType', backendBundleEntry: 'index.js' },
    'apps/base/things/SubType/index.js': tagged('SubType@base'),
    'apps/top/things/SubType/e.json': { title: 'Sub, overridden', type: 'things.GreeterType', backendBundleEntry: 'index.js' },
    'apps/top/things/SubType/index.js': tagged('SubType@top'),
  };

  test.each([
    ['a Meta with a module', 'things.Meta', ['Meta@platform']],
    ['an override builds on what it overrides, which builds on its type', 'things.GreeterType', ['Meta@platform', 'GreeterType@platform', 'GreeterType@top']],
    ['a sub-Type builds on the winning class of its type', 'things.SubType', ['Meta@platform', 'GreeterType@platform', 'GreeterType@top', 'SubType@base', 'SubType@top']],
  ])('%s', async (_name, id, chain) => {
    const s = scenario(classTree, false);
    const manifest = await s.manifest('top');
    expect(manifest.diagnostics).toEqual([]);
    const cls = manifest.classOf(id) as unknown as { prototype: { chain(): string[] } };
    expect(cls.prototype.chain()).toEqual(chain);
    expect(manifest.build.manifest.entries.get(id)?.lineage.map((d) => `${d.fullName.split('.')[1]}@${d.layer.name.replace(/^@/, '')}`)).toEqual([...chain].reverse());
  });
});
