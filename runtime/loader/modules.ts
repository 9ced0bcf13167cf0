import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagnostic, thrownMessage, type Diagnostic } from '../diagnostics/diagnostic.js';
import { Element, type ElementClass } from '../element.js';
import type { ElementDefinition } from './definition.js';
import type { Manifest } from './resolve.js';
import { isQuarantined } from './resolve.js';

export type ModuleImporter = (file: string) => Promise<Record<string, unknown>>;

/**
 * Native import first: under tsx or jest `.ts` already loads. A plain `node`
 * running the built package cannot load an app's `.ts` Type, so fall back to
 * tsx's on-demand compiler, which needs no build step from the app author.
 */
export const defaultImporter: ModuleImporter = async (file) => {
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { tsImport } = await import('tsx/esm/api');
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
};

/** A file inside `dir`, after following symlinks; anything else is refused. */
export function resolveInsideElement(definition: ElementDefinition, relative: string): { file: string } | { diagnostic: Diagnostic } {
  const where = { fullName: definition.fullName, file: definition.file };
  const normalized = normalize(relative);
  if (isAbsolute(relative) || normalized.startsWith('..')) {
    return { diagnostic: diagnostic('ENTRY_OUTSIDE_ELEMENT', `"${relative}" points outside the element folder.`, { ...where, pointer: pointerFor(definition, relative) }) };
  }
  let file = join(definition.dir, normalized);
  if (!existsSync(file) && file.endsWith('.ts') && existsSync(file.slice(0, -3) + '.js')) file = file.slice(0, -3) + '.js'; // built package
  if (!existsSync(file)) {
    const code = relative === definition.backendBundleEntry ? 'MODULE_NOT_FOUND' : 'SCHEMA_INVALID';
    return { diagnostic: diagnostic(code, `File "${relative}" does not exist in ${definition.dir}.`, { ...where, pointer: pointerFor(definition, relative) }) };
  }
  const real = realpathSync(file);
  if (!real.startsWith(realpathSync(definition.dir) + sep)) {
    return { diagnostic: diagnostic('ENTRY_OUTSIDE_ELEMENT', `"${relative}" is a link to a file outside the element folder.`, { ...where, pointer: pointerFor(definition, relative) }) };
  }
  return { file: real };
}

const pointerFor = (definition: ElementDefinition, relative: string): string =>
  relative === definition.backendBundleEntry ? '/backendBundleEntry' : relative === definition.configSchema ? '/configSchema' : '';

type ClassResult = { cls: ElementClass } | { diagnostic: Diagnostic };

/**
 * Builds the class of every Meta and Type in the manifest.
 *
 * The base handed to a module's `extend(Base)` is, in order of preference:
 *   1. the class of the definition it overrides (the nearest shadowed one with a module),
 *   2. the class of the element its `type` names (a Type specialising a Type, or a Meta with a module),
 *   3. the runtime's Element.
 * Classes are memoised per definition object, so an unchanged Type keeps its
 * class identity across reloads and its instances are not recreated.
 */
export class ClassBuilder {
  private readonly memo = new WeakMap<ElementDefinition, Promise<ClassResult>>();

  constructor(private readonly importer: ModuleImporter) {}

  async build(manifest: Manifest): Promise<Map<string, ElementClass>> {
    const classes = new Map<string, ElementClass>();
    const classOf = async (id: string): Promise<ElementClass | undefined> => {
      const entry = manifest.entries.get(id);
      if (!entry?.definition || isQuarantined(entry) || entry.definition.backendBundleEntry === undefined) return undefined;
      const result = await this.classFor(entry.definition, entry.shadowed, classOf);
      return 'cls' in result ? result.cls : undefined;
    };
    for (const entry of manifest.entries.values()) {
      if (!entry.definition || entry.kind === 'instance' || entry.definition.backendBundleEntry === undefined || isQuarantined(entry)) continue;
      const result = await this.classFor(entry.definition, entry.shadowed, classOf);
      if ('cls' in result) classes.set(entry.fullName, result.cls);
      else entry.diagnostics.push(result.diagnostic);
    }
    return classes;
  }

  private classFor(definition: ElementDefinition, shadowed: ElementDefinition[], classOf: (id: string) => Promise<ElementClass | undefined>): Promise<ClassResult> {
    let pending = this.memo.get(definition);
    if (!pending) {
      pending = this.load(definition, shadowed, classOf);
      this.memo.set(definition, pending);
    }
    return pending;
  }

  private async load(definition: ElementDefinition, shadowed: ElementDefinition[], classOf: (id: string) => Promise<ElementClass | undefined>): Promise<ClassResult> {
    const where = { fullName: definition.fullName, file: definition.file, pointer: '/backendBundleEntry' };
    const base = await this.baseFor(definition, shadowed, classOf);
    if ('diagnostic' in base) return base;
    const entry = resolveInsideElement(definition, definition.backendBundleEntry!);
    if ('diagnostic' in entry) return entry;
    let mod: Record<string, unknown>;
    try {
      mod = await this.importer(entry.file);
    } catch (err) {
      return { diagnostic: diagnostic('MODULE_LOAD_FAILED', `Loading ${entry.file} failed: ${thrownMessage(err)}`, where) };
    }
    let cls: unknown;
    try {
      cls = typeof mod['extend'] === 'function' ? (mod['extend'] as (b: ElementClass) => unknown)(base.cls) : mod['default'];
    } catch (err) {
      return { diagnostic: diagnostic('MODULE_LOAD_FAILED', `extend(Base) in ${entry.file} threw: ${thrownMessage(err)}`, where) };
    }
    let problem: string | undefined;
    try {
      if (typeof cls !== 'function' || !(cls.prototype instanceof Element)) {
        problem = typeof mod['extend'] === 'function' ? 'extend(Base) did not return a class extending Base.' : 'The module exports neither extend(Base) nor a default class extending Element.';
      } else {
        problem = staticsProblem(cls as ElementClass);
      }
    } catch (err) {
      problem = `Inspecting the exported class threw: ${thrownMessage(err)}`;
    }
    if (problem !== undefined) return { diagnostic: diagnostic('MODULE_EXPORT_INVALID', `${entry.file}: ${problem}`, where) };
    return { cls: cls as ElementClass };
  }

  private async baseFor(definition: ElementDefinition, shadowed: ElementDefinition[], classOf: (id: string) => Promise<ElementClass | undefined>): Promise<ClassResult> {
    const overridden = shadowed.findIndex((d) => d.backendBundleEntry !== undefined);
    if (overridden >= 0) {
      const result = await this.classFor(shadowed[overridden]!, shadowed.slice(overridden + 1), classOf);
      if ('diagnostic' in result) {
        const where = { fullName: definition.fullName, file: definition.file, pointer: '/backendBundleEntry' };
        return { diagnostic: diagnostic('DEPENDENCY_BROKEN', `The overridden definition in layer "${shadowed[overridden]!.layer.name}" failed to load: ${result.diagnostic.message}`, where) };
      }
      return result;
    }
    if (definition.type !== '') {
      const parent = await classOf(definition.type);
      if (parent) return { cls: parent };
    }
    return { cls: Element as ElementClass };
  }
}

/**
 * `static entities` and `static migrations` are read when the database opens,
 * outside any per-element error handling: a Type that declares them wrongly
 * (`static entities = Model` instead of `[Model]`) is refused here rather than
 * crashing loadApp.
 */
function staticsProblem(cls: ElementClass): string | undefined {
  const { entities, migrations } = cls as { entities: unknown; migrations: unknown };
  if (!Array.isArray(entities) || !entities.every((e) => typeof e === 'function')) return '`static entities` must be an array of model classes.';
  if (!Array.isArray(migrations) || !migrations.every((m) => typeof m === 'function')) return '`static migrations` must be an array of migration classes.';
  for (const migration of migrations as Array<new () => unknown>) new migration(); // collectMigrations constructs them to read their names
  return undefined;
}

/** Entity classes declared by the loaded Types (static `entities`, inherited by subclasses). */
export function collectEntities(classes: Iterable<ElementClass>): Function[] {
  const entities = new Set<Function>();
  for (const cls of classes) for (const entity of cls.entities) entities.add(entity);
  return [...entities];
}

/** Migrations declared by the loaded Types, deduplicated by name (a subclass inherits its parent's). */
export function collectMigrations(classes: Iterable<ElementClass>): Array<new () => import('typeorm').MigrationInterface> {
  const byName = new Map<string, new () => import('typeorm').MigrationInterface>();
  for (const cls of classes) for (const migration of cls.migrations) byName.set(new migration().name ?? migration.name, migration);
  return [...byName.values()];
}
