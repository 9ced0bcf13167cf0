import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { declarationsProblem } from '../declarations/check.js';
import { DiagnosticCollector } from '../diagnostics/collector.js';
import { thrownMessage, type Diagnostic } from '../diagnostics/diagnostic.js';
import { Element, type ElementClass } from '../element.js';
import type { ElementDefinition } from './definition.js';
import type { Manifest } from './inherit.js';
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

/** Which e.json field names a file: its pointer, and the code for a file that is not there. */
export type ElementFileField = 'backendBundleEntry' | 'configSchema' | 'frontendBundleEntry';

/**
 * A file named by `field` of `owner`'s e.json, inside its folder after
 * following symlinks; anything else is refused (ENTRY_OUTSIDE_ELEMENT).
 */
export function resolveInsideElement(owner: { fullName: string; file: string }, relative: string, field: ElementFileField): { file: string } | { diagnostic: Diagnostic } {
  const dir = dirname(owner.file);
  const at = new DiagnosticCollector({ fullName: owner.fullName, file: owner.file });
  const pointer = `/${field}`;
  const normalized = normalize(relative);
  if (isAbsolute(relative) || normalized.startsWith('..')) {
    return { diagnostic: at.report('ENTRY_OUTSIDE_ELEMENT', `"${relative}" points outside the element folder.`, { pointer }) };
  }
  let file = join(dir, normalized);
  if (!existsSync(file) && file.endsWith('.ts') && existsSync(file.slice(0, -3) + '.js')) file = file.slice(0, -3) + '.js'; // built package
  if (!existsSync(file)) {
    return { diagnostic: at.report(field === 'backendBundleEntry' ? 'MODULE_NOT_FOUND' : 'SCHEMA_INVALID', `File "${relative}" does not exist in ${dir}.`, { pointer }) };
  }
  const real = realpathSync(file);
  if (!real.startsWith(realpathSync(dir) + sep)) {
    return { diagnostic: at.report('ENTRY_OUTSIDE_ELEMENT', `"${relative}" is a link to a file outside the element folder.`, { pointer }) };
  }
  return { file: real };
}

/** A class, a problem of this definition, or nothing because an element it builds on is broken (quarantine reports that). */
type ClassResult = { cls: ElementClass } | { diagnostic: Diagnostic } | { blocked: true };

/**
 * Builds the class of every Meta and Type in the manifest, along its lineage
 * (inherit.ts): a module's `extend(Base)` receives the class of the next
 * definition in the lineage that brings a module — the one it overrides, else
 * its type's — or Element when there is none.
 *
 * A class is memoised per definition and base, so an unchanged Type keeps its
 * class identity across reloads (its instances are not recreated), and a Type
 * whose base changed (its overridden definition or its type was edited) is
 * built again on the new base.
 */
export class ClassBuilder {
  private readonly memo = new WeakMap<ElementDefinition, { base: ElementClass; result: Promise<ClassResult> }>();

  constructor(private readonly importer: ModuleImporter) {}

  async build(manifest: Manifest): Promise<Map<string, ElementClass>> {
    const classes = new Map<string, ElementClass>();
    for (const entry of manifest.entries.values()) {
      if (!entry.definition || entry.kind === 'instance' || entry.definition.backendBundleEntry === undefined || isQuarantined(entry)) continue;
      const result = await this.classAt(entry.lineage, 0, manifest);
      if ('cls' in result) classes.set(entry.fullName, result.cls);
      else if ('diagnostic' in result) entry.diagnostics.add([result.diagnostic]);
    }
    return classes;
  }

  /** The class of `lineage[index]` (a definition with a module), built on the next one with a module. */
  private async classAt(lineage: readonly ElementDefinition[], index: number, manifest: Manifest): Promise<ClassResult> {
    const definition = lineage[index]!;
    const next = lineage.findIndex((d, i) => i > index && d.backendBundleEntry !== undefined);
    let base = Element as ElementClass;
    if (next >= 0) {
      const below = lineage[next]!;
      const overridden = below.fullName === definition.fullName;
      // A broken type quarantines this element anyway (DEPENDENCY_BROKEN): nothing to build on.
      if (!overridden && isQuarantined(manifest.entries.get(below.fullName)!)) return { blocked: true };
      const result = await this.classAt(lineage, next, manifest);
      if ('blocked' in result) return result;
      if ('diagnostic' in result) {
        if (!overridden) return { blocked: true };
        const at = new DiagnosticCollector({ fullName: definition.fullName, file: definition.file });
        return { diagnostic: at.report('DEPENDENCY_BROKEN', `The overridden definition in layer "${below.layer.name}" failed to load: ${result.diagnostic.message}`, { pointer: '/backendBundleEntry' }) };
      }
      base = result.cls;
    }
    const known = this.memo.get(definition);
    if (known?.base === base) return known.result;
    const result = this.load(definition, base);
    this.memo.set(definition, { base, result });
    return result;
  }

  private async load(definition: ElementDefinition, base: ElementClass): Promise<ClassResult> {
    const at = new DiagnosticCollector({ fullName: definition.fullName, file: definition.file });
    const where = { pointer: '/backendBundleEntry' };
    const entry = resolveInsideElement(definition, definition.backendBundleEntry!, 'backendBundleEntry');
    if ('diagnostic' in entry) return entry;
    let mod: Record<string, unknown>;
    try {
      mod = await this.importer(entry.file);
    } catch (err) {
      return { diagnostic: at.report('MODULE_LOAD_FAILED', `Loading ${entry.file} failed: ${thrownMessage(err)}`, where) };
    }
    let cls: unknown;
    try {
      cls = typeof mod['extend'] === 'function' ? (mod['extend'] as (b: ElementClass) => unknown)(base) : mod['default'];
    } catch (err) {
      return { diagnostic: at.report('MODULE_LOAD_FAILED', `extend(Base) in ${entry.file} threw: ${thrownMessage(err)}`, where) };
    }
    let problem: string | undefined;
    try {
      if (typeof cls !== 'function' || !(cls.prototype instanceof Element)) {
        problem = typeof mod['extend'] === 'function' ? 'extend(Base) did not return a class extending Base.' : 'The module exports neither extend(Base) nor a default class extending Element.';
      } else {
        problem = staticsProblem(cls as ElementClass) ?? declarationsProblem(cls, { meta: definition.type === '' });
      }
    } catch (err) {
      problem = `Inspecting the exported class threw: ${thrownMessage(err)}`;
    }
    if (problem !== undefined) return { diagnostic: at.report('MODULE_EXPORT_INVALID', `${entry.file}: ${problem}`, where) };
    return { cls: cls as ElementClass };
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
