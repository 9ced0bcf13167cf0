import { describe, expect, test } from '@jest/globals';
import { useScenarios } from '../../helpers/scenario.js';
import { greeter, type Greeter } from '../../helpers/platform.js';
import type { Tree } from '../../helpers/fixture.js';
import { RuntimeCodes } from '../../../runtime/errcode.js';

const scenario = useScenarios();

const E = 'apps/a/greeters/Broken/e.json';
const C = 'apps/a/greeters/Broken/Broken.json';
const okE = { title: 'Broken', type: 'things.GreeterType' };

interface Case {
  name: string;
  tree: Tree;
  code: string;
  file: string;
  pointer?: string;
  /** The id carrying the diagnostic, when not greeters.Broken. */
  fullName?: string;
}

const cases: Case[] = [
  { name: 'e.json is not JSON', tree: { [E]: '{"title": "x",, }', [C]: { greeting: 'x' } }, code: 'JSON_SYNTAX', file: E, pointer: '' },
  { name: 'e.json is empty', tree: { [E]: '', [C]: { greeting: 'x' } }, code: 'JSON_SYNTAX', file: E, pointer: '' },
  { name: 'e.json is not UTF-8', tree: { [E]: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), [C]: { greeting: 'x' } }, code: 'JSON_ENCODING', file: E, pointer: '' },
  { name: 'e.json misses title', tree: { [E]: { type: 'things.GreeterType' }, [C]: { greeting: 'x' } }, code: 'EJSON_INVALID', file: E, pointer: '/title' },
  { name: 'e.json has a type of the wrong JSON type', tree: { [E]: { title: 'x', type: 42 }, [C]: { greeting: 'x' } }, code: 'EJSON_INVALID', file: E, pointer: '/type' },
  { name: 'e.json is an array', tree: { [E]: [], [C]: { greeting: 'x' } }, code: 'EJSON_INVALID', file: E, pointer: '' },
  { name: 'accessModifier is not one of the three', tree: { [E]: { ...okE, accessModifier: 'secret' }, [C]: { greeting: 'x' } }, code: 'EJSON_INVALID', file: E, pointer: '/accessModifier' },
  { name: 'type names nothing', tree: { [E]: { title: 'x', type: 'things.GreeterTyp' }, [C]: { greeting: 'x' } }, code: 'UNKNOWN_TYPE', file: E, pointer: '/type' },
  { name: 'instance typed as a Meta', tree: { [E]: { title: 'x', type: 'things.Meta' } }, code: 'INSTANCE_OF_META', file: E, pointer: '/type' },
  { name: 'config file missing', tree: { [E]: okE }, code: 'CONFIG_MISSING', file: C, pointer: '' },
  { name: 'config is not JSON', tree: { [E]: okE, [C]: '{greeting: hi}' }, code: 'JSON_SYNTAX', file: C, pointer: '' },
  { name: 'config is not an object', tree: { [E]: okE, [C]: '"hi"' }, code: 'CONFIG_INVALID', file: C, pointer: '' },
  { name: 'config misses a required field', tree: { [E]: okE, [C]: {} }, code: 'CONFIG_INVALID', file: C, pointer: '/greeting' },
  { name: 'config field has the wrong type', tree: { [E]: okE, [C]: { greeting: 'x', times: 'twice' } }, code: 'CONFIG_INVALID', file: C, pointer: '/times' },
  { name: 'config has an unknown field', tree: { [E]: okE, [C]: { greeting: 'x', greting: 'typo' } }, code: 'CONFIG_INVALID', file: C, pointer: '/greting' },
  { name: 'config placeholder names a missing variable', tree: { [E]: okE, [C]: { greeting: 'x', secret: '${NOT_SET_ANYWHERE}' } }, code: 'CONFIG_ENV_MISSING', file: C, pointer: '/secret' },
  { name: 'folder name is not an identifier', tree: { 'apps/a/greeters/bad-name/e.json': okE }, code: 'ELEMENT_NAME_INVALID', file: 'apps/a/greeters/bad-name/e.json', fullName: 'greeters.bad-name' },
  {
    name: 'type chain loops',
    tree: {
      'apps/a/things/AType/e.json': { title: 'A', type: 'things.BType', backendBundleEntry: 'index.js' },
      'apps/a/things/BType/e.json': { title: 'B', type: 'things.AType', backendBundleEntry: 'index.js' },
      [E]: { title: 'x', type: 'things.AType' },
    },
    code: 'TYPE_CYCLE',
    file: 'apps/a/things/AType/e.json',
    pointer: '/type',
    fullName: 'things.AType',
  },
  {
    name: 'module entry escapes the element folder',
    tree: {
      'apps/a/things/EscapeType/e.json': { title: 'Esc', type: 'things.Meta', backendBundleEntry: '../../../../platform/things/GreeterType/index.ts' },
      [E]: { title: 'x', type: 'things.EscapeType' },
    },
    code: 'ENTRY_OUTSIDE_ELEMENT',
    file: 'apps/a/things/EscapeType/e.json',
    pointer: '/backendBundleEntry',
    fullName: 'things.EscapeType',
  },
  {
    name: 'module file missing',
    tree: { 'apps/a/things/GoneType/e.json': { title: 'Gone', type: 'things.Meta', backendBundleEntry: 'index.ts' }, [E]: { title: 'x', type: 'things.GoneType' } },
    code: 'MODULE_NOT_FOUND',
    file: 'apps/a/things/GoneType/e.json',
    pointer: '/backendBundleEntry',
    fullName: 'things.GoneType',
  },
  {
    name: 'module throws while loading',
    tree: {
      'apps/a/things/ThrowType/e.json': { title: 'Throw', type: 'things.Meta', backendBundleEntry: 'index.js' },
      'apps/a/things/ThrowType/index.js': 'throw new Error("boom at import");\n',
      [E]: { title: 'x', type: 'things.ThrowType' },
    },
    code: 'MODULE_LOAD_FAILED',
    file: 'apps/a/things/ThrowType/e.json',
    pointer: '/backendBundleEntry',
    fullName: 'things.ThrowType',
  },
  {
    name: 'module exports no class',
    tree: {
      'apps/a/things/EmptyType/e.json': { title: 'Empty', type: 'things.Meta', backendBundleEntry: 'index.js' },
      'apps/a/things/EmptyType/index.js': 'export const nothing = 1;\n',
      [E]: { title: 'x', type: 'things.EmptyType' },
    },
    code: 'MODULE_EXPORT_INVALID',
    file: 'apps/a/things/EmptyType/e.json',
    pointer: '/backendBundleEntry',
    fullName: 'things.EmptyType',
  },
  {
    name: 'Type config schema is not a schema',
    tree: {
      'apps/a/things/BadSchemaType/e.json': { title: 'S', type: 'things.Meta', backendBundleEntry: 'index.js', configSchema: 'schema.json' },
      'apps/a/things/BadSchemaType/index.js': 'export function extend(Base) { return class extends Base {}; }\n',
      'apps/a/things/BadSchemaType/schema.json': { type: 'no-such-type' },
      [E]: { title: 'x', type: 'things.BadSchemaType' },
      [C]: {},
    },
    code: 'SCHEMA_INVALID',
    file: 'apps/a/things/BadSchemaType/schema.json',
    pointer: '',
    fullName: 'things.BadSchemaType',
  },
];

describe('bad input is a diagnostic with file and pointer; the rest of the app loads', () => {
  test.each(cases)('$name → $code', async (c) => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Good', { greeting: 'still here' }), ...c.tree });
    const app = await s.load('a');
    const fullName = c.fullName ?? 'greeters.Broken';
    const found = app.diagnostics.find((d) => d.code === c.code);
    expect(found).toMatchObject({ fullName, file: s.path(c.file), severity: 'error' });
    if (c.pointer !== undefined) expect(found?.pointer).toBe(c.pointer);
    expect(found?.hint.length).toBeGreaterThan(10);
    // The broken element (and what depends on it) is quarantined with its reasons...
    expect(() => app.getElement('greeters.Broken')).toThrow(expect.objectContaining({ code: c.name === 'folder name is not an identifier' ? RuntimeCodes.ELEMENT_NOT_FOUND : RuntimeCodes.ELEMENT_QUARANTINED }));
    // ...and everything else still loads.
    expect(app.getElement<Greeter>('greeters.Good').config.greeting).toBe('still here');
  });

  test('a BOM is tolerated with a warning', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, [E]: '\uFEFF' + JSON.stringify(okE), [C]: { greeting: 'bom' } });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'JSON_BOM', severity: 'warning', file: s.path(E) })]);
    expect(app.getElement<Greeter>('greeters.Broken').config.greeting).toBe('bom');
  });

  test('an unknown e.json field is a warning naming the field', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, [E]: { ...okE, tittle: 'typo' }, [C]: { greeting: 'x' } });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'EJSON_UNKNOWN_FIELD', pointer: '/tittle', severity: 'warning' })]);
    expect(app.getElement<Greeter>('greeters.Broken').config.greeting).toBe('x');
  });

  test('a JSON syntax error names line and column but never quotes the file (it may hold secrets)', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, [E]: okE, [C]: '{\n  "greeting": "x",\n  "secret": "s3cr3t-value" oops\n}' });
    const app = await s.load('a');
    const d = app.diagnostics.find((x) => x.code === 'JSON_SYNTAX')!;
    expect(d.message).toMatch(/line 3, column \d+/);
    expect(JSON.stringify(app.diagnostics)).not.toContain('s3cr3t');
  });

  test('a broken Type takes its instances with it, naming the cause', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/things/ThrowType/e.json': { title: 'Throw', type: 'things.Meta', backendBundleEntry: 'index.js' },
      'apps/a/things/ThrowType/index.js': 'throw new Error("boom");\n',
      'apps/a/greeters/One/e.json': { title: '1', type: 'things.ThrowType' },
      'apps/a/greeters/Two/e.json': { title: '2', type: 'things.ThrowType' },
    });
    const app = await s.load('a');
    const dependents = app.diagnostics.filter((d) => d.code === 'DEPENDENCY_BROKEN').map((d) => d.fullName);
    expect(dependents.sort()).toEqual(['greeters.One', 'greeters.Two']);
    expect(() => app.getElement('greeters.One')).toThrow(expect.objectContaining({ message: expect.stringContaining('things.ThrowType') }));
  });
});
