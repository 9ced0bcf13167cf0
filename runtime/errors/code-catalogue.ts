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
 */

/** The `{name}` placeholders of a message template. */
export type Placeholders<Template extends string> = Template extends `${string}{${infer Name}}${infer Rest}` ? Name | Placeholders<Rest> : never;

/** What a template's placeholders are filled with. */
export type MessageParams<Template extends string> = { readonly [Name in Placeholders<Template>]: string | number };

export type Details = Record<string, unknown>;

/** One Code as its catalogue writes it. */
export interface CodeSpec {
  readonly code: number;
  /** The HTTP status a reply carrying this Code gets. */
  readonly status: number;
  /** The message, `{name}` placeholders filled from the parameters of `create`. */
  readonly message: string;
}

export interface CodeDefinition<Name extends string = string, Number extends number = number, Template extends string = string> {
  /** Who declared it: `runtime`, `auth`, `http` or an element's fullName. */
  readonly namespace: string;
  readonly name: Name;
  readonly code: Number;
  readonly status: number;
  readonly message: Template;
  /** The message with its placeholders filled. */
  format(params: MessageParams<Template>): string;
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

function definition(namespace: string, name: string, spec: CodeSpec): CodeDefinition {
  const format = (params: Record<string, string | number>): string =>
    spec.message.replace(/\{(\w+)\}/g, (placeholder, key: string) => (Object.hasOwn(params, key) ? String(params[key]) : placeholder));
  return Object.freeze({
    namespace,
    name,
    code: spec.code,
    status: spec.status,
    message: spec.message,
    format,
    create: (params: Record<string, string | number>, details?: Details) => new Code(spec.code, format(params), details),
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
