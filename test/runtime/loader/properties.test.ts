import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadApp } from '../../../runtime/app.js';
import { DiagnosticCatalogue } from '../../../runtime/diagnostics/catalogue.js';
import { Code, RuntimeCodes } from '../../../runtime/errcode.js';
import { tempDir } from '../../helpers/fixture.js';

/**
 * Whatever is on disk, loading an app never throws: it yields a manifest and
 * diagnostics as data, and getElement answers with an element or a Code.
 * Trees are random folder names (valid, invalid, colliding in case), random
 * e.json and config contents (arbitrary JSON, arbitrary values, garbage text,
 * and near-valid objects), random `type` references among the generated ids,
 * Type modules and schemas picked from good and broken ones.
 */

const PLATFORM = fileURLToPath(new URL('../../fixtures/bad/_platform/', import.meta.url));
const PLATFORM_IDS = ['things.Meta', 'things.GreeterType'];

const segment = fc.oneof(
  fc.constantFrom('greeters', 'things', 'Good', 'good', 'GOOD', 'X', '_x', 'a1', 'Type'),
  fc.constantFrom('bad-name', '1st', 'Grüße', 'v1.2', 'has space', 'x.json', 'e.json', 'data', 'node_modules', '.hidden', 'ä', '__proto__', 'constructor'),
  fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/).filter((s) => s !== '.' && s !== '..'),
);
const relPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/'));

const MODULES = [
  'export function extend(Base) { return class extends Base { hello() { return "hi"; } }; }\n',
  'export default class NotAnElement {}\n',
  'throw new Error("boom at import");\n',
  'throw null;\n',
  'export const nothing = 1;\n',
  'export function extend(Base) { return class extends Base { static entities = 1; }; }\n',
  'export function extend() { throw new Error("no"); }\n',
  'export function extend(Base) {\n',
  'export function extend(Base) { return class extends Base { constructor(c) { super(c); throw new Error("ctor"); } }; }\n',
  'export function extend(Base) { return class extends Base { constructor(c) { super(c); throw undefined; } }; }\n',
];
const SCHEMAS = [
  '{"type": "object", "properties": {"greeting": {"type": "string"}}}',
  '{"type": "no-such-type"}',
  'false',
  'true',
  '{"type": "object",',
  '[]',
  '{"$ref": "https://example.invalid/x.json"}',
  '{"type": "object", "required": ["x"], "additionalProperties": false}',
];

/** A JSON-ish file body: arbitrary JSON text, any value serialised, garbage, or a near-valid object. */
const fileBody = (nearValid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.json() },
    { weight: 1, arbitrary: fc.anything().map((v) => JSON.stringify(v) ?? '') },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '   \n', '\uFEFF{}', '{"a":1,}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]') },
    { weight: 4, arbitrary: nearValid.map((v) => JSON.stringify(v) ?? '') },
  );

const nearValidEJson = (ids: string[]) =>
  fc.record(
    {
      title: fc.oneof(fc.string({ maxLength: 10 }), fc.anything()),
      type: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('', ...ids, ...PLATFORM_IDS, 'things.NoSuch') }, { weight: 1, arbitrary: fc.anything() }),
      description: fc.oneof(fc.string(), fc.anything()),
      accessModifier: fc.constantFrom('public', 'protected', 'private', 'secret', 1),
      backendBundleEntry: fc.constantFrom('index.js', 'index.ts', 'missing.js', '../index.js', '/etc/hostname', '.', '', 'sub/../index.js'),
      configSchema: fc.constantFrom('schema.json', 'missing.json', '../schema.json', 'index.js'),
      configFile: fc.constantFrom('{name}.json', '{name}.cfg.json', 'fixed.json', '../{name}.json'),
      functionList: fc.array(
        fc.record(
          { name: fc.constantFrom('greet', 'x-y', '__proto__', 'constructor'), access: fc.constantFrom('public', 'user', 'admin', 'root'), args: fc.array(fc.record({ name: fc.constantFrom('a', 'b'), dataType: fc.constantFrom('Stext', 'Integer', 'Float') }), { maxLength: 2 }) },
          { requiredKeys: ['name'] },
        ),
        { maxLength: 2 },
      ),
      tittle: fc.string({ maxLength: 5 }),
    },
    { requiredKeys: [] },
  );

/** Valid e.json most of the time, with the choices that matter (kind, module, schema, access) left to chance. */
const plausibleEJson = (ids: string[]) =>
  fc.record(
    {
      title: fc.constantFrom('A', 'B'),
      type: fc.constantFrom('', ...ids, ...PLATFORM_IDS),
      accessModifier: fc.constantFrom('public', 'protected', 'private'),
      backendBundleEntry: fc.constantFrom('index.js', 'index.js', 'index.js', 'missing.js', '../index.js'),
      configSchema: fc.constantFrom('schema.json', 'missing.json'),
      configFile: fc.constantFrom('{name}.json', '{name}.cfg.json'),
      functionList: fc.constant([{ name: 'hello', access: 'public', args: [] }]),
    },
    { requiredKeys: ['title', 'type'] },
  );

const nearValidConfig = fc.record(
  {
    greeting: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('${UNSET_VARIABLE}', '${UNSET:-fallback}', '$${literal}', '${UNSET:-}'), fc.anything()),
    times: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double(), fc.anything()),
    secret: fc.constantFrom('s', '${NOT_SET}', 1),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

interface GeneratedElement {
  path: string;
  eJson: string;
  config: string | undefined;
  module: string | undefined;
  schema: string | undefined;
}

const elementTree = fc.uniqueArray(relPath, { minLength: 1, maxLength: 8 }).chain((paths) => {
  const ids = paths.map((p) => p.split('/').join('.'));
  return fc.tuple(
    ...paths.map((path) =>
      fc.record({
        path: fc.constant(path),
        eJson: fileBody(nearValidEJson(ids)),
        config: fc.option(fileBody(nearValidConfig), { nil: undefined }),
        module: fc.option(fc.constantFrom(...MODULES), { nil: undefined }),
        schema: fc.option(fc.constantFrom(...SCHEMAS), { nil: undefined }),
      }),
    ),
  );
});

/** Writes what it can: a random tree may ask for a file where another element put a folder; that file is skipped. */
function writeElements(appDir: string, elements: GeneratedElement[], appJson: string): void {
  const write = (file: string, text: string) => {
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    } catch {
      // EISDIR / ENOTDIR: the generated paths collide; the loader sees whichever won.
    }
  };
  write(join(appDir, 'app.json'), appJson);
  for (const e of elements) {
    const dir = join(appDir, e.path);
    const name = e.path.slice(e.path.lastIndexOf('/') + 1);
    write(join(dir, 'e.json'), e.eJson);
    if (e.config !== undefined) write(join(dir, `${name}.json`), e.config);
    if (e.module !== undefined) write(join(dir, 'index.js'), e.module);
    if (e.schema !== undefined) write(join(dir, 'schema.json'), e.schema);
  }
}

const appJsonBody = fc.oneof(
  { weight: 6, arbitrary: fc.constant('{"name": "random"}') },
  { weight: 1, arbitrary: fc.json() },
  { weight: 1, arbitrary: fc.constantFrom('', '{"name": "r", "extends": ["./"]}', '{"name": "r", "extends": ["nowhere", 3]}', '{"name": 1}') },
);

async function checkLoads(elements: GeneratedElement[], appJson: string): Promise<void> {
  const t = tempDir('jit-prop-');
  try {
    const appDir = join(t.dir, 'app');
    writeElements(appDir, elements, appJson);
    const options = { platformDir: PLATFORM, env: {}, databaseUrl: 'sqlite::memory:' };
    const app = await loadApp(appDir, options);
    try {
      expect(Array.isArray(app.diagnostics)).toBe(true);
      for (const d of app.diagnostics) {
        expect(Object.keys(DiagnosticCatalogue)).toContain(d.code);
        expect(d.severity).toBe(DiagnosticCatalogue[d.code].severity);
        expect(typeof d.message === 'string' && d.message.length > 0).toBe(true);
        expect(typeof d.hint === 'string' && d.hint.length > 0).toBe(true);
      }
      const listed = app.listElements();
      const generatedIds = new Set(elements.map((e) => e.path.split('/').join('.')));
      // The platform's elements are listed unless the app replaces them (a broken override replaces too: it quarantines the id).
      expect(listed.map((e) => e.fullName)).toEqual(expect.arrayContaining(PLATFORM_IDS.filter((id) => !generatedIds.has(id))));
      for (const info of listed) {
        expect(app.explain(info.fullName)?.fullName).toBe(info.fullName);
        try {
          app.getElement(info.fullName);
          expect(info.quarantined).toBe(false);
        } catch (err) {
          if (!Code.is(err)) throw new Error(`getElement("${info.fullName}") threw a ${(err as Error)?.name}, not a Code: ${String(err)}`);
        }
      }
      // Ids that did not make it into the listing are refused with a Code too.
      for (const id of generatedIds) {
        if (listed.some((l) => l.fullName === id)) continue;
        expect(() => app.getElement(id)).toThrow(expect.objectContaining({ name: 'Code' }));
      }
      // The platform Type is untouched by whatever the app holds (unless the app overrides it).
      if (![...generatedIds].some((id) => id.startsWith('things.'))) expect(typeof app.getElement('things.GreeterType')).toBe('function');
    } finally {
      await app.close();
    }
    // strict mode turns the same diagnostics into one Code, never another error.
    const strict = loadApp(appDir, { ...options, strict: true });
    if (app.diagnostics.length === 0) await (await strict).close();
    else await expect(strict).rejects.toMatchObject({ name: 'Code', code: RuntimeCodes.APP_INVALID });
  } finally {
    t.cleanup();
  }
}

describe('a Type module that throws anything', () => {
  // `throw null`, `throw undefined`, `throw 42`, `throw {}`: not every thrown value is an Error with a message.
  test('at import, in extend(Base) or in its constructor, is a diagnostic and a Code, never a crash', async () => {
    const where = fc.constantFrom('import', 'extend', 'constructor');
    const thrown = fc.oneof(fc.constantFrom('undefined', 'null', '0', '""', 'Symbol("s")', 'new Error("plain")', 'Object.create(null)'), fc.jsonValue().map((v) => JSON.stringify(v)));
    await fc.assert(
      fc.asyncProperty(where, thrown, async (at, value) => {
        const module =
          at === 'import'
            ? `throw ${value};\n`
            : at === 'extend'
              ? `export function extend() { throw ${value}; }\n`
              : `export function extend(Base) { return class extends Base { constructor(c) { super(c); throw ${value}; } }; }\n`;
        const t = tempDir('jit-throw-');
        try {
          writeElements(join(t.dir, 'app'), [
            { path: 'things/ThrowType', eJson: JSON.stringify({ title: 'T', type: 'things.Meta', backendBundleEntry: 'index.js' }), config: undefined, module, schema: undefined },
            { path: 'greeters/A', eJson: JSON.stringify({ title: 'A', type: 'things.ThrowType' }), config: '{}', module: undefined, schema: undefined },
          ], '{"name": "throwing"}');
          const app = await loadApp(join(t.dir, 'app'), { platformDir: PLATFORM, env: {}, databaseUrl: 'sqlite::memory:' });
          try {
            let error: unknown;
            try {
              app.getElement('greeters.A');
            } catch (err) {
              error = err;
            }
            expect(Code.is(error)).toBe(true);
            const expected = at === 'constructor' ? 'INSTANCE_CREATE_FAILED' : 'MODULE_LOAD_FAILED';
            expect(app.diagnostics.map((d) => d.code)).toContain(expected);
          } finally {
            await app.close();
          }
        } finally {
          t.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('loadApp on random element trees', () => {
  test('never throws; diagnostics are well-formed data; every listed element is served or refused with a Code', async () => {
    await fc.assert(
      fc.asyncProperty(elementTree, appJsonBody, async (elements, appJson) => checkLoads(elements, appJson)),
      { numRuns: 100 },
    );
  }, 60_000);

  test('the same for trees of valid names only, so more of them reach module loading and config binding', async () => {
    const validTree = fc.uniqueArray(fc.constantFrom('greeters/A', 'greeters/B', 'things/AType', 'things/BType', 'things/GreeterType', 'C', 'greeters/a'), { minLength: 1, maxLength: 6 }).chain((paths) => {
      const ids = paths.map((p) => p.split('/').join('.'));
      const eJson = fc.oneof({ weight: 3, arbitrary: plausibleEJson(ids) }, { weight: 1, arbitrary: nearValidEJson(ids) }).map((v) => JSON.stringify(v));
      return fc.tuple(
        ...paths.map((path) =>
          fc.record({
            path: fc.constant(path),
            eJson,
            config: fc.option(nearValidConfig.map((v) => JSON.stringify(v)), { nil: undefined }),
            module: fc.option(fc.constantFrom(...MODULES), { nil: undefined }),
            schema: fc.option(fc.constantFrom(...SCHEMAS), { nil: undefined }),
          }),
        ),
      );
    });
    await fc.assert(
      fc.asyncProperty(validTree, async (elements) => checkLoads(elements, '{"name": "valid"}')),
      { numRuns: 100 },
    );
  }, 60_000);
});
