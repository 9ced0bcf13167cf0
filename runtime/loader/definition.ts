import { join } from 'node:path';
import { DiagnosticCollector } from '../diagnostics/collector.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { idLengthProblem } from '../ids.js';
import { I18N_FIELDS, I18N_RULE, TRANSLATED_LOCALES, type I18n } from './i18n.js';
import type { JsonRead } from './json-file.js';
import type { Layer } from './layers.js';
import { toFullName } from './scan.js';
import { E_JSON_FIELDS, errorMessage, errorPointer, IDENTIFIER, validateEJson } from './schemas.js';

export type AccessModifier = 'public' | 'protected' | 'private';
export type MethodAccess = 'public' | 'user' | 'admin';

export interface ArgSpec {
  name: string;
  title?: string;
  dataType: string;
  required?: boolean;
  default?: unknown;
}

/** A method callable from outside the process (the HTTP layer exposes exactly these). */
export interface FunctionSpec {
  name: string;
  title?: string;
  description?: string;
  access: MethodAccess;
  args: ArgSpec[];
  returnType?: string;
  /** A login method: on success the HTTP layer signs the returned local user in. */
  startsSession?: boolean;
  /** 'signIn': each call counts against the per-client sign-in limit (shared by every process of the app). */
  rateLimit?: 'signIn';
}

/** One e.json, read and validated: plain data, nothing instantiated. */
export interface ElementDefinition {
  fullName: string;
  /** Last segment of the id; names the config file of an instance. */
  name: string;
  title: string;
  /** '' marks a Meta. */
  type: string;
  description?: string;
  accessModifier: AccessModifier;
  /** Undefined when e.json has none; the element then inherits one (inherit.ts). So do configSchema, configFile and frontendBundleEntry. */
  functionList?: FunctionSpec[];
  backendBundleEntry?: string;
  /** Browser module of a Type (e.g. its login panel), served to pages; inside the folder. */
  frontendBundleEntry?: string;
  configSchema?: string;
  configFile?: string;
  /** Title and description in other languages, as declared here (i18n.ts); resolved with what it overrides by inherit.ts. */
  i18n?: I18n;
  dir: string;
  file: string;
  layer: Layer;
}

export interface DefinitionRead {
  definition?: ElementDefinition;
  diagnostics: readonly Diagnostic[];
}

const identifier = new RegExp(IDENTIFIER);
const knownFields = new Set<string>(E_JSON_FIELDS);

export function readDefinition(layer: Layer, relDir: string, readJson: (file: string, fullName: string) => JsonRead): DefinitionRead {
  const fullName = toFullName(relDir);
  const dir = join(layer.root, relDir);
  const file = join(dir, 'e.json');
  const at = new DiagnosticCollector({ fullName, file });
  const badSegment = relDir.split('/').find((segment) => !identifier.test(segment));
  if (badSegment !== undefined) {
    return { diagnostics: [at.report('ELEMENT_NAME_INVALID', `Folder name "${badSegment}" is not a valid element name segment.`)] };
  }
  const tooLong = idLengthProblem(fullName);
  if (tooLong !== undefined) return { diagnostics: [at.report('ELEMENT_NAME_INVALID', `Element id "${fullName}" ${tooLong}.`)] };
  const read = readJson(file, fullName);
  if (!read.ok) return { diagnostics: read.diagnostics };
  at.add(read.warnings);
  if (!validateEJson(read.value)) {
    for (const error of validateEJson.errors ?? []) {
      const pointer = errorPointer(error);
      at.report('EJSON_INVALID', pointer.startsWith('/i18n') ? `${errorMessage(error)} ${I18N_RULE}` : errorMessage(error), { pointer });
    }
    return { diagnostics: at.list };
  }
  const raw = read.value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!knownFields.has(key)) at.report('EJSON_UNKNOWN_FIELD', `Unknown field "${key}".`, { pointer: `/${escapePointer(key)}` });
  }
  const definition: ElementDefinition = {
    fullName,
    name: fullName.slice(fullName.lastIndexOf('.') + 1),
    title: raw['title'] as string,
    type: raw['type'] as string,
    accessModifier: (raw['accessModifier'] as AccessModifier | undefined) ?? 'public',
    dir,
    file,
    layer,
  };
  if (Array.isArray(raw['functionList'])) {
    definition.functionList = (raw['functionList'] as Array<Omit<FunctionSpec, 'access' | 'args'> & Partial<FunctionSpec>>).map((f) => ({
      ...f,
      // Least privilege: a method nobody marked public or user is for admins only.
      access: f.access ?? 'admin',
      args: f.args ?? [],
    }));
  }
  for (const key of ['description', 'backendBundleEntry', 'frontendBundleEntry', 'configSchema', 'configFile'] as const) {
    if (typeof raw[key] === 'string') definition[key] = raw[key] as string;
  }
  if (raw['i18n'] !== undefined) {
    const i18n = i18nOf(raw['i18n'] as Record<string, Record<string, string>>, at);
    if (i18n) definition.i18n = i18n;
  }
  return { definition, diagnostics: at.list };
}

const locales = new Set<string>(TRANSLATED_LOCALES);
const i18nFields = new Set<string>(I18N_FIELDS);

/** The languages and fields the runtime knows; any other name is a probable typo, reported like an unknown e.json field and left out. */
function i18nOf(raw: Record<string, Record<string, string>>, at: DiagnosticCollector): I18n | undefined {
  const out: Record<string, Record<string, string>> = {};
  for (const [locale, texts] of Object.entries(raw)) {
    const where = `/i18n/${escapePointer(locale)}`;
    if (!locales.has(locale)) {
      at.report('EJSON_UNKNOWN_FIELD', `Unknown language "${locale}" in i18n. ${I18N_RULE}`, { pointer: where });
      continue;
    }
    const known: Record<string, string> = {};
    for (const [field, text] of Object.entries(texts)) {
      if (i18nFields.has(field)) known[field] = text;
      else at.report('EJSON_UNKNOWN_FIELD', `Unknown field "${field}" in i18n "${locale}". ${I18N_RULE}`, { pointer: `${where}/${escapePointer(field)}` });
    }
    if (Object.keys(known).length > 0) out[locale] = Object.freeze(known);
  }
  return Object.keys(out).length > 0 ? Object.freeze(out) : undefined;
}

export const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
