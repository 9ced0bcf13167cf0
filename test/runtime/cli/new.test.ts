import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli, type CliIo } from '../../../runtime/cli/program.js';
import { MAX_ID_LENGTH, MAX_SEGMENT_LENGTH } from '../../../runtime/ids.js';
import { loadApp } from '../../../runtime/index.js';
import { ScaffoldError, type FieldError, type TypeContract } from '../../../runtime/scaffold/schema.js';
import { prepareConfig } from '../../../runtime/scaffold/write.js';
import { tempDir, writeTree } from '../../helpers/fixture.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An empty app on the official elements (the CLI always uses them). */
function emptyApp(): string {
  const t = tempDir('jit-new-');
  cleanups.push(t.cleanup);
  writeTree(t.dir, { 'apps/acme/app.json': { name: 'acme' } });
  return join(t.dir, 'apps/acme');
}

async function jit(argv: string[], input: string | Partial<CliIo> = '') {
  const out: string[] = [];
  const err: string[] = [];
  const extra = typeof input === 'string' ? { input: Readable.from([input]) } : input;
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), ...extra });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const TYPE = 'auths.loginTypes.FSInnerType';
const ID = 'auths.loginTypes.AcmeFeishu';
const read = (app: string, file: string) => readFileSync(join(app, 'auths/loginTypes/AcmeFeishu', file), 'utf8');

async function load(app: string, env: Record<string, string> = {}) {
  const loaded = await loadApp(app, { databaseUrl: 'sqlite::memory:', env });
  cleanups.push(() => loaded.close());
  return loaded;
}

describe('jit new <app> <id> --type', () => {
  test('with --set flags: e.json and the config file, in schema order, only the values given', async () => {
    const app = emptyApp();
    const r = await jit(['new', app, ID, '--type', TYPE, '--title', 'Acme Feishu', '--set', 'stateTtlSeconds=120', '--set', 'appSecret=${FEISHU_ACME_SECRET}', '--set', 'appId=cli_acme', '--set', 'adminUserIds=zhangsan,lisi']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`Created ${ID} (${TYPE}) in app acme:`);
    expect(read(app, 'e.json')).toBe('{\n  "title": "Acme Feishu",\n  "type": "auths.loginTypes.FSInnerType"\n}\n');
    expect(read(app, 'AcmeFeishu.json')).toBe(JSON.stringify({ appId: 'cli_acme', appSecret: '${FEISHU_ACME_SECRET}', stateTtlSeconds: 120, adminUserIds: ['zhangsan', 'lisi'] }, null, 2) + '\n');
    const loaded = await load(app, { FEISHU_ACME_SECRET: 'from-env' });
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.getElementDefine(ID)).toMatchObject({ kind: 'instance', type: TYPE, title: 'Acme Feishu' });
  });

  test('asks for missing required fields; piped answers are read line by line; Enter on a secret writes its ${ENV} placeholder', async () => {
    const app = emptyApp();
    const r = await jit(['new', app, ID, '--type', TYPE], 'cli_piped\n\n');
    expect(r.code).toBe(0);
    expect(r.out).toContain('App ID (appId, required)');
    expect(r.out).toContain('App ID of the Feishu self-built app');
    expect(r.out).toContain('App Secret (appSecret, required, secret)');
    expect(r.out).toContain('appSecret [${FEISHU_APP_SECRET}]: ');
    expect(r.out).toContain('set FEISHU_APP_SECRET before starting the app');
    expect(JSON.parse(read(app, 'AcmeFeishu.json'))).toEqual({ appId: 'cli_piped', appSecret: '${FEISHU_APP_SECRET}' });
    expect(JSON.parse(read(app, 'e.json'))).toEqual({ title: 'Acme Feishu', type: TYPE }); // title from the name
  });

  test('--ask-all also asks optional fields, showing enum values and defaults; Enter skips them', async () => {
    const app = emptyApp();
    const r = await jit(['new', app, ID, '--type', TYPE, '--ask-all', '--secrets-as-values', '--set', 'appId=cli_1'], 'typed-secret\n\n\n\nopen_id\n'); // secret, then Enter for domain, redirectUri and scope
    expect(r.code).toBe(0);
    expect(r.out).toContain('one of: "user_id", "open_id", "union_id"');
    expect(r.out).toContain('default: "user_id"');
    expect(read(app, 'AcmeFeishu.json')).toBe(JSON.stringify({ appId: 'cli_1', appSecret: 'typed-secret', userIdType: 'open_id' }, null, 2) + '\n');
  });

  test('a typed secret is not echoed on a terminal', async () => {
    const app = emptyApp();
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let echoed = '';
    output.on('data', (chunk: Buffer) => {
      echoed += chunk.toString();
      if (echoed.endsWith('appSecret [${FEISHU_APP_SECRET}]: ')) setTimeout(() => input.write('very-secret\r'), 10);
    });
    const r = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=cli_1', '--secrets-as-values'], { input, output });
    expect(r.code).toBe(0);
    expect(echoed).not.toContain('very-secret');
    expect(JSON.parse(read(app, 'AcmeFeishu.json')).appSecret).toBe('very-secret');
  });

  test('never overwrites an existing element without --force', async () => {
    const app = emptyApp();
    expect((await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=one', '--set', 'appSecret=${FEISHU_S}'])).code).toBe(0);
    const before = read(app, 'AcmeFeishu.json');
    const again = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=two', '--set', 'appSecret=${FEISHU_S}']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    expect(again.err).toContain('Nothing was written.');
    expect(read(app, 'AcmeFeishu.json')).toBe(before);
    const forced = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=two', '--set', 'appSecret=${FEISHU_S}', '--force']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(read(app, 'AcmeFeishu.json')).appId).toBe('two');
  });

  test('invalid values are refused naming the field and why, and nothing is written', async () => {
    const app = emptyApp();
    const r = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=cli_1', '--set', 'appSecret=x', '--set', 'stateTtlSeconds=5', '--set', 'userIdType=email', '--set', 'timeoutMs=soon']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('stateTtlSeconds: Field /stateTtlSeconds must be >= 60.');
    expect(r.err).toContain('userIdType: Field /userIdType must be equal to one of the allowed values: "user_id", "open_id", "union_id".');
    expect(r.err).toContain('timeoutMs: Field /timeoutMs must be integer.');
    expect(existsSync(join(app, 'auths'))).toBe(false);

    const missing = await jit(['new', app, ID, '--type', TYPE], ''); // input ends at once: nobody answers
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('appId: Missing required field /appId.');
    expect(existsSync(join(app, 'auths'))).toBe(false);
  });

  test('refuses bad ids, unknown Types and a Meta as type', async () => {
    const app = emptyApp();
    expect(await jit(['new', app, 'auths/../x', '--type', TYPE, '--set', 'appId=a', '--set', 'appSecret=b'])).toMatchObject({ code: 1, err: expect.stringContaining('not a valid element id') });
    expect(await jit(['new', app, ID, '--type', 'auths.loginTypes.Nope'])).toMatchObject({ code: 1, err: expect.stringContaining('is not a Type in app "acme"') });
    expect(await jit(['new', app, ID, '--type', 'auths.loginTypes.Meta'])).toMatchObject({ code: 1, err: expect.stringContaining('is not a Type') });
    expect(await jit(['new', app, ID])).toMatchObject({ code: 1, err: expect.stringContaining('--type') });
    expect(existsSync(join(app, 'auths'))).toBe(false);
  });
});

const EXIT_OK = 0;
const EXIT_REFUSED = 1;
const RUNTIME_RULE = 'JIT_* variables configure the runtime itself and are never substituted into element configs';
const FEISHU_PATTERN = '^FEISHU_[A-Z0-9_]*$'; // appSecret's x-env-pattern in FSInnerType's config.schema.json

describe('jit new: ${ENV} placeholders only in secret fields, only variables the field allows, never JIT_*', () => {
  const sets = (...pairs: string[]) => pairs.flatMap((pair) => ['--set', pair]);

  test.each([
    ['a JIT_* variable in a secret field (the runtime key)', ['appId=cli_1', 'appSecret=${JIT_SECRET_KEY}'], 'appSecret', '/appSecret', RUNTIME_RULE],
    ['a JIT_* variable in a non-secret field, in any letter case', ['appId=${jit_secret_key}', 'appSecret=${FEISHU_APP_SECRET}'], 'appId', '/appId', RUNTIME_RULE],
    ['a JIT_* variable inside a longer value', ['appId=cli_1', 'appSecret=s', 'redirectUri=http://x/${JIT_DATABASE_URL}'], 'redirectUri', '/redirectUri', RUNTIME_RULE],
    ['any placeholder in a non-secret field', ['appId=${FEISHU_APP_ID}', 'appSecret=s'], 'appId', '/appId', 'only secret fields may hold ${ENV} placeholders'],
    ['a placeholder in an item of a non-secret list', ['appId=cli_1', 'appSecret=s', 'adminUserIds=zhangsan,${FEISHU_ADMIN}'], 'adminUserIds', '/adminUserIds/1', 'only secret fields may hold ${ENV} placeholders'],
    ['a secret naming a variable outside its x-env-pattern', ['appId=cli_1', 'appSecret=${AWS_SECRET_ACCESS_KEY}'], 'appSecret', '/appSecret', `accepts only variables matching ${FEISHU_PATTERN}`],
  ])('refuses %s, naming the field and the rule; nothing is written', async (_name, pairs, field, pointer, rule) => {
    const app = emptyApp();
    const r = await jit(['new', app, ID, '--type', TYPE, ...sets(...pairs)]);
    expect(r.code).toBe(EXIT_REFUSED);
    expect(r.err).toContain(`  ${field}: Field ${pointer}: `);
    expect(r.err).toContain(rule);
    expect(r.err).toContain('Nothing was written.');
    expect(existsSync(join(app, 'auths'))).toBe(false);
  });

  test('a secret naming a variable its pattern allows is written, and jit new says which variable to set', async () => {
    const app = emptyApp();
    const r = await jit(['new', app, ID, '--type', TYPE, ...sets('appId=cli_1', 'appSecret=${FEISHU_TEAM_SECRET}')]);
    expect(r).toMatchObject({ code: EXIT_OK, err: '' });
    expect(r.out).toContain('appSecret is read from the environment: set FEISHU_TEAM_SECRET');
    expect(JSON.parse(read(app, 'AcmeFeishu.json'))).toEqual({ appId: 'cli_1', appSecret: '${FEISHU_TEAM_SECRET}' });
    const loaded = await load(app, { FEISHU_TEAM_SECRET: 'from-env' });
    expect(loaded.diagnostics).toEqual([]);
  });

  test('--secrets-as-values still writes a typed secret as it is; a piped answer naming a JIT_* variable is refused', async () => {
    const app = emptyApp();
    const asValue = await jit(['new', app, ID, '--type', TYPE, '--secrets-as-values', ...sets('appId=cli_1', 'appSecret=typed-secret-value')]);
    expect(asValue.code).toBe(EXIT_OK);
    expect(JSON.parse(read(app, 'AcmeFeishu.json')).appSecret).toBe('typed-secret-value');

    const other = emptyApp();
    const piped = await jit(['new', other, ID, '--type', TYPE, '--secrets-as-values', '--set', 'appId=cli_1'], '${JIT_SECRET_KEY}\n');
    expect(piped.code).toBe(EXIT_REFUSED);
    expect(piped.err).toContain(`appSecret: Field /appSecret: \${JIT_SECRET_KEY} is refused: ${RUNTIME_RULE}`);
    expect(existsSync(join(other, 'auths'))).toBe(false);
  });
});

describe('jit new: names the file system or the database could not hold are refused naming fullName', () => {
  test(`a 250-character name (a part over ${MAX_SEGMENT_LENGTH} characters) is refused with the limit, nothing written`, async () => {
    const app = emptyApp();
    const long = `auths.loginTypes.${'A'.repeat(250 - 'auths.loginTypes.'.length)}`;
    expect(long).toHaveLength(250);
    const r = await jit(['new', app, long, '--type', TYPE, '--set', 'appId=cli_1', '--set', 'appSecret=${FEISHU_APP_SECRET}']);
    expect(r.code).toBe(EXIT_REFUSED);
    expect(r.err).toContain(`  fullName: has a 233-character part`);
    expect(r.err).toContain(`each part of an element id is at most ${MAX_SEGMENT_LENGTH} characters`);
    expect(r.err).not.toContain('ENAMETOOLONG');
    expect(existsSync(join(app, 'auths'))).toBe(false);
  });

  test(`an id over ${MAX_ID_LENGTH} characters of short parts is refused with the limit`, async () => {
    const app = emptyApp();
    const long = ['auths', ...Array.from({ length: 4 }, (_, i) => `${'P'.repeat(48)}${i}`)].join('.');
    expect(long.length).toBeGreaterThan(MAX_ID_LENGTH);
    const r = await jit(['new', app, long, '--type', TYPE, '--set', 'appId=cli_1', '--set', 'appSecret=${FEISHU_APP_SECRET}']);
    expect(r.code).toBe(EXIT_REFUSED);
    expect(r.err).toContain(`  fullName: is ${long.length} characters long; element ids are at most ${MAX_ID_LENGTH}`);
    expect(existsSync(join(app, 'auths'))).toBe(false);
  });

  test('a part that names an existing file, or a folder the loader never scans, is refused naming fullName', async () => {
    const app = emptyApp();
    writeFileSync(join(app, 'auths'), 'a file, not a folder\n');
    const blocked = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=cli_1', '--set', 'appSecret=${FEISHU_APP_SECRET}']);
    expect(blocked.code).toBe(EXIT_REFUSED);
    expect(blocked.err).toContain('  fullName: a part of it names a file, not a folder');
    expect(blocked.err).toContain('Nothing was written.');

    for (const id of ['data.loginTypes.X', 'auths.node_modules.X', 'auths.dist.X']) {
      const ignored = await jit(['new', app, id, '--type', TYPE, '--set', 'appId=cli_1', '--set', 'appSecret=${FEISHU_APP_SECRET}']);
      expect([id, ignored.code, ignored.err]).toEqual([id, EXIT_REFUSED, expect.stringContaining('  fullName: inside an ignored')]);
    }
  });
});

describe('the scaffold rules for secret fields (runtime/scaffold), on a Type of its own', () => {
  /** A Type with a secret that declares no variables, one that does, one with an unanchored pattern, and a plain field. */
  const vault: TypeContract = {
    typeId: 'things.VaultType',
    title: 'Vault',
    configFile: '{name}.json',
    schema: {
      type: 'object',
      properties: {
        token: { type: 'string', writeOnly: true },
        apiKey: { type: 'string', writeOnly: true, 'x-env-pattern': '^VAULT_[A-Z0-9_]*$' },
        pin: { type: 'string', writeOnly: true, 'x-env-pattern': 'VAULT_PIN' },
        secretKey: { type: 'string', writeOnly: true, 'x-env-pattern': '.*' },
        label: { type: 'string' },
      },
    },
  };
  const refusal = (run: () => unknown): FieldError[] => {
    try {
      run();
    } catch (err) {
      if (err instanceof ScaffoldError) return err.errors;
      throw err;
    }
    throw new Error('not refused');
  };

  test('a secret field with no x-env-pattern accepts no variable: a placeholder is refused, a typed value needs secretsAsValues', () => {
    expect(refusal(() => prepareConfig(vault, 'Main', { token: '${VAULT_TOKEN}' }))).toEqual([
      { field: 'token', pointer: '/token', message: expect.stringContaining('declares no environment variables for this secret field (x-env-pattern)') },
    ]);
    expect(refusal(() => prepareConfig(vault, 'Main', { token: 'typed' }))).toEqual([{ field: 'token', pointer: '/token', message: expect.stringContaining('allows no environment variable for it (x-env-pattern)') }]);
    expect(prepareConfig(vault, 'Main', { token: 'typed' }, true)).toEqual({ config: { token: 'typed' }, env: [] });
  });

  test('a typed secret becomes a placeholder only with a variable the field allows; the pattern must match the whole name', () => {
    expect(prepareConfig(vault, 'Vault', { apiKey: 'typed' })).toEqual({ config: { apiKey: '${VAULT_API_KEY}' }, env: [{ field: 'apiKey', variable: 'VAULT_API_KEY' }] });
    expect(refusal(() => prepareConfig(vault, 'Main', { apiKey: 'typed' }))).toEqual([expect.objectContaining({ field: 'apiKey' })]); // MAIN_API_KEY is outside ^VAULT_
    expect(prepareConfig(vault, 'Main', { pin: '${VAULT_PIN}' }).config).toEqual({ pin: '${VAULT_PIN}' });
    expect(refusal(() => prepareConfig(vault, 'Main', { pin: '${MY_VAULT_PIN_COPY}' }))).toEqual([{ field: 'pin', pointer: '/pin', message: expect.stringContaining('accepts only variables matching VAULT_PIN') }]);
  });

  test('even a pattern that allows everything never yields a JIT_* variable, typed or generated from the instance name', () => {
    expect(refusal(() => prepareConfig(vault, 'Main', { secretKey: '${JIT_SECRET_KEY}' }))).toEqual([{ field: 'secretKey', pointer: '/secretKey', message: expect.stringContaining(RUNTIME_RULE) }]);
    // An instance named "JIT" would make JIT_SECRET_KEY out of its name and the field: refused, not written.
    expect(refusal(() => prepareConfig(vault, 'JIT', { secretKey: 'typed' }))).toEqual([expect.objectContaining({ field: 'secretKey', pointer: '/secretKey' })]);
    expect(prepareConfig(vault, 'Main', { secretKey: 'typed' }).env).toEqual([{ field: 'secretKey', variable: 'MAIN_SECRET_KEY' }]);
  });

  test('an edit may send back a placeholder exactly where the file already has it, except a JIT_* one', () => {
    const current = { label: '${LABEL:-vault}', token: 'kept' };
    expect(prepareConfig(vault, 'Main', { label: '${LABEL:-vault}' }, false, {}, current).config).toEqual({ label: '${LABEL:-vault}' });
    expect(refusal(() => prepareConfig(vault, 'Main', { label: '${OTHER:-vault}' }, false, {}, current))).toEqual([expect.objectContaining({ field: 'label', pointer: '/label' })]);
    expect(refusal(() => prepareConfig(vault, 'Main', { label: '${JIT_SECRET_KEY}' }, false, {}, { label: '${JIT_SECRET_KEY}' }))).toEqual([expect.objectContaining({ field: 'label', message: expect.stringContaining(RUNTIME_RULE) })]);
  });
});

describe('jit new <app> <TypeId> --override', () => {
  test('copies an override skeleton that loads, and explain shows the override', async () => {
    const app = emptyApp();
    const r = await jit(['new', app, TYPE, '--override']);
    expect(r).toMatchObject({ code: 0, err: '' });
    const dir = join(app, 'auths/loginTypes/FSInnerType');
    expect(JSON.parse(readFileSync(join(dir, 'e.json'), 'utf8'))).toEqual({ title: 'Feishu self-built QR-code login (acme)', type: 'auths.loginTypes.Meta', backendBundleEntry: 'index.ts' });
    const module = readFileSync(join(dir, 'index.ts'), 'utf8');
    expect(module).toMatch(/^import type \{ FSInnerType \} from '(\.\.\/)+.*elements\/auths\/loginTypes\/FSInnerType\/index\.js';$/m);
    expect(module).toContain('export function extend(Base: typeof FSInnerType): typeof FSInnerType {');
    expect(module).toContain('//   const result = await super.getLoginConfig(...args);');

    const loaded = await load(app);
    expect(loaded.diagnostics).toEqual([]);
    const cls = loaded.getElement<{ name: string; prototype: object }>(TYPE);
    expect(cls.name).toBe('AcmeFSInnerType');
    const explain = await jit(['explain', app, TYPE]);
    expect(explain.code).toBe(0);
    expect(explain.out).toContain(`defined:   layer acme (${join(dir, 'e.json')})`);
    expect(explain.out).toContain('shadows:   @platform');

    const again = await jit(['new', app, TYPE, '--override']);
    expect(again).toMatchObject({ code: 1, err: expect.stringContaining('already defined in app "acme"') });
  });

  test('refuses what is not a Type of the app', async () => {
    const app = emptyApp();
    expect(await jit(['new', app, 'auths.loginTypes.Meta', '--override'])).toMatchObject({ code: 1, err: expect.stringContaining('only Types can be overridden') });
    expect(await jit(['new', app, 'auths.loginTypes.Missing', '--override'])).toMatchObject({ code: 1, err: expect.stringContaining('is not a Type') });
    expect(existsSync(join(app, 'auths'))).toBe(false);
  });
});
