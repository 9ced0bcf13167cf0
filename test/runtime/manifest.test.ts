import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { defaultImporter, type ModuleImporter } from '../../runtime/loader/modules.js';
import { RuntimeCodes } from '../../runtime/index.js';
import { createOverride } from '../../runtime/scaffold/write.js';
import { greeter } from '../helpers/platform.js';
import { useScenarios } from '../helpers/scenario.js';

const scenario = useScenarios();

describe('readManifest: discover, resolve, validate — no database, no instances', () => {
  test('answers what a loaded app answers, with the same diagnostics, and leaves the data folder alone', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      ...greeter('apps/a/greeters/Hello', { greeting: 'hi' }),
      ...greeter('apps/a/greeters/Bad', { greeting: 'x', oops: true }),
    });
    const manifest = await s.manifest('a');
    expect(existsSync(s.path('apps/a/data'))).toBe(false);
    expect(manifest.name).toBe('a');
    expect(manifest.layers.map((l) => l.name)).toEqual(['a', '@platform']);
    const app = await s.load('a');
    expect(manifest.diagnostics).toEqual(app.diagnostics);
    expect(manifest.listElements()).toEqual(app.listElements());
    expect(manifest.explain('greeters.Hello')).toEqual(app.explain('greeters.Hello'));
    expect(manifest.classOf('things.GreeterType')).toBe(manifest.build.classes.get('things.GreeterType'));
  });

  test('takes the environment as an option (no process.env)', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: '${WHO}' }) });
    expect((await s.manifest('a')).diagnostics).toEqual([expect.objectContaining({ code: 'CONFIG_ENV_MISSING', pointer: '/greeting' })]);
    expect((await s.manifest('a', { env: { WHO: 'there' } })).diagnostics).toEqual([]);
  });

  test('says why an id has nothing to describe, as getElement would', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'hi' }) });
    const manifest = await s.manifest('a');
    expect(manifest.explain('greeters.Helo')).toBeUndefined();
    expect(manifest.notFound('greeters.Helo')).toMatchObject({ code: RuntimeCodes.ELEMENT_NOT_FOUND, details: { suggestions: ['greeters.Hello'] } });
    expect(manifest.notFound('../x')).toMatchObject({ code: RuntimeCodes.INVALID_ELEMENT_ID });
  });

  test('imports Type modules only through the importer it is given, and so does the scaffold', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' } });
    const imported: string[] = [];
    const importer: ModuleImporter = (file) => {
      imported.push(file);
      return defaultImporter(file);
    };
    const manifest = await s.manifest('a', { importer });
    expect(imported).toEqual([s.path('platform/things/GreeterType/index.ts')]);
    await createOverride(manifest, 'things.GreeterType');
    expect(imported).toEqual([s.path('platform/things/GreeterType/index.ts'), s.path('platform/things/GreeterType/index.ts')]);
  });
});
