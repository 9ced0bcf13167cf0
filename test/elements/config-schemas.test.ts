import { describe, expect, test } from '@jest/globals';
import fg from 'fast-glob';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OFFICIAL_ELEMENTS_DIR } from '../../runtime/paths.js';

/** Every official Type that declares a config schema, with the schema's path. */
const schemas = fg
  .sync('**/e.json', { cwd: OFFICIAL_ELEMENTS_DIR, ignore: ['**/node_modules/**', '**/sandbox/**'] })
  .map((file) => ({ file, e: JSON.parse(readFileSync(join(OFFICIAL_ELEMENTS_DIR, file), 'utf8')) as { configSchema?: string } }))
  .filter(({ e }) => e.configSchema !== undefined)
  .map(({ file, e }) => ({ type: dirname(file).split('/').join('.'), schema: JSON.parse(readFileSync(join(OFFICIAL_ELEMENTS_DIR, dirname(file), e.configSchema!), 'utf8')) }));

/** Pointers of properties (at any depth) lacking a non-empty title or description: forms and prompts show both. */
function undocumented(schema: { properties?: Record<string, Record<string, unknown>>; items?: unknown }, pointer = ''): string[] {
  const missing: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const at = `${pointer}/${name}`;
    for (const key of ['title', 'description']) if (typeof property[key] !== 'string' || (property[key] as string).trim() === '') missing.push(`${at} (${key})`);
    missing.push(...undocumented(property as never, at));
    if (property['items'] && typeof property['items'] === 'object') missing.push(...undocumented(property['items'] as never, `${at}/items`));
  }
  return missing;
}

describe('official Types document their config schema', () => {
  test('there is at least one schema to check', () => {
    expect(schemas.map((s) => s.type)).toContain('auths.loginTypes.FSInnerType');
  });

  test.each(schemas.map((s) => [s.type, s.schema] as const))('every field of %s has a title and a description', (_type, schema) => {
    expect(undocumented(schema)).toEqual([]);
  });
});
