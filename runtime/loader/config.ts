import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.js';
import { escapePointer, type ElementDefinition } from './definition.js';
import type { FileCache } from './file-cache.js';
import { isPlainObject } from './json-file.js';
import { resolveInsideElement } from './modules.js';
import { envPatternKeyword, isRuntimeVariable, PLACEHOLDER, RUNTIME_VARIABLE_RULE } from './placeholders.js';
import type { Manifest, ManifestEntry } from './resolve.js';
import { errorMessage, errorPointer } from './schemas.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** The instance config contract a Type declares: which file, validated by which schema. */
interface ConfigContract {
  fileTemplate: string;
  schema?: { file: string; validate: ValidateFunction; owner: ManifestEntry };
}

export interface BoundConfig {
  file: string;
  /** Frozen; placeholders resolved, schema defaults applied. */
  value: Readonly<Record<string, unknown>>;
  /** Warnings about the file (a BOM) that did not stop it binding. */
  warnings?: Diagnostic[];
}

/**
 * Binds each instance to its config file: read, resolve `${ENV}` placeholders
 * (never `JIT_*` ones: CONFIG_ENV_FORBIDDEN), validate with the Type's JSON
 * Schema (ajv, all errors, defaults filled), freeze.
 * Schemas and config file name are inherited along overrides and the type
 * chain until some definition declares them.
 */
export class ConfigBinder {
  // strictNumbers: `1e400` parses to Infinity, which ajv otherwise accepts as an integer.
  // `x-env-pattern` (runtime/loader/placeholders.ts) is an annotation for the scaffold; declared so a bad one is SCHEMA_INVALID.
  private readonly ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, strictNumbers: true, keywords: [envPatternKeyword] });
  private readonly validators = new Map<string, { text: string; result: ValidateFunction | Diagnostic }>();
  /** Same file content and same validator → same frozen object, so unchanged instances survive a reload. */
  private readonly bindings = new WeakMap<object, { validate: ValidateFunction | undefined; result: BoundConfig | { diagnostics: Diagnostic[] } }>();

  constructor(
    private readonly files: FileCache,
    private readonly env: Env,
  ) {}

  bindAll(manifest: Manifest): Map<string, BoundConfig> {
    const bound = new Map<string, BoundConfig>();
    const contracts = new Map<string, ConfigContract | Diagnostic>();
    for (const entry of manifest.entries.values()) {
      if (entry.kind !== 'instance' || !entry.definition || entry.diagnostics.some((d) => d.severity === 'error')) continue;
      const typeId = entry.typeChain[0]!;
      let contract = contracts.get(typeId);
      if (!contract) {
        contract = this.contractOf(typeId, manifest);
        contracts.set(typeId, contract);
        if ('code' in contract) manifest.entries.get(typeId)!.diagnostics.push(contract);
      }
      if ('code' in contract) continue; // the Type is quarantined; propagation marks this instance
      const result = this.bindCached(entry.definition, contract);
      if ('diagnostics' in result) entry.diagnostics.push(...result.diagnostics);
      else {
        bound.set(entry.fullName, result);
        if (result.warnings) entry.diagnostics.push(...result.warnings);
      }
    }
    return bound;
  }

  private contractOf(typeId: string, manifest: Manifest): ConfigContract | Diagnostic {
    let fileTemplate: string | undefined;
    let schemaOwner: ElementDefinition | undefined;
    const owner = manifest.entries.get(typeId)!;
    for (const definition of definitionsUpChain(typeId, manifest)) {
      fileTemplate ??= definition.configFile;
      if (!schemaOwner && definition.configSchema !== undefined) schemaOwner = definition;
      if (fileTemplate && schemaOwner) break;
    }
    const contract: ConfigContract = { fileTemplate: fileTemplate ?? '{name}.json' };
    if (!schemaOwner) return contract;
    const located = resolveInsideElement(schemaOwner, schemaOwner.configSchema!);
    if ('diagnostic' in located) return { ...located.diagnostic, fullName: typeId };
    const validate = this.validatorFor(located.file, typeId);
    if ('code' in validate) return validate;
    contract.schema = { file: located.file, validate, owner };
    return contract;
  }

  private validatorFor(file: string, typeId: string): ValidateFunction | Diagnostic {
    const read = this.files.read(file);
    if (!read.ok) return { ...read.diagnostics[0]!, code: 'SCHEMA_INVALID', fullName: typeId };
    const cached = this.validators.get(file);
    if (cached && cached.text === read.text) return cached.result;
    let result: ValidateFunction | Diagnostic;
    try {
      result = this.ajv.compile(read.value as object);
    } catch (err) {
      result = diagnostic('SCHEMA_INVALID', `Config schema does not compile: ${(err as Error).message}`, { fullName: typeId, file, pointer: '' });
    }
    this.validators.set(file, { text: read.text, result });
    return result;
  }

  private readonly configPaths = new WeakMap<ElementDefinition, { template: string; file: string }>();

  /** Config path of an instance, computed once per definition (a reload walks every instance). */
  private configPath(definition: ElementDefinition, template: string): string {
    const known = this.configPaths.get(definition);
    if (known?.template === template) return known.file;
    const file = join(definition.dir, template.replace('{name}', definition.name));
    this.configPaths.set(definition, { template, file });
    return file;
  }

  private bindCached(definition: ElementDefinition, contract: ConfigContract): BoundConfig | { diagnostics: Diagnostic[] } {
    const file = this.configPath(definition, contract.fileTemplate);
    const read = this.files.read(file, definition.fullName);
    const validate = contract.schema?.validate;
    const cached = this.bindings.get(read);
    if (cached && cached.validate === validate && (!('file' in cached.result) || cached.result.file === file)) return cached.result;
    const result = this.bind(definition, contract);
    this.bindings.set(read, { validate, result });
    return result;
  }

  private bind(definition: ElementDefinition, contract: ConfigContract): BoundConfig | { diagnostics: Diagnostic[] } {
    const file = this.configPath(definition, contract.fileTemplate);
    const fullName = definition.fullName;
    const read = this.files.read(file, fullName);
    let raw: unknown;
    const diagnostics: Diagnostic[] = [];
    if (read.ok) {
      raw = read.value;
      diagnostics.push(...read.warnings);
    } else if (read.missing && (!contract.schema || contract.schema.validate({}))) {
      raw = {};
    } else if (read.missing) {
      return { diagnostics: [diagnostic('CONFIG_MISSING', `Config file ${file} is missing.`, { fullName, file, pointer: '' })] };
    } else {
      return { diagnostics: read.diagnostics };
    }
    if (!isPlainObject(raw)) return { diagnostics: [diagnostic('CONFIG_INVALID', 'Config must be a JSON object.', { fullName, file, pointer: '' })] };
    const resolved = resolvePlaceholders(raw, '', this.env, (variable, pointer, forbidden) =>
      diagnostics.push(
        forbidden
          ? diagnostic('CONFIG_ENV_FORBIDDEN', `Field ${pointer} names \${${variable}}: ${RUNTIME_VARIABLE_RULE}.`, { fullName, file, pointer })
          : diagnostic('CONFIG_ENV_MISSING', `Field ${pointer} needs environment variable ${variable}, which is not set.`, { fullName, file, pointer, hint: `Set ${variable} (e.g. export ${variable}=…) or write the value in place of \${${variable}}.` }),
      ),
    ) as Record<string, unknown>;
    if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
    const validate = contract.schema?.validate;
    if (validate && !validate(resolved)) {
      for (const error of validate.errors ?? []) {
        diagnostics.push(diagnostic('CONFIG_INVALID', errorMessage(error), { fullName, file, pointer: errorPointer(error) }));
      }
      return { diagnostics };
    }
    return diagnostics.length > 0 ? { file, value: deepFreeze(resolved), warnings: diagnostics } : { file, value: deepFreeze(resolved) };
  }
}

/** Winner, what it overrides, then the same for its type, up to the Meta. */
function* definitionsUpChain(typeId: string, manifest: Manifest): Generator<ElementDefinition> {
  const seen = new Set<string>();
  let id: string | undefined = typeId;
  while (id && !seen.has(id)) {
    seen.add(id);
    const entry = manifest.entries.get(id);
    if (!entry?.definition) return;
    yield entry.definition;
    yield* entry.shadowed;
    id = entry.definition.type || undefined;
  }
}

/**
 * Returns a copy with `${NAME}` (or `${NAME:-default}`) replaced from env; `$${` escapes a literal `${`.
 * A `JIT_*` variable is never read, nor its fallback used: `unresolved` reports it as forbidden.
 */
function resolvePlaceholders(value: unknown, pointer: string, env: Env, unresolved: (variable: string, pointer: string, forbidden: boolean) => void): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(PLACEHOLDER, (match, variable: string | undefined, fallback: string | undefined) => {
      if (variable === undefined) return '${';
      if (isRuntimeVariable(variable)) {
        unresolved(variable, pointer, true);
        return match;
      }
      const found = env[variable] ?? fallback;
      if (found === undefined) {
        unresolved(variable, pointer, false);
        return match;
      }
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => resolvePlaceholders(item, `${pointer}/${i}`, env, unresolved));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: a "__proto__" key in the file must stay a key (and be validated as one), not replace the prototype.
      Object.defineProperty(out, key, { value: resolvePlaceholders(item, `${pointer}/${escapePointer(key)}`, env, unresolved), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
