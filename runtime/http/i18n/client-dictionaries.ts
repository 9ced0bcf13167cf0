import { readFileSync } from 'node:fs';
import { LOCALES, type Locale } from './locale.js';

/**
 * The client scripts' words (public/i18n/<locale>.json, copied to dist/ with the other assets), read
 * once when a server starts and embedded in every page as
 * `<script type="application/json" id="jit-i18n">` (html.ts), so a script has them without a request.
 */
const DIR = new URL('../public/i18n/', import.meta.url);

/** Each locale's dictionary as JSON that is safe inside a <script> element. A missing or malformed file fails the start, naming it. */
export function loadClientDictionaries(dir: URL = DIR): Readonly<Record<Locale, string>> {
  const out = {} as Record<Locale, string>;
  for (const locale of LOCALES) {
    const file = new URL(`${locale}.json`, dir);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`The client dictionary ${file.pathname} cannot be read: ${(err as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`The client dictionary ${file.pathname} must be a JSON object of strings.`);
    out[locale] = inlineJson(parsed);
  }
  return Object.freeze(out);
}

/**
 * JSON for inside <script>: `<` (so no "</script>" or "<!--" ends or changes the element), `>`, `&`
 * and the two line separators are written as \u escapes, which JSON.parse reads back unchanged.
 */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
