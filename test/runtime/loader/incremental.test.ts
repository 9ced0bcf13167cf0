import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { rmSync } from 'node:fs';
import type { Build } from '../../../runtime/loader/build.js';
import { greeter } from '../../helpers/platform.js';
import { useScenarios } from '../../helpers/scenario.js';

const scenario = useScenarios();

/** What a build says, as plain data: every diagnostic and every bound config. */
const observable = (build: Build) => ({
  diagnostics: build.diagnostics.map((d) => ({ code: d.code, fullName: d.fullName, pointer: d.pointer, message: d.message })),
  configs: Object.fromEntries([...build.configs].map(([id, bound]) => [id, bound.value])),
  quarantined: [...build.manifest.entries.values()].filter((e) => e.diagnostics.hasErrors()).map((e) => e.fullName),
});

const IDS = ['A', 'B', 'C'];
const appTree = () => ({ 'apps/a/app.json': { name: 'a' }, ...Object.assign({}, ...IDS.map((id) => greeter(`apps/a/greeters/${id}`, { greeting: id }))) });

describe('a reload costs in proportion to what changed (Builder.update)', () => {
  test("a config edit re-binds that instance only: every other entry is the previous build's own object", async () => {
    const s = scenario(appTree());
    const { builder, build: first } = await s.manifest('a');
    const file = s.path('apps/a/greeters/B/B.json');
    s.write({ 'apps/a/greeters/B/B.json': { greeting: 'bee' } });
    expect(builder.files.refresh(file)).toBe(true);
    const next = await builder.update([file], false);
    expect(next.onlyChanged).toEqual(['greeters.B']);
    expect(next.configs.get('greeters.B')?.value).toEqual({ greeting: 'bee', times: 1 });
    expect(next.manifest.entries.get('greeters.A')).toBe(first.manifest.entries.get('greeters.A'));
    expect(next.configs.get('greeters.A')).toBe(first.configs.get('greeters.A'));
    expect(next.classes).toBe(first.classes);
  });

  test('an e.json edit, a schema edit or a new folder takes the whole pipeline', async () => {
    const s = scenario(appTree());
    const { builder } = await s.manifest('a');
    const eJson = s.path('apps/a/greeters/B/e.json');
    s.write({ 'apps/a/greeters/B/e.json': { title: 'renamed', type: 'things.GreeterType' } });
    builder.files.refresh(eJson);
    expect((await builder.update([eJson], false)).onlyChanged).toBeUndefined();
    const schema = s.path('platform/things/GreeterType/config.schema.json');
    expect((await builder.update([schema], false)).onlyChanged).toBeUndefined();
    expect((await builder.update([], true)).onlyChanged).toBeUndefined();
  });

  test('any sequence of config edits (valid, invalid, broken JSON, deleted) ends where a fresh load does', async () => {
    const edit = fc.record({
      id: fc.constantFrom(...IDS),
      content: fc.oneof(
        fc.record({ greeting: fc.string({ minLength: 1, maxLength: 5 }) }),
        fc.constant({ greeting: '' }), // CONFIG_INVALID
        fc.constant({ greeting: 'x', times: 0 }), // CONFIG_INVALID
        fc.constant('{"greeting": '), // JSON_SYNTAX
        fc.constant(null), // deleted: CONFIG_MISSING
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const s = scenario(appTree());
        const { builder } = await s.manifest('a');
        let build: Build | undefined;
        for (const { id, content } of edits) {
          const file = s.path(`apps/a/greeters/${id}/${id}.json`);
          if (content === null) {
            rmSync(file, { force: true });
            builder.files.invalidate(file);
            build = await builder.update([file], false);
          } else {
            s.write({ [`apps/a/greeters/${id}/${id}.json`]: content });
            build = builder.files.refresh(file) ? await builder.update([file], false) : build;
          }
        }
        const fresh = (await s.manifest('a')).build;
        if (build) expect(observable(build)).toEqual(observable(fresh));
      }),
      { numRuns: 25 },
    );
  });
});
