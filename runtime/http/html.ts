import { LOCALES, type Locale } from './i18n/locale.js';
import { PAGE_TEXTS, PLACEHOLDER, t, type PageTextKey } from './i18n/page-text.js';
import type { Placeholders } from '../errcode.js';
import type { en } from './i18n/pages.en.js';

/** Minimal server-side HTML: every interpolated value goes through escapeHtml. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The words of `key` as HTML: the words escaped, each parameter inserted as the HTML the caller made of it (escaping its own values). */
export function tHtml<Key extends PageTextKey>(locale: Locale, key: Key, html: { readonly [Name in Placeholders<(typeof en)[Key]>]: string }): string {
  const values: Record<string, string> = html;
  return PAGE_TEXTS[locale][key]
    .split(PLACEHOLDER)
    .map((part, i) => (i % 2 === 1 ? (Object.hasOwn(values, part) ? values[part]! : escapeHtml(`{${part}}`)) : escapeHtml(part)))
    .join('');
}

/** What a page needs to know of the request it answers. */
export interface PageView {
  locale: Locale;
  /**
   * Where the language switch brings the browser back (a same-site path). Never a URL that carries a
   * one-time code or token (the OAuth callback, an admin link): those pages pass /login instead.
   */
  path: string;
  /** The client dictionary of `locale`, as JSON safe inside <script> (i18n/client-dictionaries.ts). */
  dictionary: string;
}

/** Each language named in itself, as the switch shows it. */
const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '中文' };

export function page(view: PageView, title: string, body: string, options: { scripts?: string[] } = {}): string {
  const scripts = (options.scripts ?? []).map((src) => `<script type="module" src="${escapeHtml(src)}"></script>`).join('\n');
  return `<!doctype html>
<html lang="${escapeHtml(view.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/jit/style.css">
<script type="application/json" id="jit-i18n">${view.dictionary}</script>
</head>
<body>
<header class="jit-header">
${languageSwitch(view)}
</header>
<main>
${body}
</main>
${scripts}
</body>
</html>`;
}

/** Two links, each language in its own words; the current one is marked for assistive technology and styling. */
function languageSwitch(view: PageView): string {
  const next = encodeURIComponent(view.path);
  const links = LOCALES.map(
    (locale) =>
      `<a href="/jit/lang/${locale}?next=${escapeHtml(next)}" lang="${locale}" hreflang="${locale}" data-testid="lang-${locale}"${locale === view.locale ? ' aria-current="true"' : ''}>${escapeHtml(LANGUAGE_NAMES[locale])}</a>`,
  ).join('\n');
  return `<nav class="jit-lang" aria-label="${escapeHtml(t(view.locale, 'switch.label'))}">\n${links}\n</nav>`;
}
