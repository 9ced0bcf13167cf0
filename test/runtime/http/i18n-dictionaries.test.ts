import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { LOCALES } from '../../../runtime/http/i18n/locale.js';

/** The client scripts' dictionaries (runtime/http/public/i18n/<locale>.json, read by public/i18n.js). */
const dir = new URL('../../../runtime/http/public/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, dir), 'utf8');
const dictionaries = Object.fromEntries(LOCALES.map((l) => [l, JSON.parse(read(`i18n/${l}.json`)) as Record<string, unknown>]));
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();
const english = dictionaries['en']!;

describe('client dictionaries', () => {
  test.each(LOCALES.filter((l) => l !== 'en'))('%s has exactly the keys of en', (locale) => {
    expect(Object.keys(dictionaries[locale]!).sort()).toEqual(Object.keys(english).sort());
  });

  test.each(LOCALES)('%s: every text is a non-empty string, with the placeholders of the English one', (locale) => {
    for (const [key, text] of Object.entries(dictionaries[locale]!)) {
      expect([key, typeof text]).toEqual([key, 'string']);
      expect([key, (text as string).trim() === '' && (english[key] as string).trim() !== '']).toEqual([key, false]);
      expect([key, placeholders(text as string)]).toEqual([key, placeholders(english[key] as string)]);
    }
  });

  test('every key the scripts ask for is in the dictionaries, and every key is asked for', () => {
    const scripts = ['login.js', 'home.js', 'admin.js', 'admin-surface.js', 'api.js', 'i18n.js'].map(read).join('\n');
    const used = new Set([...scripts.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)].map((m) => m[1]!));
    // Keys built from a value: `admin.kind.${kind}`, `admin.severity.${severity}`, t(edit ? 'form.saved' : 'form.created').
    for (const kind of ['meta', 'type', 'instance', 'unresolved']) used.add(`admin.kind.${kind}`);
    for (const severity of ['error', 'warning']) used.add(`admin.severity.${severity}`);
    for (const m of scripts.matchAll(/\bt\(\w+ \? '([a-zA-Z0-9_.]+)' : '([a-zA-Z0-9_.]+)'/g)) used.add(m[1]!).add(m[2]!);
    expect([...used].filter((k) => !(k in english))).toEqual([]);
    expect(Object.keys(english).filter((k) => !used.has(k))).toEqual([]);
  });

  test("i18n.js's own English fallbacks are the dictionary's", () => {
    const fallback = /const ENGLISH = (\{[\s\S]*?\});/.exec(read('i18n.js'))![1]!;
    const entries = [...fallback.matchAll(/'([^']+)': '([^']*)'/g)].map((m) => [m[1], m[2]]);
    expect(entries.length).toBeGreaterThan(0);
    for (const [key, text] of entries) expect([key, text]).toEqual([key, english[key!]]);
  });
});
