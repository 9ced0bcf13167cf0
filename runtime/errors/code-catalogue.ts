import { Code } from './code.js';

/**
 * How a Code is declared: once, with its number, name, HTTP status and message
 * template, in the catalogue of whoever raises it — the runtime in `runtime/`
 * (runtime-errors.ts, auth/auth-errors.ts, http/http-errors.ts), an element in
 * its own folder. Declaring registers the definitions, so the HTTP layer finds
 * the status of any Code by its number (`statusFor`) without knowing who
 * declared it.
 *
 *   export const RuntimeErrors = defineCodes('runtime', {
 *     ELEMENT_NOT_FOUND: { code: 10001, status: 404, message: 'Element "{id}" does not exist in app "{app}".{suggestion}' },
 *   });
 *   export const RuntimeCodes = codesOf(RuntimeErrors);         // { ELEMENT_NOT_FOUND: 10001 }, for err.code === …
 *
 *   throw RuntimeErrors.ELEMENT_NOT_FOUND.create({ id, app, suggestion }, { fullName: id });
 *
 * `{name}` placeholders are the template's parameters, typed from the template
 * itself. A catalogue may list a definition it shares with another one (the
 * Feishu login lists the auth codes it raises); that is the same Code, not a
 * second declaration. Two declarations of one number are refused when the
 * second module loads — an element's catalogue that collides fails that
 * element's module, not the app.
 *
 * Each definition may give its message in Simplified Chinese too (`zh`, the
 * same placeholders, checked when the catalogue is declared). The Code keeps
 * English in `error.message` (logs, in-process callers); the HTTP layer asks
 * `messageIn(error, locale)` for the words of the request's language:
 *
 *   messageIn(error, 'zh-CN') ─▶ the definition's zh, filled from the Code's own parameters
 *                               (kept by `create`; for a `new Code(n, text)`, read back out of
 *                               the English text by its template)
 *                             ─▶ else error.message (no zh, or its parameters cannot be known)
 *
 * A parameter is text in the caller's words, usually English; a caller that
 * knows both says so with `phrase(en, zh)`, and each language gets its own.
 */

/** The `{name}` placeholders of a message template. */
export type Placeholders<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** A parameter's words in both languages, for a caller that knows them: `phrase('You declined.', '你拒绝了授权。')`. */
export interface Phrase {
  readonly en: string;
  readonly zh: string;
}

export const phrase = (en: string, zh: string): Phrase => Object.freeze({ en, zh });

/** One parameter: a value, or a phrase whose words follow the message's language. */
export type MessageParam = string | number | Phrase;

/** What a template's placeholders are filled with. */
export type MessageParams<Template extends string> = { readonly [Name in Placeholders<Template>]: MessageParam };

/** The languages a message is written in: English, the `message`; Simplified Chinese, the `zh`. */
export type MessageLocale = 'en' | 'zh-CN';

export type Details = Record<string, unknown>;

/** One Code as its catalogue writes it. */
export interface CodeSpec {
  readonly code: number;
  /** The HTTP status a reply carrying this Code gets. */
  readonly status: number;
  /** The message, `{name}` placeholders filled from the parameters of `create`. */
  readonly message: string;
  /** The message in Simplified Chinese, with exactly the placeholders of `message`. */
  readonly zh?: string;
}

export interface CodeDefinition<Name extends string = string, Number extends number = number, Template extends string = string> {
  /** Who declared it: `runtime`, `auth`, `http` or an element's fullName. */
  readonly namespace: string;
  readonly name: Name;
  readonly code: Number;
  readonly status: number;
  readonly message: Template;
  /** The Simplified Chinese template, when the catalogue gives one. */
  readonly zh?: string;
  /** The message with its placeholders filled (English unless a locale is given). */
  format(params: MessageParams<Template>, locale?: MessageLocale): string;
  /** The error to throw; `details` are structured data for callers and logs (never secrets, never sent over HTTP). */
  create(params: MessageParams<Template>, details?: Details): Code;
}

type Catalogue<Specs> = {
  readonly [Name in keyof Specs & string]: Specs[Name] extends CodeDefinition
    ? Specs[Name]
    : Specs[Name] extends { readonly code: infer Number extends number; readonly message: infer Template extends string }
      ? CodeDefinition<Name, Number, Template>
      : never;
};

/** Definitions by number, shared by every copy of this module (an app's `.ts` loaded through tsx next to a built runtime). */
const REGISTRY: Map<number, CodeDefinition> = ((globalThis as Record<symbol, unknown>)[Symbol.for('jit-runtime.codes')] ??= new Map()) as Map<number, CodeDefinition>;

const isDefinition = (value: CodeSpec | CodeDefinition): value is CodeDefinition => typeof (value as CodeDefinition).create === 'function';

/** Declares a catalogue's Codes and registers them; see the header of this file. */
export function defineCodes<const Specs extends Record<string, CodeSpec | CodeDefinition>>(namespace: string, specs: Specs): Catalogue<Specs> {
  const catalogue: Record<string, CodeDefinition> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (isDefinition(spec)) {
      catalogue[name] = spec; // declared (and registered) by its own catalogue
      continue;
    }
    if (!Number.isInteger(spec.code) || spec.code <= 0) throw new Error(`${namespace}.${name}: code ${spec.code} must be a positive whole number.`);
    if (!Number.isInteger(spec.status) || spec.status < 400 || spec.status > 599) throw new Error(`${namespace}.${name}: status ${spec.status} must be an HTTP error status (400–599).`);
    if (spec.zh !== undefined && placeholdersOf(spec.zh) !== placeholdersOf(spec.message)) {
      throw new Error(`${namespace}.${name}: the zh message must have the placeholders of the English one (${placeholdersOf(spec.message) || 'none'}), not ${placeholdersOf(spec.zh) || 'none'}.`);
    }
    catalogue[name] = register(definition(namespace, name, spec));
  }
  return Object.freeze(catalogue) as Catalogue<Specs>;
}

/** The numbers alone, for comparisons: `err.code === RuntimeCodes.BUSY`. */
export function codesOf<const Definitions extends Record<string, CodeDefinition>>(catalogue: Definitions): { readonly [Name in keyof Definitions]: Definitions[Name]['code'] } {
  return Object.freeze(Object.fromEntries(Object.entries(catalogue).map(([name, d]) => [name, d.code]))) as { readonly [Name in keyof Definitions]: Definitions[Name]['code'] };
}

/** The HTTP status of a Code by its number; a number no catalogue declares is 400 (a deliberate refusal). */
export const statusFor = (code: number): number => REGISTRY.get(code)?.status ?? 400;

/** The declared definition of a number, if any catalogue loaded so far declares it. */
export const definitionOf = (code: number): CodeDefinition | undefined => REGISTRY.get(code);

/** Every Code declared by the catalogues loaded so far, in number order. */
export const declaredCodes = (): CodeDefinition[] => [...REGISTRY.values()].sort((a, b) => a.code - b.code);

/** The message of a Code in a language: see the header of this file. Never throws; English is the fallback. */
export function messageIn(error: Code, locale: MessageLocale): string {
  if (locale === 'en') return error.message;
  const d = REGISTRY.get(error.code);
  if (d?.zh === undefined) return error.message;
  const params = (error as { [PARAMS]?: Params })[PARAMS] ?? paramsFromText(d.message, error.message);
  return params ? fill(d.zh, params, locale) : error.message;
}

type Params = Readonly<Record<string, MessageParam>>;

/** Where a Code made by `create` keeps its parameters: not enumerable, so never in JSON, logs or `toJSON`. */
const PARAMS = Symbol.for('jit-runtime.code.params');

const PLACEHOLDER = /\{(\w+)\}/g;

const placeholdersOf = (template: string): string => [...new Set([...template.matchAll(PLACEHOLDER)].map(([, name]) => name!))].sort().join(', ');

function fill(template: string, params: Params, locale: MessageLocale): string {
  return template.replace(PLACEHOLDER, (placeholder, key: string) => {
    if (!Object.hasOwn(params, key)) return placeholder;
    const value = params[key]!;
    return typeof value === 'object' ? (locale === 'zh-CN' ? value.zh : value.en) : String(value);
  });
}

/** The parameters a filled English template was given, read back out of it; undefined when the text is not that template's. */
function paramsFromText(template: string, text: string): Params | undefined {
  if (text.length > 4000) return undefined; // lazy groups backtrack; a message this long is not worth it
  const names: string[] = [];
  const pattern = template.split(PLACEHOLDER).map((part, i) => (i % 2 === 1 ? (names.push(part), '([\\s\\S]*?)') : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  names.forEach((name, i) => (params[name] ??= match[i + 1]!));
  return params;
}

function definition(namespace: string, name: string, spec: CodeSpec): CodeDefinition {
  const format = (params: Params, locale: MessageLocale = 'en'): string => fill(locale === 'zh-CN' && spec.zh !== undefined ? spec.zh : spec.message, params, locale);
  return Object.freeze({
    namespace,
    name,
    code: spec.code,
    status: spec.status,
    message: spec.message,
    ...(spec.zh !== undefined ? { zh: spec.zh } : {}),
    format,
    create: (params: Params, details?: Details) => {
      const error = new Code(spec.code, format(params), details);
      Object.defineProperty(error, PARAMS, { value: Object.freeze({ ...params }) });
      return error;
    },
  });
}

function register(d: CodeDefinition): CodeDefinition {
  const existing = REGISTRY.get(d.code);
  // The same declaration evaluated again (a module loaded twice) replaces itself; anyone else's is a collision.
  if (existing && (existing.namespace !== d.namespace || existing.name !== d.name)) {
    throw new Error(`Code ${d.code} is declared twice: ${existing.namespace} ${existing.name} and ${d.namespace} ${d.name}. Give one of them another number.`);
  }
  REGISTRY.set(d.code, d);
  return d;
}
