import { diagnostic, type Diagnostic } from './diagnostics/diagnostic.js';
import type { Build, Builder } from './loader/build.js';
import type { Registry, SwapResult } from './registry.js';
import { isCodeFile, isElementFile, LayerWatcher, type FileChange } from './watcher.js';

/** What the App hears of a reload. */
export interface ReloadListener {
  /** The build is live (right after the swap): answer from it from now on. `notices` are new RESTART_REQUIRED warnings. */
  swapped(build: Build, notices: readonly Diagnostic[]): void;
  /** The instances it replaced are closed: the reload is complete. */
  applied(result: SwapResult): void;
  /** The rebuild itself failed — a broken invariant, not a user error: nothing was swapped. */
  failed(problem: Diagnostic): void;
}

export interface ReloaderOptions {
  /** Folders inside a layer never reloaded from (the app's data folder). */
  ignoredDirs: string[];
  /** The database models registered at start; a build bringing others needs a restart. */
  entities: ReadonlySet<Function>;
  listener: ReloadListener;
}

/**
 * Hot reload, one batch of file changes at a time:
 *
 *   batch from the watcher (watcher.ts: one queue, never two batches at once)
 *     → refresh: re-read changed files into the cache; re-scan a layer whose folders or e.json files came or went
 *     → rebuild: the loader pipeline (loader/build.ts), re-doing only what changed
 *       (a config-only edit re-binds just those instances: Builder.update)
 *     → validate: what a running process cannot take — changed code, new models — is RESTART_REQUIRED
 *     → swap: the registry takes the build in one step (a broken element keeps its last good version)
 *     → close the instances it replaced
 *
 * A user error in an edit is a diagnostic of the build and is survived; a
 * rebuild that throws keeps serving what was there.
 */
export class Reloader {
  private watcher: LayerWatcher | undefined;
  private closed = false;
  /** The turn running now (or done): the next one starts after it, whoever calls apply(). */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly builder: Builder,
    private readonly registry: Registry,
    private readonly options: ReloaderOptions,
  ) {}

  /** Starts watching every layer; resolves once the watcher reports edits. */
  async start(): Promise<void> {
    if (this.watcher || this.closed) return;
    this.watcher = new LayerWatcher(this.builder.layers, this.options.ignoredDirs, (changes) => this.apply(changes));
    await this.watcher.start();
  }

  /** Resolves when every change seen so far has been applied. */
  async settled(): Promise<void> {
    await this.watcher?.settled();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.watcher?.close();
  }

  /** Applies a batch of changes (what the watcher hands over) after the batches before it: never two at once. */
  apply(changes: FileChange[]): Promise<void> {
    const run = this.turn.then(() => this.applyNow(changes));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async applyNow(changes: FileChange[]): Promise<void> {
    if (this.closed) return;
    const { builder } = this;
    const notices: Diagnostic[] = [];
    const rescan = new Set<FileChange['layer']>();
    const changedFiles: string[] = [];
    for (const change of changes) {
      if (change.kind === 'addDir' || change.kind === 'unlinkDir' || (isElementFile(change.path) && change.kind !== 'change')) rescan.add(change.layer);
      if (isCodeFile(change.path)) {
        if (change.kind !== 'unlink') notices.push(diagnostic('RESTART_REQUIRED', `Code changed in ${change.path}; the running app still uses the code it started with.`, { file: change.path }));
        continue;
      }
      if (change.kind === 'add' || change.kind === 'change') {
        if (builder.files.refresh(change.path)) changedFiles.push(change.path);
      } else {
        builder.files.invalidate(change.path);
        changedFiles.push(change.path);
      }
    }
    if (changedFiles.length === 0 && rescan.size === 0 && notices.length === 0) return;
    for (const layer of rescan) builder.rescan(layer);

    let build: Build;
    try {
      build = await builder.update(changedFiles, rescan.size > 0);
    } catch (err) {
      this.options.listener.failed(diagnostic('MODULE_LOAD_FAILED', `Reload failed: ${(err as Error).message}`));
      return;
    }
    for (const cls of build.classes.values()) {
      const missing = cls.entities.filter((e) => !this.options.entities.has(e));
      if (missing.length > 0) notices.push(diagnostic('RESTART_REQUIRED', `A Type brings database models (${missing.map((e) => e.name).join(', ')}) that are registered at start.`));
    }

    const { result, closing } = this.registry.swap(build);
    this.options.listener.swapped(build, notices);
    await Promise.allSettled(closing.map((instance) => instance.close()));
    this.options.listener.applied(result);
  }
}
