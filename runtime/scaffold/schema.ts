import type { ErrorObject } from 'ajv';
import type { ElementCatalog } from '../element-queries.js';
import { Code, RuntimeCodes } from '../errcode.js';
import { isFullName } from '../ids.js';
import { createConfigAjv } from '../loader/config-ajv.js';
import { escapePointer } from '../loader/definition.js';
import { isPlainObject, readJsonFile } from '../loader/json-file.js';
import { resolveInsideElement } from '../loader/modules.js';
import { ENV_PATTERN_KEYWORD, envPattern, forEachString, isRuntimeVariable, PLACEHOLDER, placeholderVariables, RUNTIME_VARIABLE_RULE } from '../loader/placeholders.js';
import { errorMessage, errorPointer } from '../loader/schemas.js';

/** A JSON Schema property, as far as forms and prompts care. */
export interface PropertySchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: PropertySchema;
  writeOnly?: boolean;
  [key: string]: unknown;
}

export interface ObjectSchema {
  title?: string;
  description?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, PropertySchema>;
  [key: string]: unknown;
}

/** What a Type asks of its instances' config: which file, which schema (both inherited, loader/inherit.ts). */
export interface TypeContract {
  typeId: string;
  title: string;
  description?: string;
  /** Config file name template, `{name}.json` unless a definition says otherwise. */
  configFile: string;
  /** The schema, or undefined when no definition up the chain declares one (any config is accepted). */
  schema?: ObjectSchema;
  schemaFile?: string;
}

/** One problem with a value, named by field (top-level property) and JSON pointer. */
export interface FieldError {
  field: string;
  pointer: string;
  message: string;
}

/** Thrown for refused input; `errors` name the fields. HTTP replies 400, the CLI prints each. */
export class ScaffoldError extends Code {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(RuntimeCodes.INVALID_PARAMS, message, errors.length ? { errors } : undefined);
  }
}

/**
 * The config contract of a Type in this app: its inherited `configFile` and
 * `configSchema` (loader/inherit.ts), the very values the loader binds with.
 */
export function typeContract(app: ElementCatalog, typeId: string): TypeContract {
  const info = isFullName(typeId) ? app.getElementDefine(typeId) : undefined;
  const inherited = info ? app.inherited(typeId) : undefined;
  if (!info || info.kind !== 'type' || !inherited) {
    const types = app.listElements({ kind: 'type' }).map((t) => t.fullName);
    throw new ScaffoldError(`"${typeId}" is not a Type in app "${app.name}"${types.length ? ` (Types: ${types.join(', ')})` : ''}.`, [{ field: 'type', pointer: '/type', message: 'not a Type of this app' }]);
  }
  const { configFile, configSchema } = inherited;
  const contract: TypeContract = { typeId, title: info.title, configFile: configFile.value };
  if (info.description !== undefined) contract.description = info.description;
  if (configSchema.value === undefined || !configSchema.from) return contract;
  const located = resolveInsideElement(configSchema.from, configSchema.value, 'configSchema');
  if ('diagnostic' in located) throw new ScaffoldError(`Type "${typeId}" has no readable config schema: ${located.diagnostic.message}`);
  const read = readJsonFile(located.file, typeId);
  if (!read.ok || !isPlainObject(read.value)) throw new ScaffoldError(`Type "${typeId}" has no readable config schema (${located.file}).`);
  contract.schema = read.value as ObjectSchema;
  contract.schemaFile = located.file;
  return contract;
}

/** The config file name of an instance called `name` (last segment of its id). */
export const configFileName = (contract: TypeContract, name: string): string => contract.configFile.replace('{name}', name);

/** Secret fields: `writeOnly: true` in the schema, or a name that says so. They are never echoed and default to `${ENV}` placeholders. */
export const isSecretField = (name: string, property: PropertySchema | undefined): boolean => property?.writeOnly === true || /secret|password|token/i.test(name);

/** `${NAME}` or `${NAME:-fallback}`, the whole value. */
const WHOLE_PLACEHOLDER = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}$/;

export const isPlaceholder = (value: unknown): value is string => typeof value === 'string' && WHOLE_PLACEHOLDER.test(value);

/**
 * Why `${variable}` may not be written into `field` by the admin API or `jit new`, or undefined when it may:
 * never a `JIT_*` variable; only in a secret field; only a variable whose whole name matches the
 * field's `x-env-pattern` (a secret field without one accepts no variable at all).
 * Hand-written files are not held to this (the loader refuses only `JIT_*`).
 */
export function placeholderProblem(field: string, property: PropertySchema | undefined, variable: string): string | undefined {
  if (isRuntimeVariable(variable)) return `\${${variable}} is refused: ${RUNTIME_VARIABLE_RULE}`;
  if (!isSecretField(field, property)) return `\${${variable}} is refused: only secret fields may hold \${ENV} placeholders; write the value`;
  const pattern = property?.[ENV_PATTERN_KEYWORD];
  if (pattern === undefined) return `\${${variable}} is refused: the Type declares no environment variables for this secret field (${ENV_PATTERN_KEYWORD}); write the value as it is (secretsAsValues)`;
  let matcher: RegExp;
  try {
    if (typeof pattern !== 'string') throw new TypeError('not a string');
    matcher = envPattern(pattern);
  } catch {
    return `\${${variable}} is refused: the Type's ${ENV_PATTERN_KEYWORD} for this field is not a valid regular expression`;
  }
  if (!matcher.test(variable)) return `\${${variable}} is refused: this field accepts only variables matching ${pattern}`;
  return undefined;
}

/**
 * Every placeholder in `config` that the admin API or `jit new` may not write
 * (see placeholderProblem), one error per variable, named by field and pointer.
 * `unchanged(pointer, text)` exempts a string an edit sends back as the file
 * already has it (a hand-written `${FEISHU_DOMAIN:-…}` does not block editing
 * the other fields) — except a `JIT_*` one, which is never accepted.
 */
export function placeholderErrors(contract: TypeContract, config: Record<string, unknown>, unchanged: (pointer: string, text: string) => boolean = () => false): FieldError[] {
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(config)) {
    const property = contract.schema?.properties?.[field];
    forEachString(value, `/${escapePointer(field)}`, (text, pointer) => {
      const variables = placeholderVariables(text);
      if (variables.length === 0) return;
      const exempt = unchanged(pointer, text);
      for (const variable of variables) {
        const problem = exempt && !isRuntimeVariable(variable) ? undefined : placeholderProblem(field, property, variable);
        if (problem) errors.push({ field, pointer, message: `Field ${pointer}: ${problem}.` });
      }
    });
  }
  return errors;
}

/**
 * The environment variable a secret field is offered as: the one the schema's
 * description suggests (`write ${FEISHU_APP_SECRET}`), else one made of the
 * instance name and the field (`MY_LOGIN_APP_SECRET`) — the first of these the
 * field accepts (placeholderProblem). Undefined when it accepts neither: the
 * secret can only be written as a value.
 */
export function envVariableFor(instanceName: string, field: string, property: PropertySchema | undefined): string | undefined {
  const suggested = /\$\{([A-Z_][A-Z0-9_]*)\}/.exec(property?.description ?? '')?.[1];
  const candidates = [...(suggested ? [suggested] : []), `${snake(instanceName)}_${snake(field)}`];
  return candidates.find((variable) => placeholderProblem(field, property, variable) === undefined);
}

const snake = (name: string): string =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();

/** "FSInnerLogin" → "FS Inner Login": a readable default title. */
export const titleFromName = (name: string): string =>
  name
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim();

const typesOf = (property: PropertySchema | undefined): string[] => {
  if (!property) return [];
  if (Array.isArray(property.type)) return property.type;
  if (typeof property.type === 'string') return [property.type];
  if (property.enum) return [...new Set(property.enum.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)))];
  return [];
};

/**
 * Text (a `--set` value, a typed answer) to a value of the property's type:
 * numbers and booleans parsed, arrays as JSON or comma-separated, objects as
 * JSON. Text that does not parse stays text, so validation names the field.
 */
export function parseValue(property: PropertySchema | undefined, text: string): unknown {
  if (WHOLE_PLACEHOLDER.test(text)) return text;
  const types = typesOf(property);
  if (property?.enum && property.enum.includes(text)) return text;
  for (const type of types) {
    if (type === 'string') return text;
    if ((type === 'integer' || type === 'number') && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
    if (type === 'boolean') {
      if (/^(true|yes|y|on|1)$/i.test(text.trim())) return true;
      if (/^(false|no|n|off|0)$/i.test(text.trim())) return false;
    }
    if (type === 'array') {
      const trimmed = text.trim();
      if (trimmed.startsWith('[')) {
        try {
          return JSON.parse(trimmed);
        } catch {
          return text;
        }
      }
      if (trimmed === '') return [];
      return trimmed.split(',').map((item) => parseValue(property?.items, item.trim()));
    }
    if (type === 'object' || type === 'null') {
      try {
        return JSON.parse(text);
      } catch {
        /* stays text */
      }
    }
  }
  if (types.length === 0) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

const ajv = createConfigAjv();
const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/**
 * Validates a config as the loader will (the same Ajv set-up, loader/config-ajv.ts) without
 * changing it. Placeholders are checked by their fallback (`${X:-fallback}`);
 * a field holding a placeholder with no fallback is checked at load time,
 * when its variable is known, so errors about it are not reported here.
 */
export function validateConfig(contract: TypeContract, config: Record<string, unknown>): FieldError[] {
  if (!contract.schema) return [];
  let validate = compiled.get(contract.schema);
  if (!validate) {
    try {
      validate = ajv.compile(contract.schema);
    } catch (err) {
      throw new ScaffoldError(`The config schema of "${contract.typeId}" does not compile: ${(err as Error).message}`);
    }
    compiled.set(contract.schema, validate);
  }
  const unresolved = new Set<string>();
  const candidate = structuredClone(config);
  for (const [key, value] of Object.entries(candidate)) {
    if (typeof value !== 'string' || !value.includes('${')) continue;
    let open = false;
    candidate[key] = value.replace(PLACEHOLDER, (_match, variable: string | undefined, fallback: string | undefined) => {
      if (variable === undefined) return '${';
      if (fallback === undefined) open = true;
      return fallback ?? '';
    });
    if (open) unresolved.add(key);
  }
  if (validate(candidate)) return [];
  return (validate.errors ?? []).map(fieldError).filter((e) => !unresolved.has(e.field));
}

function fieldError(error: ErrorObject): FieldError {
  const pointer = errorPointer(error);
  const field = pointer.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~') ?? '';
  return { field, pointer, message: errorMessage(error) };
}

/** Keys in the schema's property order, then any others in their given order: a file that diffs well. */
export function orderKeys(contract: TypeContract, config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(contract.schema?.properties ?? {})) if (config[key] !== undefined) out[key] = config[key];
  for (const [key, value] of Object.entries(config)) if (!(key in out) && value !== undefined) out[key] = value;
  return out;
}

/** Required fields first, then the rest, in schema order. */
export function fieldsOf(contract: TypeContract): Array<{ name: string; property: PropertySchema; required: boolean; secret: boolean }> {
  const required = new Set(contract.schema?.required ?? []);
  return Object.entries(contract.schema?.properties ?? {}).map(([name, property]) => ({ name, property, required: required.has(name), secret: isSecretField(name, property) }));
}
