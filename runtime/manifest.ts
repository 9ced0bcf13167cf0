import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { ElementClass } from './element.js';
import type { Code } from './errcode.js';
import { ElementQueries, notServed, type ElementCatalog, type ElementFilter, type ElementInfo, type ElementView, type Explanation } from './element-queries.js';
import { Builder, type Build } from './loader/build.js';
import type { Env } from './loader/config.js';
import type { ElementDefinition, FunctionSpec } from './loader/definition.js';
import type { InheritedProperties } from './loader/inherit.js';
import { resolveLayers, type AppInfo, type Layer } from './loader/layers.js';
import { defaultImporter, type ModuleImporter } from './loader/modules.js';
import { OFFICIAL_ELEMENTS_DIR } from './paths.js';

/** What reading a manifest touches of the outside world; tests pass each, so none needs mocking. */
export interface ManifestOptions {
  /** Environment for `${ENV}` placeholders; default process.env. */
  env?: Env;
  /** The platform layer; default the official `elements/`. */
  platformDir?: string;
  /** How Type modules are imported; default native import with a tsx fallback for .ts. */
  importer?: ModuleImporter;
}

/**
 * An app's manifest without running it: discover the layers, read and resolve
 * every e.json, inherit, import the Type modules and bind the configs (so
 * every diagnostic a load would report is here) — and stop there: no
 * database, no instances. `jit ls`, `validate`, `explain` and `new` read
 * this; loadApp (app.ts) builds the running App on it.
 */
export async function readManifest(dir: string, options: ManifestOptions = {}): Promise<AppManifest> {
  const importer = options.importer ?? defaultImporter;
  const layers = resolveLayers(dir, options.platformDir ?? OFFICIAL_ELEMENTS_DIR);
  const builder = new Builder(layers.layers, layers.diagnostics, { importer, env: options.env ?? process.env });
  return new AppManifest(layers.app, builder, await builder.build(), importer);
}

/** One build of an app's manifest, with the questions tools ask of it (ElementCatalog). */
export class AppManifest implements ElementCatalog {
  readonly name: string;
  readonly title: string;
  readonly dir: string;
  readonly layers: Layer[];
  private readonly queries: ElementQueries;

  constructor(
    readonly info: AppInfo,
    /** The pipeline that made `build`; the App's reloader rebuilds with it. */
    readonly builder: Builder,
    readonly build: Build,
    /** How its Type modules were imported (the scaffold reads their exports with it). */
    readonly importer: ModuleImporter,
  ) {
    this.name = info.name;
    this.title = info.title;
    this.dir = info.dir;
    this.layers = builder.layers;
    this.queries = new ElementQueries(
      () => build.manifest.entries.keys(),
      (id) => newest(build, id),
      () => build.diagnostics,
    );
  }

  /** Every problem of the build, layers first. */
  get diagnostics(): Diagnostic[] {
    return [...this.build.diagnostics];
  }

  /** Why `id` has nothing to describe: the Code a loaded App's getElement would throw for it. */
  notFound(id: string): Code {
    return notServed(this.build, this.name, id);
  }

  /** The class of a Meta or Type that loaded. */
  classOf(id: string): ElementClass | undefined {
    return this.build.classes.get(id);
  }

  getElementDefine(id: string): ElementInfo | undefined {
    return this.queries.getElementDefine(id);
  }

  listElements(filter: ElementFilter = {}): ElementInfo[] {
    return this.queries.listElements(filter);
  }

  functionList(id: string): readonly FunctionSpec[] {
    return this.queries.functionList(id);
  }

  inherited(id: string): InheritedProperties | undefined {
    return this.queries.inherited(id);
  }

  definitionsOf(id: string): ElementDefinition[] {
    return this.queries.definitionsOf(id);
  }

  explain(id: string): Explanation | undefined {
    return this.queries.explain(id);
  }
}

/** An id as the newest build has it, when it has a definition to describe. */
export function newest(build: Build, id: string): ElementView | undefined {
  const entry = build.manifest.entries.get(id);
  return entry?.definition ? { entry, lastGood: false } : undefined;
}
