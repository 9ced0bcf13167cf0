import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DEFAULT_LOCALE, LOCALES } from '../../../runtime/http/i18n/locale.js';
import { TRANSLATED_LOCALES } from '../../../runtime/loader/i18n.js';
import { OFFICIAL_ELEMENTS_DIR } from '../../../runtime/paths.js';
import { useHttpWorld } from './http-world.js';

const httpWorld = useHttpWorld();
const FS = 'auths.loginTypes.FSInnerExample';
const TYPE = 'auths.loginTypes.FSInnerType';
const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };

/** The admin page's data in the request's language: element titles (e.json i18n) and the config form (schema i18n). */
describe('admin API in the request\'s language', () => {
  async function admin() {
    const w = await httpWorld({ tree: { [`apps/demo/auths/loginTypes/FSInnerExample/e.json`]: { title: 'Feishu login', type: TYPE, i18n: { 'zh-CN': { title: '飞书登录' } } } } });
    const cookie = await w.signIn('zhangsan');
    const get = (url: string, headers: Record<string, string> = {}) => w.inject({ method: 'GET', url, headers: { cookie, ...headers } }).then((r) => r.json().data);
    return { w, get };
  }

  test('element tree and login status: zh-CN titles with Accept-Language: zh-CN, English otherwise', async () => {
    const { get } = await admin();
    const titles = (tree: { elements: Array<{ fullName: string; title: string; description?: string }> }) => Object.fromEntries(tree.elements.map((e) => [e.fullName, e.title]));
    const zh = await get('/api/admin/tree', ZH);
    expect(titles(zh)).toMatchObject({ [FS]: '飞书登录', [TYPE]: '飞书自建应用扫码登录', 'auths.loginTypes.Meta': '登录方式' });
    expect(zh.elements.find((e: { fullName: string }) => e.fullName === TYPE).description).toMatch(/^为飞书自建应用/);
    expect(titles(await get('/api/admin/tree', { 'accept-language': 'en' }))).toMatchObject({ [FS]: 'Feishu login', [TYPE]: 'Feishu self-built QR-code login' });
    expect(titles(await get('/api/admin/tree'))).toMatchObject({ [FS]: 'Feishu login' });

    expect((await get('/api/admin/logins', ZH)).map((l: { title: string }) => l.title)).toEqual(['飞书登录']);
    expect((await get('/api/admin/logins')).map((l: { title: string }) => l.title)).toEqual(['Feishu login']);
  });

  test('the config form: the Type\'s and every field\'s title and description in zh-CN, the rules unchanged', async () => {
    const { get } = await admin();
    const [zh] = await get(`/api/admin/types?meta=auths.loginTypes.Meta`, ZH);
    const [en] = await get(`/api/admin/types?meta=auths.loginTypes.Meta`);
    expect(zh).toMatchObject({ typeId: TYPE, title: '飞书自建应用扫码登录', secretFields: en.secretFields });
    expect(zh.schema.title).toBe('飞书自建应用扫码登录');
    expect(zh.schema.properties.appId).toMatchObject({ title: '应用 ID', type: 'string', minLength: 1, maxLength: 64 });
    expect(en.schema.properties.appId.title).toBe('App ID');
    // Every field a Chinese administrator fills in reads in Chinese; the annotations themselves are not sent.
    for (const [name, prop] of Object.entries(zh.schema.properties as Record<string, { title: string; description: string }>)) {
      expect([name, prop.title]).not.toEqual([name, en.schema.properties[name].title]);
      expect([name, prop.description]).not.toEqual([name, en.schema.properties[name].description]);
      expect(/\p{Script=Han}/u.test(prop.title + prop.description)).toBe(true);
    }
    expect(JSON.stringify(zh.schema)).not.toContain('"i18n"');
    expect(JSON.stringify(en.schema)).not.toContain('"i18n"');
    // The rules are the schema file's: only titles and descriptions differ.
    const rules = (schema: object) => JSON.parse(JSON.stringify(schema, (key, value) => (key === 'title' || key === 'description' ? undefined : value)));
    expect(rules(zh.schema)).toEqual(rules(en.schema));
  });

  test('a secret field\'s zh-CN description names the same ${VARIABLE} as the English (the form derives the placeholder from it)', () => {
    const schema = JSON.parse(readFileSync(`${OFFICIAL_ELEMENTS_DIR}/auths/loginTypes/FSInnerType/config.schema.json`, 'utf8'));
    const variables = (text: string) => [...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]);
    for (const prop of Object.values(schema.properties as Record<string, { description: string; i18n: { 'zh-CN': { description: string } } }>)) {
      expect(variables(prop.i18n['zh-CN'].description)).toEqual(variables(prop.description));
    }
  });
});

test('the loader translates into exactly the languages the pages speak besides English', () => {
  expect([...TRANSLATED_LOCALES]).toEqual(LOCALES.filter((l) => l !== DEFAULT_LOCALE));
});
