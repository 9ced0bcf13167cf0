import { describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { runCli } from '../../../runtime/cli/program.js';
import { useScenarios } from '../../helpers/scenario.js';
import { greeter, greeterModule } from '../../helpers/platform.js';

const scenario = useScenarios();

async function jit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The CLI uses the official platform layer; these apps bring their own Meta and Type. */
const selfContained = {
  'apps/base/app.json': { name: 'base' },
  'apps/top/app.json': { name: 'top', extends: ['base'] },
  'apps/base/things/Meta/e.json': { title: 'Things', type: '' },
  'apps/base/things/GreeterType/e.json': { title: 'Greeter', type: 'things.Meta', backendBundleEntry: 'index.ts' },
  'apps/base/things/GreeterType/index.ts': greeterModule('base'),
  'apps/top/things/GreeterType/e.json': { title: 'Custom greeter', type: 'things.Meta', backendBundleEntry: 'index.ts' },
  'apps/top/things/GreeterType/index.ts': greeterModule('top'),
  ...greeter('apps/base/greeters/Hello', { greeting: 'hi' }),
};

describe('jit ls', () => {
  test('prints Meta → Type → Instance with layers and override marks', async () => {
    const s = scenario(selfContained, false);
    const r = await jit('ls', s.path('apps/top'));
    expect(r.code).toBe(0);
    expect(r.out).toContain('layers: top → base → @platform');
    expect(r.out).toMatch(/^things\.Meta {2}\[meta · base\]$/m);
    expect(r.out).toMatch(/^└─ things\.GreeterType {2}\[type · top · overrides base\]$/m);
    expect(r.out).toMatch(/^ {3}└─ greeters\.Hello {2}\[instance · base\]$/m);
    expect(existsSync(s.path('apps/top/data'))).toBe(false); // inspection leaves the data folder alone
  });
});

describe('jit validate', () => {
  test('exits 0 and says so for a clean app', async () => {
    const s = scenario(selfContained, false);
    const r = await jit('validate', s.path('apps/top'));
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining('no problems') });
  });

  test('prints each diagnostic with file, pointer and hint, and exits 1', async () => {
    const s = scenario({ ...selfContained, ...greeter('apps/top/greeters/Bad', '{"greeting": }') }, false);
    const r = await jit('validate', s.path('apps/top'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('error JSON_SYNTAX [greeters.Bad] greeters/Bad/Bad.json');
    expect(r.err).toContain('hint: ');
    expect(r.err).toContain('1 problem(s) in app top');
  });
});

describe('jit explain', () => {
  test('names the winning layer, what it shadows and the type chain', async () => {
    const s = scenario(selfContained, false);
    const r = await jit('explain', s.path('apps/top'), 'things.GreeterType');
    expect(r.code).toBe(0);
    expect(r.out).toContain('defined:   layer top');
    expect(r.out).toContain(`shadows:   base (${s.path('apps/base/things/GreeterType/e.json')})`);
    expect(r.out).toContain('typeChain: things.Meta');
  });

  test('an unknown id exits 1 with suggestions', async () => {
    const s = scenario(selfContained, false);
    const r = await jit('explain', s.path('apps/top'), 'greeters.Helo');
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining('Did you mean "greeters.Hello"?') });
  });

  test('says where each inherited value comes from, reading the platform layer it is given', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'hi' }) });
    const out: string[] = [];
    const code = await runCli(['explain', s.path('apps/a'), 'greeters.Hello'], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} }, { platformDir: s.path('platform') });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('inherits:  configFile {name}.json (default)');
    expect(out.join('\n')).toContain('configSchema config.schema.json (from things.GreeterType, layer @platform)');
    expect(out.join('\n')).toContain('functionList none (default)');
  });
});
