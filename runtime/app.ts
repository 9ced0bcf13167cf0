import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { migrations as authMigrations } from './auth/migrations/index.js';
import { authEntities } from './auth/models.js';
import { SecretBox } from './auth/secret-box.js';
import { diagnostic, diagnosticKey, formatDiagnostic, isError, type Diagnostic } from './diagnostics/diagnostic.js';
import { openDataSource } from './db/data-source.js';
import type { Element, ElementHost } from './element.js';
import { Code, RuntimeCodes } from './errcode.js';
import { isFullName, suggestIds } from './ids.js';
import { Builder, type Build } from './loader/build.js';
import type { Env } from './loader/config.js';
import type { AccessModifier, ElementDefinition, FunctionSpec } from './loader/definition.js';
import { resolveLayers, type AppInfo, type Layer } from './loader/layers.js';
import { collectEntities, collectMigrations, defaultImporter, type ModuleImporter } from './loader/modules.js';
import { isQuarantined, type ElementKind, type ManifestEntry } from './loader/resolve.js';
import { OFFICIAL_ELEMENTS_DIR } from './paths.js';
import { Registry, type ServedElement, type SwapResult } from './registry.js';
import { isCodeFile, isElementFile, LayerWatcher, type FileChange } from './watcher.js';

export interface LoadAppOptions {
  /** Pick up folder and config edits while running (@parcel/watcher). Default false. */
  watch?: boolean;
  /** Reject with every diagnostic instead of quarantining (for CI). */
  strict?: boolean;
  /** Database URL; default `JIT_DATABASE_URL`, else SQLite in dataDir. */
  databaseUrl?: string;
  /** Where the app keeps its files (SQLite database, keys); default `<app>/data`. */
  dataDir?: string;
  /** The platform layer; default the official `elements/`. */
  platformDir?: string;
  /** Environment for `${ENV}` placeholders; default process.env. */
  env?: Env;
  /** How Type modules are imported; default native import with a tsx fallback for .ts. */
  importer?: ModuleImporter;
  /** Clock for expiries (login states, tokens, sync freshness); default Date.now. */
  clock?: () => number;
  /** Apply pending migrations at load; default on for SQLite, off for PostgreSQL/MySQL (use `jit db migrate`). */
  migrate?: boolean;
}

/**
 * What the manifest says of one element, without creating it: of the version
 * getElement serves. While the newest edit of an element is broken, that is the
 * last good version (`keptLastGood`); the diagnostics name the broken file.
 */
export interface ElementInfo {
  fullName: string;
  title: string;
  type: string;
  kind: ElementKind | undefined;
  layer: string;
  file: string;
  accessModifier: AccessModifier;
  functionList: FunctionSpec[];
  description?: string;
  /** Layers whose definitions this one replaces, nearest first. */
  overrides: string[];
  /** Nothing good to serve at all: it never loaded (getElement throws ELEMENT_QUARANTINED). */
  quarantined: boolean;
  /** The newest edit is broken (see the diagnostics) and the last good version is still served; never with `quarantined`. */
  keptLastGood: boolean;
}

export interface Explanation extends ElementInfo {
  shadowed: Array<{ layer: string; file: string }>;
  typeChain: string[];
  diagnostics: Diagnostic[];
}

export interface ReloadEvent extends SwapResult {
  diagnostics: Diagnostic[];
}

export async function loadApp(dir: string, options: LoadAppOptions = {}): Promise<App> {
  const env = options.env ?? process.env;
  const layers = resolveLayers(dir, options.platformDir ?? OFFICIAL_ELEMENTS_DIR);
  const builder = new Builder(layers.layers, layers.diagnostics, { importer: options.importer ?? defaultImporter, env });
  const build = await builder.build();
  if (options.strict && build.diagnostics.length > 0) {
    const text = build.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    throw new Code(RuntimeCodes.APP_INVALID, `App ${layers.app.dir} has ${build.diagnostics.length} problem(s):\n${text}`, { diagnostics: build.diagnostics });
  }
  const dataDir = resolve(options.dataDir ?? join(layers.app.dir, 'data'));
  const secrets = SecretBox.fromEnvironment(env, dataDir);
  // Local accounts, login states and sessions are the runtime's own: every app has them, with or without a login Type.
  const entities = [...new Set([...authEntities, ...collectEntities(build.classes.values())])];
  const migrations = [...authMigrations, ...collectMigrations(build.classes.values())];
  const dataSource = await openDataSource({
    url: options.databaseUrl ?? env['JIT_DATABASE_URL'],
    dataDir,
    entities,
    migrations,
    ...(options.migrate !== undefined ? { migrate: options.migrate } : {}),
  });
  const app = new App(layers.app, layers.layers, dataDir, dataSource, builder, build, options.clock ?? Date.now, secrets);
  if (options.watch) await app.watch();
  return app;
}

/**
 * A loaded app: owns its manifest, live elements, database and watcher, and
 * releases all of them on close().
 */
export class App extends EventEmitter implements ElementHost {
  readonly name: string;
  readonly title: string;
  readonly dir: string;
  private readonly registry: Registry;
  private watcher: LayerWatcher | undefined;
  private closed = false;
  private readonly entities: Set<Function>;
  private reported = new Set<string>();
  /** The current build's diagnostics, those of elements serving their last good version copied with `keptLastGood`. */
  private buildDiagnostics: Diagnostic[];
  /** Code and model changes seen while running; they stay reported until a restart. */
  private readonly restartNotices = new Map<string, Diagnostic>();

  constructor(
    info: AppInfo,
    readonly layers: Layer[],
    readonly dataDir: string,
    readonly dataSource: DataSource,
    private readonly builder: Builder,
    private build: Build,
    private readonly clock: () => number,
    readonly secrets: SecretBox,
  ) {
    super();
    this.name = info.name;
    this.title = info.title;
    this.dir = info.dir;
    this.registry = new Registry(this);
    this.entities = new Set([...authEntities, ...collectEntities(build.classes.values())]);
    this.registry.swap(build);
    this.buildDiagnostics = this.composeDiagnostics(build);
    this.reported = new Set(build.diagnostics.map(diagnosticKey));
  }

  now(): number {
    return this.clock();
  }

  /** Every problem currently known: load diagnostics plus instance creation failures. */
  get diagnostics(): Diagnostic[] {
    return [...this.buildDiagnostics, ...this.registry.diagnostics, ...this.restartNotices.values()];
  }

  /**
   * The live element: an instance for an instance id, the class for a Type or Meta.
   * Throws Code 10002 for a malformed id, 10001 (with suggestions) for an unknown
   * one, 10003 (with its diagnostics) for a quarantined one.
   */
  getElement<T = unknown>(id: string): T {
    this.assertOpen();
    if (!isFullName(id)) {
      throw new Code(RuntimeCodes.INVALID_ELEMENT_ID, `"${String(id)}" is not an element id; ids are dotted names such as auths.loginTypes.FSInnerExample.`);
    }
    if (this.registry.has(id)) return this.registry.get(id) as T;
    const entry = this.build.manifest.entries.get(id);
    if (entry) {
      const problems = entry.diagnostics.filter(isError);
      throw new Code(RuntimeCodes.ELEMENT_QUARANTINED, `Element "${id}" failed to load: ${problems.map((d) => d.message).join(' ')}`, { fullName: id, diagnostics: problems });
    }
    const suggestions = suggestIds(id, this.build.manifest.entries.keys());
    const hint = suggestions.length ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
    throw new Code(RuntimeCodes.ELEMENT_NOT_FOUND, `Element "${id}" does not exist in app "${this.name}".${hint}`, { fullName: id, suggestions });
  }

  /**
   * The queries below describe what is served, so the HTTP layer (login page,
   * element API, OAuth callback) agrees with getElement: while an element's
   * newest edit is broken they answer from its last good version; an element
   * that never loaded answers from the newest build, quarantined.
   */
  getElementDefine(id: string): ElementInfo | undefined {
    const view = this.view(id);
    return view ? info(view) : undefined;
  }

  /** Elements in id order; `type` keeps those whose type chain includes it (a Meta lists its Types and their instances). */
  listElements(filter: { type?: string; kind?: ElementKind } = {}): ElementInfo[] {
    const out: ElementInfo[] = [];
    for (const id of this.build.manifest.entries.keys()) {
      const view = this.view(id);
      if (!view) continue;
      if (filter.type !== undefined && !view.entry.typeChain.includes(filter.type)) continue;
      if (filter.kind !== undefined && view.entry.kind !== filter.kind) continue;
      out.push(info(view));
    }
    return out.sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  /**
   * The methods callable from outside the process on an element: an instance
   * exposes its Type's functionList (inherited along overrides when absent) —
   * the Type it was created with, for one serving its last good version.
   */
  functionList(id: string): FunctionSpec[] {
    const view = this.view(id);
    if (!view) return [];
    const owner = view.owner ?? (view.entry.kind === 'instance' ? this.build.manifest.entries.get(view.entry.typeChain[0]!) : view.entry);
    return owner?.definition ? functionListOf(owner) : [];
  }

  /** The served definition of an id and what it overrides, nearest first (for frontend bundles and tools). */
  definitionsOf(id: string): ElementDefinition[] {
    const view = this.view(id);
    return view ? [view.entry.definition!, ...view.entry.shadowed] : [];
  }

  /** Which layer won for this id, what it shadows, its type chain (of the served version) and problems (of the newest build). */
  explain(id: string): Explanation | undefined {
    const view = this.view(id);
    if (!view) return undefined;
    return {
      ...info(view),
      shadowed: view.entry.shadowed.map((d) => ({ layer: d.layer.name, file: d.file })),
      typeChain: view.entry.typeChain,
      diagnostics: this.diagnostics.filter((d) => d.fullName === id),
    };
  }

  /** The served version of an id (the live one, possibly last good), else the newest build's entry when it has a definition. */
  private view(id: string): View | undefined {
    if (!isFullName(id)) return undefined;
    const served = this.registry.served(id);
    if (served?.entry.definition) return served;
    const entry = this.build.manifest.entries.get(id);
    return entry?.definition ? { entry, owner: undefined, lastGood: false } : undefined;
  }

  /**
   * The build's diagnostics as new objects where the element keeps serving its
   * last good version: the build's own objects are shared with later builds
   * through the file cache and are never marked.
   */
  private composeDiagnostics(build: Build): Diagnostic[] {
    const kept = new Set<Diagnostic>();
    for (const entry of build.manifest.entries.values()) {
      if (this.registry.isServingLastGood(entry.fullName)) for (const d of entry.diagnostics) kept.add(d);
    }
    if (kept.size === 0) return build.diagnostics;
    return build.diagnostics.map((d) => (kept.has(d) ? { ...d, keptLastGood: true } : d));
  }

  /** Starts hot reload (loadApp's `watch: true` does this). */
  async watch(): Promise<void> {
    if (this.watcher) return;
    this.watcher = new LayerWatcher(this.layers, [this.dataDir], (changes) => this.reload(changes));
    await this.watcher.start();
  }

  /** Resolves when every file change seen so far has been applied (tests and tools wait on this). */
  async settled(): Promise<void> {
    await this.watcher?.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    await Promise.allSettled(this.registry.drain().map((instance) => instance.close()));
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.removeAllListeners();
  }

  private async reload(changes: FileChange[]): Promise<void> {
    if (this.closed) return;
    const restart: Diagnostic[] = [];
    const rescan = new Set<Layer>();
    let changed = false;
    for (const change of changes) {
      if (change.kind === 'addDir' || change.kind === 'unlinkDir' || (isElementFile(change.path) && change.kind !== 'change')) rescan.add(change.layer);
      if (isCodeFile(change.path)) {
        if (change.kind !== 'unlink') {
          restart.push(diagnostic('RESTART_REQUIRED', `Code changed in ${change.path}; the running app still uses the code it started with.`, { file: change.path }));
        }
        continue;
      }
      if (change.kind === 'add' || change.kind === 'change') changed = this.builder.files.refresh(change.path) || changed;
      else this.builder.files.invalidate(change.path);
    }
    if (!changed && rescan.size === 0 && restart.length === 0) return;
    for (const layer of rescan) this.builder.rescan(layer);
    let build: Build;
    try {
      build = await this.builder.build();
    } catch (err) {
      // A broken invariant, not a user error: keep serving what we have and say so.
      this.emit('diagnostic', diagnostic('MODULE_LOAD_FAILED', `Reload failed: ${(err as Error).message}`, {}));
      return;
    }
    for (const cls of build.classes.values()) {
      const missing = cls.entities.filter((e) => !this.entities.has(e));
      if (missing.length > 0) {
        restart.push(diagnostic('RESTART_REQUIRED', `A Type brings database models (${missing.map((e) => e.name).join(', ')}) that are registered at start.`, {}));
      }
    }
    for (const d of restart) this.restartNotices.set(diagnosticKey(d), d);
    const { result, closing } = this.registry.swap(build);
    this.build = build;
    this.buildDiagnostics = this.composeDiagnostics(build);
    await Promise.allSettled(closing.map((instance: Element) => instance.close()));
    const diagnostics = this.diagnostics;
    for (const d of diagnostics) if (!this.reported.has(diagnosticKey(d))) this.emit('diagnostic', d);
    this.reported = new Set(diagnostics.map(diagnosticKey));
    this.emit('reload', { ...result, diagnostics } satisfies ReloadEvent);
  }

  private assertOpen(): void {
    if (this.closed) throw new Code(RuntimeCodes.APP_CLOSED, `App "${this.name}" is closed.`);
  }
}

/** An entry to describe: the registry's served version, or (never loaded) the newest build's quarantined one. */
type View = ServedElement;

/** An override that declares no functionList keeps the one it overrides, like its config schema. */
const functionListOf = (entry: ManifestEntry): FunctionSpec[] => entry.definition!.functionList ?? entry.shadowed.find((s) => s.functionList)?.functionList ?? [];

function info(view: View): ElementInfo {
  const { entry } = view;
  const d = entry.definition!;
  const out: ElementInfo = {
    fullName: entry.fullName,
    title: d.title,
    type: d.type,
    kind: entry.kind,
    layer: d.layer.name,
    file: d.file,
    accessModifier: d.accessModifier,
    functionList: functionListOf(entry),
    overrides: entry.shadowed.map((s) => s.layer.name),
    // A served version is good by construction (the registry only takes unquarantined entries live).
    quarantined: !view.lastGood && isQuarantined(entry),
    keptLastGood: view.lastGood,
  };
  if (d.description !== undefined) out.description = d.description;
  return out;
}
