import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { DiagnosticCollector } from '../diagnostics/collector.js';
import { withFields, type Diagnostic } from '../diagnostics/diagnostic.js';
import { createConfigAjv } from './config-ajv.js';
import { escapePointer, type ElementDefinition } from './definition.js';
import type { FileCache } from './file-cache.js';
import type { Manifest, ManifestEntry } from './inherit.js';
import { isPlainObject } from './json-file.js';
import { resolveInsideElement } from './modules.js';
import { I18nAnnotationError } from './i18n.js';
import { isRuntimeVariable, PLACEHOLDER, RUNTIME_VARIABLE_RULE } from './placeholders.js';
import { errorMessage, errorPointer } from './schemas.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** The instance config contract a Type declares: which file, validated by which schema. */
interface ConfigContract {
  fileTemplate: string;
  schema?: { file: string; validate: ValidateFunction };
}

export interface BoundConfig {
  file: string;
  /** Frozen; placeholders resolved, schema defaults applied. */
  value: Readonly<Record<string, unknown>>;
  /** Warnings about the file (a BOM) that did not stop it binding. */
  warnings?: readonly Diagnostic[];
}

type Binding = BoundConfig | { diagnostics: readonly Diagnostic[] };

/**
 * Binds each instance to its config file: read, resolve `${ENV}` placeholders
 * (never `JIT_*` ones: CONFIG_ENV_FORBIDDEN), validate with the Type's JSON
 * Schema (ajv, all errors, defaults filled), freeze. The file name template
 * and the schema are the Type's inherited `configFile` and `configSchema`
 * (inherit.ts).
 */
export class ConfigBinder {
  private readonly ajv = createConfigAjv();
  private readonly validators = new Map<string, { text: string; result: ValidateFunction | Diagnostic }>();
  /** Same file content and same validator → same frozen object, so unchanged instances survive a reload. */
  private readonly bindings = new WeakMap<object, { validate: ValidateFunction | undefined; result: Binding }>();

  constructor(
    private readonly files: FileCache,
    private readonly env: Env,
  ) {}

  /** Config file path → the instance it configures, as of the last bindAll (what an edit can be traced to). */
  readonly owners = new Map<string, string>();

  bindAll(manifest: Manifest): Map<string, BoundConfig> {
    const bound = new Map<string, BoundConfig>();
    const contracts = new Map<string, ConfigContract | Diagnostic>();
    this.owners.clear();
    for (const entry of manifest.entries.values()) {
      if (entry.kind !== 'instance' || !entry.definition || entry.diagnostics.hasErrors()) continue;
      const type = manifest.entries.get(entry.typeChain[0]!)!;
      let contract = contracts.get(type.fullName);
      if (!contract) {
        contract = this.contractOf(type);
        contracts.set(type.fullName, contract);
        if ('code' in contract) type.diagnostics.add([contract]);
      }
      if ('code' in contract) continue; // the Type is quarantined; propagation marks this instance
      const result = this.bindEntry(entry, contract);
      if (result) bound.set(entry.fullName, result);
    }
    return bound;
  }

  /**
   * Re-binds one instance whose config file changed, against its Type's
   * contract (validators are cached, so this is one file's work). Undefined
   * when the Type's contract itself is broken: then only a full bindAll tells
   * the whole story.
   */
  rebind(manifest: Manifest, entry: ManifestEntry): { bound: BoundConfig | undefined } | undefined {
    const type = manifest.entries.get(entry.typeChain[0]!);
    if (!type || !entry.definition) return undefined;
    const contract = this.contractOf(type);
    if ('code' in contract) return undefined;
    return { bound: this.bindEntry(entry, contract) };
  }

  private bindEntry(entry: ManifestEntry, contract: ConfigContract): BoundConfig | undefined {
    const definition = entry.definition!;
    this.owners.set(this.configPath(definition, contract.fileTemplate), entry.fullName);
    const result = this.bindCached(definition, contract);
    if ('diagnostics' in result) {
      entry.diagnostics.add(result.diagnostics);
      return undefined;
    }
    if (result.warnings) entry.diagnostics.add(result.warnings);
    return result;
  }

  private contractOf(type: ManifestEntry): ConfigContract | Diagnostic {
    const { configFile, configSchema } = type.inherited;
    const contract: ConfigContract = { fileTemplate: configFile.value };
    if (configSchema.value === undefined || !configSchema.from) return contract;
    const located = resolveInsideElement(configSchema.from, configSchema.value, 'configSchema');
    if ('diagnostic' in located) return withFields(located.diagnostic, { fullName: type.fullName });
    const validate = this.validatorFor(located.file, type.fullName);
    if ('code' in validate) return validate;
    contract.schema = { file: located.file, validate };
    return contract;
  }

  private validatorFor(file: string, typeId: string): ValidateFunction | Diagnostic {
    const read = this.files.read(file);
    if (!read.ok) return withFields(read.diagnostics[0]!, { code: 'SCHEMA_INVALID', fullName: typeId });
    const cached = this.validators.get(file);
    if (cached && cached.text === read.text) return cached.result;
    let result: ValidateFunction | Diagnostic;
    try {
      result = this.ajv.compile(read.value as object);
    } catch (err) {
      const pointer = err instanceof I18nAnnotationError ? err.pointer : '';
      result = new DiagnosticCollector({ fullName: typeId, file }).report('SCHEMA_INVALID', `Config schema does not compile: ${(err as Error).message}`, { pointer });
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

  private bindCached(definition: ElementDefinition, contract: ConfigContract): Binding {
    const file = this.configPath(definition, contract.fileTemplate);
    const read = this.files.read(file, definition.fullName);
    const validate = contract.schema?.validate;
    const cached = this.bindings.get(read);
    if (cached && cached.validate === validate && (!('file' in cached.result) || cached.result.file === file)) return cached.result;
    const result = this.bind(definition, contract);
    this.bindings.set(read, { validate, result });
    return result;
  }

  private bind(definition: ElementDefinition, contract: ConfigContract): Binding {
    const file = this.configPath(definition, contract.fileTemplate);
    const read = this.files.read(file, definition.fullName);
    const at = new DiagnosticCollector({ fullName: definition.fullName, file });
    const whole = { pointer: '' };
    let raw: unknown;
    if (read.ok) {
      raw = read.value;
      at.add(read.warnings);
    } else if (read.missing && (!contract.schema || contract.schema.validate({}))) {
      raw = {};
    } else if (read.missing) {
      return { diagnostics: [at.report('CONFIG_MISSING', `Config file ${file} is missing.`, whole)] };
    } else {
      return { diagnostics: read.diagnostics };
    }
    if (!isPlainObject(raw)) return { diagnostics: [at.report('CONFIG_INVALID', 'Config must be a JSON object.', whole)] };
    const resolved = resolvePlaceholders(raw, '', this.env, (variable, pointer, forbidden) => {
      if (forbidden) at.report('CONFIG_ENV_FORBIDDEN', `Field ${pointer} names \${${variable}}: ${RUNTIME_VARIABLE_RULE}.`, { pointer });
      else at.report('CONFIG_ENV_MISSING', `Field ${pointer} needs environment variable ${variable}, which is not set.`, { pointer, hint: `Set ${variable} (e.g. export ${variable}=…) or write the value in place of \${${variable}}.` });
    }) as Record<string, unknown>;
    if (at.hasErrors()) return { diagnostics: at.list };
    const validate = contract.schema?.validate;
    if (validate && !validate(resolved)) {
      for (const error of validate.errors ?? []) at.report('CONFIG_INVALID', errorMessage(error), { pointer: errorPointer(error) });
      return { diagnostics: at.list };
    }
    return at.list.length > 0 ? { file, value: deepFreeze(resolved), warnings: at.list } : { file, value: deepFreeze(resolved) };
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
