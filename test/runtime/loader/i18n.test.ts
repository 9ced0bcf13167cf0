import { describe, expect, test } from '@jest/globals';
import { localizedText, localizeSchema } from '../../../runtime/loader/i18n.js';
import { resolveI18n } from '../../../runtime/loader/inherit.js';
import type { Tree } from '../../helpers/fixture.js';
import { useScenarios } from '../../helpers/scenario.js';

const scenario = useScenarios();

/**
 * `i18n` in e.json and in config schemas (runtime/loader/i18n.ts): accepted, a misspelt language or
 * field reported with file, field and the fix, and resolved per language along an element's own
 * definitions (inherit.ts header).
 */
const module = 'export function extend(Base) { return class extends Base {}; }\n';
const schema = {
  type: 'object',
  title: 'Greeter config',
  i18n: { 'zh-CN': { title: '问候配置' } },
  properties: {
    greeting: { type: 'string', title: 'Greeting', description: 'What it says.', i18n: { 'zh-CN': { title: '问候语', description: '它说的话。' } } },
    plain: { type: 'string', title: 'Plain', description: 'Not translated.' },
  },
};

const base: Tree = {
  'apps/base/app.json': { name: 'base' },
  'apps/top/app.json': { name: 'top', extends: ['base'] },
  'platform/things/Meta/e.json': { title: 'Things', type: '', i18n: { 'zh-CN': { title: '事物' } } },
  'platform/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.js', configSchema: 'schema.json', i18n: { 'zh-CN': { title: '问候器', description: '打招呼。' } } },
  'platform/things/GreeterType/index.js': module,
  'platform/things/GreeterType/schema.json': schema,
  'apps/base/greeters/Hello/e.json': { title: 'Hello', type: 'things.GreeterType', i18n: { 'zh-CN': { title: '你好' } } },
  'apps/base/greeters/Hello/Hello.json': { greeting: 'hi' },
};

describe('i18n in e.json', () => {
  test('is accepted, kept on the definition, and an instance has its own texts, not its Type\'s', async () => {
    const s = scenario(base, false);
    const app = await s.load('top');
    expect(app.diagnostics).toEqual([]);
    expect(app.definitionsOf('things.GreeterType')[0]!.i18n).toEqual({ 'zh-CN': { title: '问候器', description: '打招呼。' } });
    expect(resolveI18n(app.definitionsOf('greeters.Hello'))).toEqual({ 'zh-CN': { title: '你好' } });
    expect(localizedText({ title: 'Hello' }, resolveI18n(app.definitionsOf('greeters.Hello')), 'zh-CN')).toEqual({ title: '你好' });
    expect(localizedText({ title: 'Hello' }, resolveI18n(app.definitionsOf('greeters.Hello')), 'en')).toEqual({ title: 'Hello' });
    // The element's own texts only: an element without i18n reads in English, whatever its Type says.
    s.write({ 'apps/top/greeters/Bare/e.json': { title: 'Bare', type: 'things.GreeterType' }, 'apps/top/greeters/Bare/Bare.json': {} });
    const again = await s.load('top');
    expect(resolveI18n(again.definitionsOf('greeters.Bare'))).toEqual({});
  });

  test('an override gives the languages it has and keeps the others from what it overrides (per language)', async () => {
    const s = scenario(
      {
        ...base,
        // top overrides the instance: a new English title and no i18n → the base's zh-CN stays.
        'apps/top/greeters/Hello/e.json': { title: 'Hello again', type: 'things.GreeterType' },
        'apps/top/greeters/Hello/Hello.json': { greeting: 'hi' },
        // top overrides the Type with its own zh-CN: that one wins, wholly (title and description together).
        'apps/top/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.js', i18n: { 'zh-CN': { title: '新问候器' } } },
        'apps/top/things/GreeterType/index.js': module,
      },
      false,
    );
    const manifest = await s.manifest('top');
    expect(manifest.diagnostics).toEqual([]);
    expect(resolveI18n(manifest.definitionsOf('greeters.Hello'))).toEqual({ 'zh-CN': { title: '你好' } });
    expect(resolveI18n(manifest.definitionsOf('things.GreeterType'))).toEqual({ 'zh-CN': { title: '新问候器' } });
  });

  test.each([
    ['a misspelt field', { 'zh-CN': { titel: '问候器' } }, '/i18n/zh-CN/titel', /Unknown field "titel" in i18n "zh-CN"\. i18n maps a language \("zh-CN"\) to its texts/],
    ['a misspelt language', { zh_CN: { title: '问候器' } }, '/i18n/zh_CN', /Unknown language "zh_CN" in i18n\. i18n maps a language/],
  ])('%s is reported with file, field and the fix (a warning, like any unknown e.json field), and left out', async (_name, i18n, pointer, message) => {
    const s = scenario({ ...base, 'platform/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.js', configSchema: 'schema.json', i18n } }, false);
    const app = await s.load('top');
    expect(app.diagnostics).toEqual([
      expect.objectContaining({ code: 'EJSON_UNKNOWN_FIELD', severity: 'warning', fullName: 'things.GreeterType', file: s.path('platform/things/GreeterType/e.json'), pointer, message: expect.stringMatching(message) }),
    ]);
    expect(resolveI18n(app.definitionsOf('things.GreeterType'))).toEqual({});
    expect(app.getElementDefine('greeters.Hello')?.quarantined).toBe(false);
  });

  test('a text of the wrong type is EJSON_INVALID at that field, with the fix', async () => {
    const s = scenario({ ...base, 'apps/base/greeters/Hello/e.json': { title: 'Hello', type: 'things.GreeterType', i18n: { 'zh-CN': { title: 5 } } } }, false);
    const app = await s.load('top');
    expect(app.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'EJSON_INVALID', fullName: 'greeters.Hello', file: s.path('apps/base/greeters/Hello/e.json'), pointer: '/i18n/zh-CN/title', message: expect.stringContaining('i18n maps a language') }),
    );
  });
});

describe('i18n in a config schema', () => {
  test('is a known annotation: the schema compiles and validation ignores it', async () => {
    const s = scenario(base, false);
    const app = await s.load('top');
    expect(app.diagnostics).toEqual([]);
    expect(app.getElement<{ config: Record<string, unknown> }>('greeters.Hello').config).toEqual({ greeting: 'hi' });
  });

  test.each([
    ['a misspelt field', { greeting: { type: 'string', i18n: { 'zh-CN': { titel: '问候语' } } } }, '/properties/greeting/i18n/zh-CN/titel'],
    ['a misspelt language', { greeting: { type: 'string', i18n: { 'zh-cn': { title: '问候语' } } } }, '/properties/greeting/i18n/zh-cn'],
    ['a text that is not a string', { greeting: { type: 'string', i18n: { 'zh-CN': { title: 5 } } } }, '/properties/greeting/i18n/zh-CN/title'],
  ])('%s is SCHEMA_INVALID with the schema file, the field and the fix', async (_name, properties, pointer) => {
    const s = scenario({ ...base, 'platform/things/GreeterType/schema.json': { type: 'object', properties } }, false);
    const app = await s.load('top');
    expect(app.diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'SCHEMA_INVALID',
        fullName: 'things.GreeterType',
        file: s.path('platform/things/GreeterType/schema.json'),
        pointer,
        message: expect.stringMatching(new RegExp(`${pointer.replace(/[/]/g, '\\/')}.*i18n maps a language \\("zh-CN"\\)`)),
      }),
    );
  });

  test('localizeSchema: titles and descriptions in the language, English where none, annotations left out', () => {
    expect(localizeSchema(schema, 'zh-CN')).toEqual({
      type: 'object',
      title: '问候配置',
      properties: {
        greeting: { type: 'string', title: '问候语', description: '它说的话。' },
        plain: { type: 'string', title: 'Plain', description: 'Not translated.' },
      },
    });
    expect(localizeSchema(schema, 'en')).toEqual({
      type: 'object',
      title: 'Greeter config',
      properties: { greeting: { type: 'string', title: 'Greeting', description: 'What it says.' }, plain: { type: 'string', title: 'Plain', description: 'Not translated.' } },
    });
    // A property called "i18n" is a property, not the annotation.
    expect(localizeSchema({ properties: { i18n: { type: 'string' } } }, 'zh-CN')).toEqual({ properties: { i18n: { type: 'string' } } });
  });
});
