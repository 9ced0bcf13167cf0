import { expect, test } from '@jest/globals';
import { CookiePolicy } from '../../../../runtime/http/cookie-policy.js';
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

test('the choice is read under the name the cookie policy gives it: __Host-jit_lang behind an https public URL', () => {
  const name = new CookiePolicy(new URL('https://login.example.com')).name('lang');
  expect(name).toBe('__Host-jit_lang');
  expect(new CookiePolicy(undefined).name('lang')).toBe('jit_lang');
  expect(localeOf({ headers: {}, cookies: { '__Host-jit_lang': 'zh-CN' } }, name)).toBe('zh-CN');
  // A plain-named cookie (which a sibling subdomain or plain-http page could plant) does not count there.
  expect(localeOf({ headers: {}, cookies: { jit_lang: 'zh-CN' } }, name)).toBe('en');
});

test('a request refused before its cookies were parsed (a malformed URL) reads the Cookie header itself', () => {
  expect(localeOf({ headers: { cookie: 'a=1; jit_lang=zh-CN' } })).toBe('zh-CN');
  expect(localeOf({ headers: { cookie: '%%%;;=', 'accept-language': 'zh' } })).toBe('zh-CN');
});
