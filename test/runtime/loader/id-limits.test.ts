import { describe, expect, test } from '@jest/globals';
import { isFullName, MAX_ID_LENGTH, MAX_SEGMENT_LENGTH } from '../../../runtime/ids.js';
import { RuntimeCodes, type DiagnosticCode } from '../../../runtime/index.js';
import { greeter, type Greeter } from '../../helpers/platform.js';
import { useScenarios } from '../../helpers/scenario.js';

/**
 * Element ids are stored in varchar(200) columns (sessions', bindings' and
 * login states' `provider`, lease names made of an id and a suffix), and each part is a folder name: an id longer than
 * MAX_ID_LENGTH, or with a part longer than MAX_SEGMENT_LENGTH, is refused
 * when loading (and by the scaffold, see test/runtime/cli/new.test.ts).
 */
const scenario = useScenarios();
const NAME_INVALID: DiagnosticCode = 'ELEMENT_NAME_INVALID';

/** A dotted id of exactly `length` characters under greeters., parts at most MAX_SEGMENT_LENGTH long. */
function idOfLength(length: number): string {
  const parts = ['greeters'];
  let used = 'greeters'.length;
  while (used < length) {
    const room = length - used - 1; // the dot
    const part = ('G' + 'x'.repeat(MAX_SEGMENT_LENGTH)).slice(0, Math.min(MAX_SEGMENT_LENGTH, room));
    parts.push(part);
    used += part.length + 1;
  }
  const id = parts.join('.');
  if (id.length !== length || parts.at(-1)!.length < 1) throw new Error(`cannot make an id of ${length}`);
  return id;
}

async function loadWith(id: string) {
  const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Good', { greeting: 'still here' }), ...greeter(`apps/a/${id.split('.').join('/')}`, { greeting: 'long' }) });
  return { s, app: await s.load('a') };
}

describe('element id length limits', () => {
  test('the limits fit the database columns and portable folder names', () => {
    const PROVIDER_COLUMN = 200;
    expect(MAX_ID_LENGTH + '.syncDepartmentInfo'.length).toBeLessThanOrEqual(PROVIDER_COLUMN); // the longest lease name
    expect(MAX_SEGMENT_LENGTH).toBeLessThanOrEqual(255); // a folder name on every common file system
    expect(isFullName(`greeters.${'G'.repeat(MAX_SEGMENT_LENGTH)}`)).toBe(true);
    expect(isFullName(`greeters.${'G'.repeat(MAX_SEGMENT_LENGTH + 1)}`)).toBe(false);
    expect(isFullName(idOfLength(MAX_ID_LENGTH))).toBe(true);
    expect(isFullName(idOfLength(MAX_ID_LENGTH + 1))).toBe(false);
  });

  test(`a folder name of ${MAX_SEGMENT_LENGTH} characters loads; one of ${MAX_SEGMENT_LENGTH + 1} is ELEMENT_NAME_INVALID naming the limit`, async () => {
    const fits = `greeters.${'G'.repeat(MAX_SEGMENT_LENGTH)}`;
    expect((await loadWith(fits)).app.getElement<Greeter>(fits).config.greeting).toBe('long');

    const long = `greeters.${'G'.repeat(MAX_SEGMENT_LENGTH + 1)}`;
    const { s, app } = await loadWith(long);
    expect(app.diagnostics).toEqual([
      expect.objectContaining({ code: NAME_INVALID, severity: 'error', fullName: long, file: s.path('apps/a', ...long.split('.'), 'e.json'), message: expect.stringContaining(`at most ${MAX_SEGMENT_LENGTH}`) }),
    ]);
    expect(() => app.getElement(long)).toThrow(expect.objectContaining({ code: RuntimeCodes.INVALID_ELEMENT_ID }));
    expect(app.getElement<Greeter>('greeters.Good').config.greeting).toBe('still here');
  });

  test(`an id of ${MAX_ID_LENGTH} characters loads; one of ${MAX_ID_LENGTH + 1} is ELEMENT_NAME_INVALID naming the limit`, async () => {
    const fits = idOfLength(MAX_ID_LENGTH);
    expect((await loadWith(fits)).app.getElement<Greeter>(fits).config.greeting).toBe('long');

    const long = idOfLength(MAX_ID_LENGTH + 1);
    const { app } = await loadWith(long);
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: NAME_INVALID, fullName: long, message: expect.stringContaining(`at most ${MAX_ID_LENGTH}`) })]);
    expect(app.getElement<Greeter>('greeters.Good').config.greeting).toBe('still here');
  });
});
