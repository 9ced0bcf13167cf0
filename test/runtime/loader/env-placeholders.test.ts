import { afterEach, describe, expect, test } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../../elements/auths/loginTypes/FSInnerType/sandbox/index.js';
import { createHttpServer } from '../../../runtime/http/server.js';
import { DiagnosticCatalogue, loadApp, RuntimeCodes, type App, type Diagnostic, type DiagnosticCode } from '../../../runtime/index.js';
import { createTestDatabase } from '../../helpers/database.js';
import { tempDir, writeTree } from '../../helpers/fixture.js';
import { greeter, type Greeter } from '../../helpers/platform.js';
import { useScenarios } from '../../helpers/scenario.js';

/**
 * `${NAME}` placeholders in hand-written config files: any variable resolves
 * in any field (the demo's `${FEISHU_DOMAIN:-…}`), except the runtime's own
 * `JIT_*` variables, which are never substituted — not their value, not their
 * fallback — so a config field can never be made to carry JIT_SECRET_KEY or
 * JIT_DATABASE_URL to whoever reads it.
 */
const scenario = useScenarios();

const FORBIDDEN: DiagnosticCode = 'CONFIG_ENV_FORBIDDEN';
const MISSING: DiagnosticCode = 'CONFIG_ENV_MISSING';
const RUNTIME_RULE = 'JIT_* variables configure the runtime itself and are never substituted into element configs';

/** What the server's own environment holds: values that must never come out of an element. */
const SECRET_KEY = 'a1'.repeat(32); // 32 bytes in hex, as JIT_SECRET_KEY takes it
const DATABASE_URL = 'postgres://jit:db-password-5f0c2e@db.internal:5432/jit';
const RUNTIME_ENV = { JIT_SECRET_KEY: SECRET_KEY, JIT_DATABASE_URL: DATABASE_URL };

const C = 'apps/a/greeters/Broken/Broken.json';

async function loadGreeter(config: object, env: Record<string, string> = RUNTIME_ENV) {
  const s = scenario({ 'apps/a/app.json': { name: 'a' }, ...greeter('apps/a/greeters/Good', { greeting: 'still here' }), ...greeter('apps/a/greeters/Broken', config) });
  // databaseUrl: the environment's JIT_DATABASE_URL is not a database these tests have.
  return { s, app: await s.load('a', { env, databaseUrl: 'sqlite::memory:' }) };
}

const forbidden = (app: App) => app.diagnostics.filter((d) => d.code === FORBIDDEN);

describe('the loader never substitutes JIT_* variables', () => {
  test('a JIT_* placeholder is CONFIG_ENV_FORBIDDEN naming file, field and fix; the instance is quarantined, the rest loads', async () => {
    const { s, app } = await loadGreeter({ greeting: '${JIT_SECRET_KEY}', secret: 'db=${JIT_DATABASE_URL}' });
    expect(forbidden(app)).toEqual([
      expect.objectContaining({ severity: 'error', fullName: 'greeters.Broken', file: s.path(C), pointer: '/greeting', message: expect.stringContaining('${JIT_SECRET_KEY}') }),
      expect.objectContaining({ severity: 'error', fullName: 'greeters.Broken', file: s.path(C), pointer: '/secret', message: expect.stringContaining('${JIT_DATABASE_URL}') }),
    ]);
    expect(forbidden(app)[0]!.message).toContain(RUNTIME_RULE);
    expect(forbidden(app)[0]!.hint).toBe(DiagnosticCatalogue.CONFIG_ENV_FORBIDDEN.hint);
    expect(DiagnosticCatalogue.CONFIG_ENV_FORBIDDEN.hint).toBe(`${RUNTIME_RULE}; write the value or use another variable.`);
    expect(() => app.getElement('greeters.Broken')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_QUARANTINED }));
    expect(app.getElement<Greeter>('greeters.Good').config.greeting).toBe('still here');
    // Neither the diagnostics nor the refusal carry the values.
    const everything = JSON.stringify(app.diagnostics) + JSON.stringify(catchCode(() => app.getElement('greeters.Broken')));
    expect(everything).not.toContain(SECRET_KEY);
    expect(everything).not.toContain(DATABASE_URL);
  });

  test('whatever the letter case, whether or not the variable is set, and never through its fallback', async () => {
    const { app } = await loadGreeter({ greeting: '${jit_secret_key}', secret: '${JIT_NOT_SET_ANYWHERE:-fallback}' }, {});
    expect(forbidden(app).map((d) => d.pointer)).toEqual(['/greeting', '/secret']);
    expect(app.diagnostics.filter((d) => d.code === MISSING)).toEqual([]);
    expect(() => app.getElement('greeters.Broken')).toThrow(expect.objectContaining({ code: RuntimeCodes.ELEMENT_QUARANTINED }));
  });

  test('$${JIT_…} is a literal text, not a placeholder; other variables resolve in any field as before', async () => {
    const { app } = await loadGreeter({ greeting: 'literal $${JIT_SECRET_KEY}', secret: '${GREETER_SECRET:-fallback}-${GREETER_SUFFIX}' }, { ...RUNTIME_ENV, GREETER_SUFFIX: 'sfx' });
    expect(app.diagnostics).toEqual([]);
    expect(app.getElement<Greeter>('greeters.Broken').config).toMatchObject({ greeting: 'literal ${JIT_SECRET_KEY}', secret: 'fallback-sfx' });
  });

  test('on hot reload an edit that names a JIT_* variable keeps the last good version serving', async () => {
    const { s, app } = await loadGreeter({ greeting: 'v1' });
    await app.watch();
    const good = app.getElement<Greeter>('greeters.Broken');
    const reloaded = new Promise<void>((resolve) => app.once('reload', () => resolve()));
    s.write({ [C]: { greeting: '${JIT_SECRET_KEY}' } });
    await reloaded;
    await app.settled();
    expect(app.getElement<Greeter>('greeters.Broken')).toBe(good);
    expect(app.getElement<Greeter>('greeters.Broken').config.greeting).toBe('v1');
    expect(app.diagnostics).toEqual([expect.objectContaining({ code: FORBIDDEN, fullName: 'greeters.Broken', pointer: '/greeting', keptLastGood: true })]);
  });
});

describe('x-env-pattern, the scaffold annotation of secret fields, in a Type schema', () => {
  const typeWith = (property: object) => ({
    'apps/a/app.json': { name: 'a' },
    'apps/a/things/VaultType/e.json': { title: 'Vault', type: 'things.Meta', backendBundleEntry: 'index.js', configSchema: 'schema.json' },
    'apps/a/things/VaultType/index.js': 'export function extend(Base) { return class extends Base {}; }\n',
    'apps/a/things/VaultType/schema.json': { type: 'object', properties: { token: { type: 'string', writeOnly: true, ...property } } },
    'apps/a/vaults/Main/e.json': { title: 'Main', type: 'things.VaultType' },
    // Hand-written: the loader does not hold files to the pattern (only the admin API and jit new do).
    'apps/a/vaults/Main/Main.json': { token: '${OTHER_TOKEN}' },
  });

  test('is accepted by the loader, which does not enforce it on hand-written files', async () => {
    const s = scenario(typeWith({ 'x-env-pattern': '^VAULT_[A-Z0-9_]*$' }));
    const app = await s.load('a', { env: { OTHER_TOKEN: 't0k3n' }, databaseUrl: 'sqlite::memory:' });
    expect(app.diagnostics).toEqual([]);
    expect(app.getElement<{ config: { token: string } }>('vaults.Main').config.token).toBe('t0k3n');
  });

  test.each([
    ['not a string', 42],
    ['not a regular expression', '^VAULT_(['],
  ])('%s: the schema is SCHEMA_INVALID', async (_name, pattern) => {
    const s = scenario(typeWith({ 'x-env-pattern': pattern }));
    const app = await s.load('a', { env: { OTHER_TOKEN: 't0k3n' }, databaseUrl: 'sqlite::memory:' });
    expect(app.diagnostics).toContainEqual(expect.objectContaining({ code: 'SCHEMA_INVALID', fullName: 'things.VaultType', file: s.path('apps/a/things/VaultType/schema.json') }));
  });
});

describe('regression (issue #10): a hand-written Feishu login config cannot publish the server environment', () => {
  const teardown: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of teardown.splice(0).reverse()) await step();
  });

  async function feishuWorld(): Promise<{ app: App; server: FastifyInstance; sandbox: Sandbox; root: string }> {
    const sandbox = await startSandbox({ rate: 0 });
    teardown.push(() => sandbox.close());
    const t = tempDir('jit-env-');
    teardown.push(t.cleanup);
    const e = { title: 'Feishu login', type: 'auths.loginTypes.FSInnerType' };
    writeTree(t.dir, {
      'apps/demo/app.json': { name: 'demo' },
      // The attack: an instance whose public getLoginConfig would echo appId and redirectUri.
      'apps/demo/auths/loginTypes/Leaky/e.json': e,
      'apps/demo/auths/loginTypes/Leaky/Leaky.json': {
        appId: '${JIT_SECRET_KEY}',
        appSecret: sandbox.appSecret,
        domain: sandbox.baseUrl,
        redirectUri: 'http://x/${JIT_DATABASE_URL}',
        adminUserIds: ['${JIT_SECRET_KEY:-zhangsan}'],
      },
      // apps/demo's style: placeholders with fallbacks in non-secret fields keep working.
      'apps/demo/auths/loginTypes/DemoStyle/e.json': e,
      'apps/demo/auths/loginTypes/DemoStyle/DemoStyle.json': {
        appId: '${FEISHU_APP_ID:-cli_unused}',
        appSecret: '${FEISHU_APP_SECRET:-unused}',
        domain: '${FEISHU_DOMAIN:-feishu}',
        redirectUri: '${FEISHU_REDIRECT_URI:-http://localhost:3000/login/callback}',
      },
    });
    const database = await createTestDatabase();
    teardown.push(() => database.drop());
    const env = { ...RUNTIME_ENV, FEISHU_APP_ID: sandbox.appId, FEISHU_APP_SECRET: sandbox.appSecret, FEISHU_DOMAIN: sandbox.baseUrl };
    const app = await loadApp(join(t.dir, 'apps/demo'), {
      env,
      dataDir: join(t.dir, 'data'),
      databaseUrl: database.url ?? `sqlite:${join(t.dir, 'data', 'app.sqlite')}`,
      ...(database.url ? { migrate: true } : {}),
    });
    teardown.push(() => app.close());
    const server = await createHttpServer(app, { logLevel: false });
    teardown.push(() => server.close());
    return { app, server, sandbox, root: t.dir };
  }

  test('CONFIG_ENV_FORBIDDEN for each JIT_* field; getLoginConfig never returns their values; demo-style placeholders load', async () => {
    const w = await feishuWorld();
    const leaky = w.app.diagnostics.filter((d: Diagnostic) => d.fullName === 'auths.loginTypes.Leaky');
    expect(leaky.map((d) => [d.code, d.pointer])).toEqual([
      [FORBIDDEN, '/appId'],
      [FORBIDDEN, '/redirectUri'],
      [FORBIDDEN, '/adminUserIds/0'],
    ]);
    expect(leaky[0]!.file).toBe(join(w.root, 'apps/demo/auths/loginTypes/Leaky/Leaky.json'));
    expect(w.app.diagnostics.filter((d) => d.fullName === 'auths.loginTypes.DemoStyle')).toEqual([]);

    const leakyReply = await w.server.inject({ method: 'POST', url: '/api/auths/loginTypes/Leaky/getLoginConfig', payload: {} });
    expect(leakyReply.json()).toMatchObject({ ok: false });
    const demoReply = await w.server.inject({ method: 'POST', url: '/api/auths/loginTypes/DemoStyle/getLoginConfig', payload: {} });
    expect(demoReply.json()).toMatchObject({ ok: true, data: { appId: w.sandbox.appId, redirectUri: 'http://localhost:3000/login/callback' } });
    expect(new URL(demoReply.json().data.authorizeUrl).origin).toBe(new URL(w.sandbox.baseUrl).origin);

    for (const reply of [leakyReply, demoReply]) {
      for (const value of [SECRET_KEY, DATABASE_URL, encodeURIComponent(DATABASE_URL), 'db-password-5f0c2e']) expect(reply.body).not.toContain(value);
    }
  });
});

function catchCode(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}
