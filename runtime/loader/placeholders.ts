import type { KeywordDefinition } from 'ajv';
import { escapePointer } from './definition.js';
import { isPlainObject } from './json-file.js';

/**
 * `${NAME}`, `${NAME:-default}`, and `$${` for a literal `${` — the one
 * tokenizer shared by the loader (which substitutes) and the scaffold (which
 * decides what an admin or `jit new` may write).
 */
export const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * `JIT_*` variables configure the runtime itself (JIT_SECRET_KEY,
 * JIT_DATABASE_URL…): never substituted into an element config. Letter case
 * is ignored, because Windows' environment ignores it.
 */
export const isRuntimeVariable = (variable: string): boolean => /^JIT_/i.test(variable);

export const RUNTIME_VARIABLE_RULE = 'JIT_* variables configure the runtime itself and are never substituted into element configs';

/**
 * Schema annotation on a secret field: a regular expression the whole name of
 * any variable placed in that field through the admin API or `jit new` must
 * match, e.g. `"x-env-pattern": "^FEISHU_[A-Z0-9_]*$"`. The loader ignores it
 * (hand-written files are trusted) beyond checking it compiles.
 */
export const ENV_PATTERN_KEYWORD = 'x-env-pattern';

/** For every Ajv that compiles Type config schemas: accepts the annotation, refuses a non-string or a pattern that does not compile. */
export const envPatternKeyword: KeywordDefinition = {
  keyword: ENV_PATTERN_KEYWORD,
  schemaType: 'string',
  compile(pattern: string) {
    envPattern(pattern); // throws on a bad pattern: the schema does not compile
    return () => true;
  },
};

/** The annotation as a whole-name matcher (`^(?:pattern)$`, unicode, as JSON Schema's `pattern`). */
export const envPattern = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`, 'u');

/** The variables a string's placeholders name, in order (escaped `$${` excluded). */
export function placeholderVariables(text: string): string[] {
  if (!text.includes('${')) return [];
  const variables: string[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) if (match[1] !== undefined) variables.push(match[1]);
  return variables;
}

/** Calls `visit` for every string in a JSON value with its JSON pointer (RFC 6901), keys escaped. */
export function forEachString(value: unknown, pointer: string, visit: (text: string, pointer: string) => void): void {
  if (typeof value === 'string') visit(value, pointer);
  else if (Array.isArray(value)) value.forEach((item, i) => forEachString(item, `${pointer}/${i}`, visit));
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) forEachString(item, `${pointer}/${escapePointer(key)}`, visit);
}
