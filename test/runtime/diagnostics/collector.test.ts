import { describe, expect, test } from '@jest/globals';
import { DiagnosticCollector } from '../../../runtime/diagnostics/collector.js';
import { diagnostic } from '../../../runtime/diagnostics/diagnostic.js';
import { greeter } from '../../helpers/platform.js';
import { useScenarios } from '../../helpers/scenario.js';

const scenario = useScenarios();

describe('DiagnosticCollector', () => {
  test('a child adds its context to what is reported through it, and passes it up', () => {
    const root = new DiagnosticCollector();
    const element = root.for({ fullName: 'greeters.Hello', file: '/app/greeters/Hello/e.json' });
    const made = element.report('UNKNOWN_TYPE', 'Type "x" is not defined in any layer.', { pointer: '/type' });
    expect(made).toMatchObject({ code: 'UNKNOWN_TYPE', severity: 'error', fullName: 'greeters.Hello', file: '/app/greeters/Hello/e.json', pointer: '/type' });
    expect(element.list).toEqual([made]);
    expect(root.list).toEqual([made]);
    expect(element.hasErrors()).toBe(true);
    expect(root.for({ fullName: 'other' }).hasErrors()).toBe(false);
  });

  test('what is reported is frozen; adding one made elsewhere never changes it', () => {
    const at = new DiagnosticCollector({ fullName: 'greeters.Hello', file: '/e.json' });
    const made = at.report('JSON_BOM', 'bom');
    expect(Object.isFrozen(made)).toBe(true);
    const elsewhere = diagnostic('JSON_SYNTAX', 'bad', { file: '/config.json' });
    at.add([elsewhere]);
    // The context it lacked is on a copy; the original is untouched (it may be cached and handed out again).
    expect(at.list[1]).toEqual({ ...elsewhere, fullName: 'greeters.Hello' });
    expect(at.list[1]).not.toBe(elsewhere);
    expect(elsewhere).not.toHaveProperty('fullName');
    const complete = diagnostic('JSON_SYNTAX', 'bad', { fullName: 'greeters.Hello', file: '/config.json' });
    at.add([complete]);
    expect(at.list[2]).toBe(complete);
  });
});

describe('diagnostics of a load', () => {
  test('are frozen values; the App marks "still serving the last good version" on copies only', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'x', oops: true }) });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'CONFIG_INVALID', fullName: 'greeters.Hello' })]);
    for (const d of app.diagnostics) expect(Object.isFrozen(d)).toBe(true);
  });
});
