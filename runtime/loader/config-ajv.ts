import { Ajv } from 'ajv';
import { i18nKeyword } from './i18n.js';
import { envPatternKeyword } from './placeholders.js';

/**
 * The one Ajv set-up for Type config schemas: the loader binds configs with
 * it and the scaffold (`jit new`, the admin form) validates with it, so a
 * config the scaffold accepts is one the loader accepts.
 *
 * - allErrors: every problem at once, each named by its pointer.
 * - useDefaults: schema defaults are filled into the bound config.
 * - strictNumbers: `1e400` parses to Infinity, which Ajv otherwise accepts as an integer.
 * - `x-env-pattern` (placeholders.ts) is an annotation for the scaffold; declared so a bad one is SCHEMA_INVALID.
 * - `i18n` (i18n.ts): titles and descriptions in other languages, for the admin form; declared with a schema of
 *   its own, so a misspelt language or field is SCHEMA_INVALID at that field rather than silently ignored.
 */
export const createConfigAjv = (): Ajv => new Ajv({ allErrors: true, useDefaults: true, strict: false, strictNumbers: true, keywords: [envPatternKeyword, i18nKeyword] });
