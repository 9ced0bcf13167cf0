import { EventEmitter } from 'node:events';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { migrations as authMigrations } from './auth/migrations/index.js';
import { authEntities } from './auth/models.js';
import { SecretBox } from './auth/secret-box.js';
import { diagnosticKey, formatDiagnostic, withFields, type Diagnostic } from './diagnostics/diagnostic.js';
import { openDataSource } from './db/data-source.js';
import type { ElementHost } from './element.js';
import { ElementQueries, notServed, type ElementCatalog, type ElementFilter, type ElementInfo, type ElementView, type Explanation } from './element-queries.js';
import { RuntimeErrors } from './errcode.js';
import { isFullName } from './ids.js';
import type { Build } from './loader/build.js';
import type { ElementDefinition, FunctionSpec } from './loader/definition.js';
import type { InheritedProperties } from './loader/inherit.js';
import type { Layer } from './loader/layers.js';
import { collectEntities, collectMigrations } from './loader/modules.js';
import { newest, readManifest, type AppManifest, type ManifestOptions } from './manifest.js';
import { Registry, type SwapResult } from './registry.js';
import { Reloader } from './reloader.js';
import { ServiceRunner } from './services.js';
import { SharedState } from './shared/shared-state.js';
import { localizedText } from './loader/i18n.js';

export type { ElementInfo, Explanation } from './element-queries.js';

export interface LoadAppOptions extends ManifestOptions {
  /** Pick up folder and config edits while running (@parcel/watcher). Default false. */
  watch?: boolean;
  /** Run what Types declare to run while served (`static services`: long connections, schedules); `jit serve` sets it. Default false. */
  services?: boolean;
  /** Reject with every diagnostic instead of quarantining (for CI). */
  strict?: boolean;
  /** Database URL; default `JIT_DATABASE_URL`, else SQLite in dataDir. */
  databaseUrl?: string;
  /** Where the app keeps its files (SQLite database, keys); default `<app>/data`. */
  dataDir?: string;
  /** Clock for expiries (login states, tokens, sync freshness); default Date.now. */
  clock?: () => number;
  /** Apply pending migrations at load; default on for SQLite, off for PostgreSQL/MySQL (use `jit db migrate`). */
  migrate?: boolean;
  /** `redis://…`: keep state shared by the app's processes (sign-in limits, quotas, cached tokens) in Redis; default `JIT_REDIS_URL`, else the app's database. */
  redisUrl?: string;
}

export interface ReloadEvent extends SwapResult {
  diagnostics: Diagnostic[];
}

/**
 * The composition root: reads the manifest (manifest.ts: discover, resolve,
 * validate), opens the database with the models of the Types that loaded,
 * and hands both to an App. `env`, `platformDir` and `importer` are passed
 * on to readManifest.
 */
export async function loadApp(dir: string, options: LoadAppOptions = {}): Promise<App> {
  const env = options.env ?? process.env;
  const manifest = await readManifest(dir, { env, ...(options.platformDir !== undefined ? { platformDir: options.platformDir } : {}), ...(options.importer ? { importer: options.importer } : {}) });
  const { build } = manifest;
  if (options.strict && build.diagnostics.length > 0) {
    const text = build.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    throw RuntimeErrors.APP_INVALID.create({ dir: manifest.dir, count: build.diagnostics.length, problems: text }, { diagnostics: build.diagnostics });
  }
  const dataDir = resolve(options.dataDir ?? join(manifest.dir, 'data'));
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
  let shared: SharedState;
  try {
    shared = await SharedState.open(dataSource, { redisUrl: options.redisUrl ?? env['JIT_REDIS_URL'] });
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  const app = new App(manifest, dataDir, dataSource, options.clock ?? Date.now, secrets, shared);
  if (options.watch) await app.watch();
  if (options.services) await app.startServices();
  return app;
}

/**
 * A loaded app: live elements (created on first use) and the questions about
 * them (ElementCatalog), answered from what is served. Owns its database and
 * its reloader (reloader.ts) and releases both on close().
 */
export class App extends EventEmitter implements ElementHost, ElementCatalog {
  readonly name: string;
  readonly title: string;
  readonly dir: string;
  readonly layers: Layer[];
  private readonly registry: Registry;
  private readonly queries: ElementQueries;
  private reloader: Reloader | undefined;
  private services: ServiceRunner | undefined;
  private closed = false;
  private build: Build;
  private readonly entities: Set<Function>;
  private reported = new Set<string>();
  /** The current build's diagnostics, those of elements serving their last good version copied with `keptLastGood`. */
  private buildDiagnostics: readonly Diagnostic[];
  /** Code and model changes seen while running; they stay reported until a restart. */
  private readonly restartNotices = new Map<string, Diagnostic>();

  constructor(
    private readonly manifest: AppManifest,
    readonly dataDir: string,
    readonly dataSource: DataSource,
    private readonly clock: () => number,
    readonly secrets: SecretBox,
    readonly shared: SharedState,
  ) {
    super();
    this.name = manifest.name;
    this.title = manifest.title;
    this.dir = manifest.dir;
    this.layers = manifest.layers;
    this.build = manifest.build;
    this.registry = new Registry(this);
    this.queries = new ElementQueries(
      () => this.build.manifest.entries.keys(),
      (id) => this.view(id),
      () => this.diagnostics,
    );
    this.entities = new Set([...authEntities, ...collectEntities(this.build.classes.values())]);
    this.registry.swap(this.build);
    this.buildDiagnostics = this.composeDiagnostics(this.build);
    this.reported = new Set(this.build.diagnostics.map(diagnosticKey));
  }

  now(): number {
    return this.clock();
  }

  /** The app's title in a language: app.json's `i18n` for it, else the title. */
  titleIn(locale: string): string {
    return localizedText({ title: this.title }, this.manifest.info.i18n, locale).title ?? this.title;
  }

  /** Emitted as a 'log' event: the App does not decide where operational lines go (jit serve prints them). */
  log(line: string): void {
    this.emit('log', line);
  }

  /** Every problem currently known: load diagnostics plus instance creation failures. */
  get diagnostics(): Diagnostic[] {
    return [...this.buildDiagnostics, ...this.registry.diagnostics, ...this.restartNotices.values()];
  }

  /**
   * The live element: an instance for an instance id, the class for a Type or Meta.
   * Throws RuntimeCodes.INVALID_ELEMENT_ID for a malformed id, ELEMENT_NOT_FOUND (with
   * suggestions) for an unknown one, ELEMENT_QUARANTINED (with its diagnostics) for a quarantined one.
   */
  getElement<T = unknown>(id: string): T {
    this.assertOpen();
    if (isFullName(id) && this.registry.has(id)) return this.registry.get(id) as T;
    throw notServed(this.build, this.name, id);
  }

  /*
   * The queries below describe what is served, so the HTTP layer (login page,
   * element API, OAuth callback) agrees with getElement: while an element's
   * newest edit is broken they answer from its last good version; an element
   * that never loaded answers from the newest build, quarantined.
   */

  getElementDefine(id: string): ElementInfo | undefined {
    return this.queries.getElementDefine(id);
  }

  /** Elements in id order; `type` keeps those whose type chain includes it (a Meta lists its Types and their instances). */
  listElements(filter: ElementFilter = {}): ElementInfo[] {
    return this.queries.listElements(filter);
  }

  /**
   * The methods callable from outside the process on an element: its
   * inherited functionList (an instance: its Type's) — as of the version
   * served, for one serving its last good version.
   */
  functionList(id: string): readonly FunctionSpec[] {
    return this.queries.functionList(id);
  }

  /** What the served version of an id inherits (config file and schema, functionList, browser module), each with where it came from. */
  inherited(id: string): InheritedProperties | undefined {
    return this.queries.inherited(id);
  }

  /** The served definition of an id and what it overrides, nearest first. */
  definitionsOf(id: string): ElementDefinition[] {
    return this.queries.definitionsOf(id);
  }

  /** Which layer won for this id, what it shadows, its type chain and inheritance (of the served version) and problems (of the newest build). */
  explain(id: string): Explanation | undefined {
    return this.queries.explain(id);
  }

  /** The served version of an id (the live one, possibly last good), else the newest build's entry when it has a definition. */
  private view(id: string): ElementView | undefined {
    return this.registry.served(id) ?? newest(this.build, id);
  }

  /**
   * The build's diagnostics, with copies marked `keptLastGood` where the
   * element keeps serving its last good version: the build's own objects are
   * frozen and shared with later builds through the file cache.
   */
  private composeDiagnostics(build: Build): readonly Diagnostic[] {
    const kept = new Set<Diagnostic>();
    for (const entry of build.manifest.entries.values()) {
      if (this.registry.isServingLastGood(entry.fullName)) for (const d of entry.diagnostics.list) kept.add(d);
    }
    if (kept.size === 0) return build.diagnostics;
    return build.diagnostics.map((d) => (kept.has(d) ? withFields(d, { keptLastGood: true }) : d));
  }

  /** Starts hot reload (loadApp's `watch: true` does this). */
  async watch(): Promise<void> {
    if (this.reloader || this.closed) return;
    this.reloader = new Reloader(this.manifest.builder, this.registry, {
      ignoredDirs: [this.dataDir],
      entities: this.entities,
      listener: {
        swapped: (build, notices) => {
          for (const d of notices) this.restartNotices.set(diagnosticKey(d), d);
          this.build = build;
          this.buildDiagnostics = this.composeDiagnostics(build);
        },
        applied: (result) => {
          const diagnostics = this.diagnostics;
          for (const d of diagnostics) if (!this.reported.has(diagnosticKey(d))) this.emit('diagnostic', d);
          this.reported = new Set(diagnostics.map(diagnosticKey));
          this.emit('reload', { ...result, diagnostics } satisfies ReloadEvent);
        },
        failed: (problem) => this.emit('diagnostic', problem),
      },
    });
    await this.reloader.start();
  }

  /** Starts the services of every live instance (services.ts); loadApp's `services: true` does this. */
  async startServices(): Promise<void> {
    if (this.services || this.closed) return;
    this.services = new ServiceRunner(this);
    await this.services.start();
  }

  /** Resolves when every file change seen so far has been applied (tests and tools wait on this). */
  async settled(): Promise<void> {
    await this.reloader?.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reloader?.close();
    this.services?.stop();
    await Promise.allSettled(this.registry.drain().map((instance) => instance.close()));
    await this.shared.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.removeAllListeners();
  }

  private assertOpen(): void {
    if (this.closed) throw RuntimeErrors.APP_CLOSED.create({ app: this.name });
  }
}
