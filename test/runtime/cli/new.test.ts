import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { runCli, type CliIo } from '../../../runtime/cli/program.js';
import { loadApp } from '../../../runtime/index.js';
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
    const r = await jit(['new', app, ID, '--type', TYPE, '--title', 'Acme Feishu', '--set', 'stateTtlSeconds=120', '--set', 'appSecret=${ACME_SECRET}', '--set', 'appId=cli_acme', '--set', 'adminUserIds=zhangsan,lisi']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`Created ${ID} (${TYPE}) in app acme:`);
    expect(read(app, 'e.json')).toBe('{\n  "title": "Acme Feishu",\n  "type": "auths.loginTypes.FSInnerType"\n}\n');
    expect(read(app, 'AcmeFeishu.json')).toBe(JSON.stringify({ appId: 'cli_acme', appSecret: '${ACME_SECRET}', stateTtlSeconds: 120, adminUserIds: ['zhangsan', 'lisi'] }, null, 2) + '\n');
    const loaded = await load(app, { ACME_SECRET: 'from-env' });
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
    const r = await jit(['new', app, ID, '--type', TYPE, '--ask-all', '--secrets-as-values', '--set', 'appId=cli_1'], 'typed-secret\n\n\nopen_id\n');
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
    expect((await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=one', '--set', 'appSecret=${S}'])).code).toBe(0);
    const before = read(app, 'AcmeFeishu.json');
    const again = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=two', '--set', 'appSecret=${S}']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    expect(again.err).toContain('Nothing was written.');
    expect(read(app, 'AcmeFeishu.json')).toBe(before);
    const forced = await jit(['new', app, ID, '--type', TYPE, '--set', 'appId=two', '--set', 'appSecret=${S}', '--force']);
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
