import type { Placeholders } from '../../errcode.js';
import type { Locale } from './locale.js';
import { en, type PageTextKey } from './pages.en.js';
import { zhCN } from './pages.zh-CN.js';

export type { PageTextKey } from './pages.en.js';

/** The page words of each locale; the English key decides the placeholders (`{name}`, as in the Code catalogue's templates). */
export const PAGE_TEXTS: Readonly<Record<Locale, { readonly [Key in PageTextKey]: string }>> = { en, 'zh-CN': zhCN };

/** The keys whose words have no placeholders. */
export type PlainTextKey = { [Key in PageTextKey]: [Placeholders<(typeof en)[Key]>] extends [never] ? Key : never }[PageTextKey];

export type TextParams<Key extends PageTextKey> = { readonly [Name in Placeholders<(typeof en)[Key]>]: string | number };

export const PLACEHOLDER = /\{(\w+)\}/g;

/** The words of `key` in `locale`, placeholders filled; plain text (a page escapes it, or uses html.ts's `tHtml`). */
export function t<Key extends PageTextKey>(locale: Locale, key: Key, ...params: [Placeholders<(typeof en)[Key]>] extends [never] ? [] : [TextParams<Key>]): string {
  const values: Record<string, string | number> = params[0] ?? {};
  return PAGE_TEXTS[locale][key].replace(PLACEHOLDER, (placeholder, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : placeholder));
}
