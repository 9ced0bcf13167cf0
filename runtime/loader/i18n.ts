import { Ajv, type KeywordDefinition } from 'ajv';
import { isPlainObject } from './json-file.js';

/**
 * Texts in other languages, next to the English they translate: an `i18n`
 * annotation maps a language to the texts in it, in e.json
 *
 *     { "title": "Feishu login", "i18n": { "zh-CN": { "title": "飞书登录" } } }
 *
 * and in a Type's config schema (the schema itself and any of its properties)
 *
 *     "appId": { "title": "App ID", "description": "…", "i18n": { "zh-CN": { "title": "应用 ID", "description": "…" } } }
 *
 * English is the text itself, so it is never an i18n key; the other languages
 * are the ones the pages speak (runtime/http/i18n/locale.ts LOCALES; a test
 * keeps the two lists equal). A text a language leaves out reads in English.
 */
export const TRANSLATED_LOCALES = ['zh-CN'] as const;
export type TranslatedLocale = (typeof TRANSLATED_LOCALES)[number];

/** The texts of one language. */
export interface I18nText {
  title?: string;
  description?: string;
}

/** Language → its texts; only the languages and fields below (readDefinition drops the rest, with a warning). */
export type I18n = Readonly<Partial<Record<TranslatedLocale, Readonly<I18nText>>>>;

export const I18N_FIELDS = ['title', 'description'] as const;

/** What an annotation says of itself; part of every message about a bad one, so the message tells the fix. */
export const I18N_RULE = `i18n maps a language (${TRANSLATED_LOCALES.map((l) => `"${l}"`).join(', ')}) to its texts, { "title": "…", "description": "…" }; English is the text outside i18n.`;

const entrySchema = {
  type: 'object',
  minProperties: 1,
  additionalProperties: false,
  properties: { title: { type: 'string', minLength: 1 }, description: { type: 'string', minLength: 1 } },
} as const;

/** The annotation's own schema: the config-schema keyword is checked by it; e.json uses its loose form (unknown names warn there, as e.json's other fields do). */
export const i18nSchema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(TRANSLATED_LOCALES.map((l) => [l, entrySchema])),
} as const;

/** The same shape without the closed name lists: types are errors, unknown names are reported by readDefinition as EJSON_UNKNOWN_FIELD. */
export const looseI18nSchema = {
  type: 'object',
  additionalProperties: { type: 'object', properties: entrySchema.properties },
} as const;

/** A config schema whose i18n annotation is malformed: `pointer` is where, inside the schema file. */
export class I18nAnnotationError extends Error {
  constructor(
    message: string,
    readonly pointer: string,
  ) {
    super(message);
    this.name = 'I18nAnnotationError';
  }
}

const validateAnnotation = new Ajv({ allErrors: true, strict: false }).compile(i18nSchema);

/**
 * For every Ajv that compiles Type config schemas: `i18n` is a known annotation (validation ignores it) whose
 * value must match i18nSchema, else the schema does not compile (SCHEMA_INVALID, at the offending field).
 */
export const i18nKeyword: KeywordDefinition = {
  keyword: 'i18n',
  compile(value: unknown, _parent, it) {
    if (!validateAnnotation(value)) {
      // "#/properties/appId" → "/properties/appId"
      const at = `${decodeURI(it.errSchemaPath.replace(/^#/, ''))}/i18n`;
      const problems = (validateAnnotation.errors ?? []).map((e) => {
        const extra = e.keyword === 'additionalProperties' ? `/${String(e.params['additionalProperty']).replace(/~/g, '~0').replace(/\//g, '~1')}` : '';
        const field = `${at}${e.instancePath}${extra}`;
        return { field, text: e.keyword === 'additionalProperties' ? `unknown field ${field}` : `${field} ${e.message}` };
      });
      throw new I18nAnnotationError(`${problems.map((p) => p.text).join('; ')}. ${I18N_RULE}`, problems[0]?.field ?? at);
    }
    return () => true;
  },
};

/** One element's texts in a language: its own where it has them, else the English. */
export function localizedText(english: I18nText, i18n: I18n | undefined, locale: string): I18nText {
  const own = i18n?.[locale as TranslatedLocale];
  return own ? { ...english, ...own } : english;
}

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMAS = new Set(['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']);

/**
 * A config schema as read in a language: every `title` and `description` that has a translation replaced by it,
 * at any depth, and the i18n annotations left out (the copy is for showing; validation uses the schema file itself).
 */
export function localizeSchema<T>(schema: T, locale: string): T {
  if (!isPlainObject(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'i18n') continue;
    if (SCHEMA_MAPS.has(key) && isPlainObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, localizeSchema(s, locale)]));
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map((s) => localizeSchema(s, locale));
    else if (SCHEMAS.has(key)) out[key] = localizeSchema(value, locale);
    else out[key] = value;
  }
  const i18n = schema['i18n'];
  const own = isPlainObject(i18n) ? i18n[locale] : undefined;
  if (isPlainObject(own)) for (const field of I18N_FIELDS) if (typeof own[field] === 'string') out[field] = own[field];
  return out as T;
}
