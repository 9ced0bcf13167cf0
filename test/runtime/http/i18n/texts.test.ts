import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { escapeHtml, tHtml } from '../../../../runtime/http/html.js';
import { inlineJson, loadClientDictionaries } from '../../../../runtime/http/i18n/client-dictionaries.js';
import { LOCALES } from '../../../../runtime/http/i18n/locale.js';
import { PAGE_TEXTS, t } from '../../../../runtime/http/i18n/page-text.js';

/** The `{name}` placeholders of a text, sorted, for comparing two languages. */
const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!))].sort();

/** key → placeholders, for a whole dictionary. */
const shape = (dictionary: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(dictionary).map(([key, text]) => [key, typeof text === 'string' ? placeholders(text) : `not a string: ${typeof text}`]));

describe("the pages' own words (i18n/pages.<locale>.ts)", () => {
  test('both languages have exactly the same keys and placeholders', () => {
    expect(Object.keys(PAGE_TEXTS['zh-CN']).sort()).toEqual(Object.keys(PAGE_TEXTS.en).sort());
    expect(shape(PAGE_TEXTS['zh-CN'])).toEqual(shape(PAGE_TEXTS.en));
  });

  test('the Chinese is Chinese: every text with words has a CJK character', () => {
    const untranslated = Object.entries(PAGE_TEXTS['zh-CN']).filter(([, text]) => /[A-Za-z]{2}/.test(text.replace(/\{\w+\}/g, '')) || !/[\u4e00-\u9fff]/.test(text));
    expect(untranslated).toEqual([]);
  });

  test('t fills placeholders; tHtml escapes the words and inserts the caller-made HTML', () => {
    expect(t('en', 'login.heading', { app: 'Demo' })).toBe('Sign in to Demo');
    expect(t('zh-CN', 'login.heading', { app: 'Demo' })).toBe('登录 Demo');
    expect(t('zh-CN', 'signedIn.signOut')).toBe('退出登录');
    expect(tHtml('en', 'signedIn.heading', { name: `<b>${escapeHtml('<x>')}</b>` })).toBe('Signed in as <b>&lt;x&gt;</b>');
  });
});

describe("the client scripts' dictionaries (public/i18n/<locale>.json)", () => {
  const read = (locale: string) => JSON.parse(readFileSync(new URL(`../../../../runtime/http/public/i18n/${locale}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

  test('both languages have exactly the same keys and placeholders', () => {
    expect(shape(read('zh-CN'))).toEqual(shape(read('en')));
  });

  test('each is loaded as JSON that cannot end or change the inline <script> it is embedded in', () => {
    const loaded = loadClientDictionaries();
    for (const locale of LOCALES) {
      expect(JSON.parse(loaded[locale])).toEqual(read(locale));
      expect(loaded[locale]).not.toMatch(/[<>&\u2028\u2029]/);
    }
    const hostile = { x: '</script><script>alert(1)</script><!-- & \u2028' };
    expect(inlineJson(hostile)).not.toMatch(/<|>|&|\u2028/);
    expect(JSON.parse(inlineJson(hostile))).toEqual(hostile);
  });
});
