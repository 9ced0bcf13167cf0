import { describe, expect, test } from '@jest/globals';
import { Code } from '../../runtime/index.js';
import { useScenarios } from '../helpers/scenario.js';
import { greeter, type Greeter } from '../helpers/platform.js';
import { RuntimeCodes } from '../../runtime/errcode.js';

const scenario = useScenarios();

describe('getElement', () => {
  test('returns one live instance per id, created on first use', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }) });
    const app = await s.load('a');
    const first = app.getElement<Greeter>('greeters.Hello');
    expect(app.getElement('greeters.Hello')).toBe(first);
    expect(first).toMatchObject({ fullName: 'greeters.Hello', title: 'A greeter' });
  });

  test('returns the class for a Type', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }) });
    const app = await s.load('a');
    const Type = app.getElement<new (...args: unknown[]) => unknown>('things.GreeterType');
    expect(app.getElement('greeters.Hello')).toBeInstanceOf(Type);
  });

  test('an unknown id is Code 10001 with the nearest ids as suggestions', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }) });
    const app = await s.load('a');
    let error: unknown;
    try {
      app.getElement('greeters.Helo');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Code);
    expect(error).toMatchObject({ code: RuntimeCodes.ELEMENT_NOT_FOUND, details: { suggestions: ['greeters.Hello'] } });
    expect((error as Error).message).toContain('Did you mean "greeters.Hello"?');
  });

  test.each(['../etc/passwd', 'greeters/Hello', 'greeters..Hello', '', '.greeters', 'greeters.Hello.', 'a.%2e%2e.b'])('a malformed id (%j) is Code 10002, rejected before touching files', async (id) => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' } });
    const app = await s.load('a');
    expect(() => app.getElement(id)).toThrow(expect.objectContaining({ code: RuntimeCodes.INVALID_ELEMENT_ID }));
  });

  test('a closed app refuses service', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }) });
    const app = await s.load('a');
    await app.close();
    expect(() => app.getElement('greeters.Hello')).toThrow(expect.objectContaining({ code: RuntimeCodes.APP_CLOSED }));
  });

  test('a constructor that throws fails only that instance, as Code 10005 and a diagnostic', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/things/PickyType/e.json': { title: 'Picky', type: 'things.GreeterType', backendBundleEntry: 'index.js' },
      'apps/a/things/PickyType/index.js': 'export function extend(Base) { return class extends Base { constructor(c) { super(c); if (this.config.greeting === "no") throw new Error("greeting no is refused"); } }; }\n',
      'apps/a/greeters/Refused/e.json': { title: 'R', type: 'things.PickyType' },
      'apps/a/greeters/Refused/Refused.json': { greeting: 'no' },
      ...greeter('apps/a/greeters/Fine', { greeting: 'yes' }),
    });
    const app = await s.load('a');
    expect(() => app.getElement('greeters.Refused')).toThrow(expect.objectContaining({ code: RuntimeCodes.INSTANCE_CREATE_FAILED }));
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: 'INSTANCE_CREATE_FAILED', fullName: 'greeters.Refused' })]);
    expect(app.getElement<Greeter>('greeters.Fine').greet('x')).toBe('yes, x');
  });
});

describe('config binding', () => {
  test('the bound config is validated, has schema defaults filled in, and is read-only', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi' }) });
    const app = await s.load('a');
    const hello = app.getElement<Greeter>('greeters.Hello');
    expect(hello.config).toEqual({ greeting: 'Hi', times: 1 });
    expect(Object.isFrozen(hello.config)).toBe(true);
    expect(() => {
      (hello.config as { greeting: string }).greeting = 'changed';
    }).toThrow(TypeError);
  });

  test('${ENV} placeholders are resolved from the environment; $${ escapes a literal', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'Hi ${WHO} $${NOT_A_VAR}', secret: '${GREETER_SECRET}' }) });
    const app = await s.load('a', { env: { WHO: 'there', GREETER_SECRET: 'hunter2' } });
    expect(app.getElement<Greeter>('greeters.Hello').config).toMatchObject({ greeting: 'Hi there ${NOT_A_VAR}', secret: 'hunter2' });
  });

  test('${NAME:-default} falls back to the default when the variable is unset', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: '${GREETING:-hello}', secret: '${SET_ONE:-unused}' }) });
    const app = await s.load('a', { env: { SET_ONE: 'from env' } });
    expect(app.getElement<Greeter>('greeters.Hello').config).toMatchObject({ greeting: 'hello', secret: 'from env' });
  });

  test('a missing variable names the file, the field and the variable', async () => {
    const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Hello', { greeting: 'x', secret: '${GREETER_SECRET}' }) });
    const app = await s.load('a');
    expect(app.diagnostics).toEqual([
      expect.objectContaining({
        code: 'CONFIG_ENV_MISSING',
        file: s.path('apps/a/greeters/Hello/Hello.json'),
        pointer: '/secret',
        message: expect.stringContaining('GREETER_SECRET'),
        hint: expect.stringContaining('GREETER_SECRET'),
      }),
    ]);
  });

  test('a Type may name its config file with a {name} template', async () => {
    const s = scenario({
      'apps/a/app.json': { name: 'a' },
      'apps/a/things/TemplatedType/e.json': { title: 'T', type: 'things.GreeterType', backendBundleEntry: 'index.js', configFile: '{name}.config.json' },
      'apps/a/things/TemplatedType/index.js': 'export function extend(Base) { return class extends Base {}; }\n',
      'apps/a/greeters/T1/e.json': { title: 'T1', type: 'things.TemplatedType' },
      'apps/a/greeters/T1/T1.config.json': { greeting: 'templated' },
    });
    const app = await s.load('a');
    expect(app.getElement<Greeter>('greeters.T1').config.greeting).toBe('templated');
  });
});

describe('explain', () => {
  test('tells the winning layer, what it shadows, the type chain and the problems', async () => {
    const s = scenario({
      'apps/base/app.json': { name: 'base' },
      'apps/top/app.json': { name: 'top', extends: ['base'] },
      ...greeter('apps/base/greeters/Hello', { greeting: 'base' }),
      ...greeter('apps/top/greeters/Hello', { greeting: 'top', oops: true }),
    });
    const app = await s.load('top');
    expect(app.explain('greeters.Hello')).toMatchObject({
      fullName: 'greeters.Hello',
      kind: 'instance',
      layer: 'top',
      shadowed: [{ layer: 'base', file: s.path('apps/base/greeters/Hello/e.json') }],
      typeChain: ['things.GreeterType', 'things.Meta'],
      quarantined: true,
      diagnostics: [expect.objectContaining({ code: 'CONFIG_INVALID', pointer: '/oops' })],
    });
    expect(app.explain('no.such.Thing')).toBeUndefined();
  });
});
