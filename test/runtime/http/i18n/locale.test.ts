import { expect, test } from '@jest/globals';
import { localeOf, negotiate } from '../../../../runtime/http/i18n/locale.js';

test.each([
  [undefined, 'en'],
  ['', 'en'],
  ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
  ['zh', 'zh-CN'],
  ['zh-Hans-CN', 'zh-CN'],
  ['zh-TW', 'zh-CN'],
  ['en-US,en;q=0.9', 'en'],
  ['en;q=0.5, zh;q=0.9', 'zh-CN'],
  ['zh;q=0.5, en;q=0.9', 'en'],
  ['fr-FR, de;q=0.8', 'en'],
  ['*', 'en'],
])('Accept-Language %p speaks %p', (header, locale) => {
  expect(negotiate(header)).toBe(locale);
});

test('the remembered choice wins over the browser; an unknown one is ignored', () => {
  expect(localeOf({ headers: { 'accept-language': 'en' }, cookies: { jit_lang: 'zh-CN' } })).toBe('zh-CN');
  expect(localeOf({ headers: { 'accept-language': 'zh-CN' }, cookies: { jit_lang: 'en' } })).toBe('en');
  expect(localeOf({ headers: { 'accept-language': 'zh-CN' }, cookies: { jit_lang: 'xx' } })).toBe('zh-CN');
});
