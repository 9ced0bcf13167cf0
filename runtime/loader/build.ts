import { join } from 'node:path';
import { DiagnosticCollector } from '../diagnostics/collector.js';
import { isError, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { ElementClass } from '../element.js';
import { ConfigBinder, type BoundConfig, type Env } from './config.js';
import { readDefinition, type DefinitionRead } from './definition.js';
import { FileCache } from './file-cache.js';
import { inherit, type Manifest, type ManifestEntry } from './inherit.js';
import type { JsonRead } from './json-file.js';
import type { Layer } from './layers.js';
import { ClassBuilder, type ModuleImporter } from './modules.js';
import { propagateQuarantine } from './quarantine.js';
import { isQuarantined, resolveManifest, type LayerReads } from './resolve.js';
import { scanLayer, toFullName } from './scan.js';

/** Everything one pass of the pipeline produces; the registry swaps it in whole. */
export interface Build {
  readonly manifest: Manifest;
  readonly classes: Map<string, ElementClass>;
  readonly configs: Map<string, BoundConfig>;
  /** Layer problems, then those of no single entry, then each entry's in id order of the manifest. */
  readonly diagnostics: readonly Diagnostic[];
  /** For a build that re-did only some entries (Builder.update's short path): their ids; every other entry is the previous build's own object. */
  readonly onlyChanged?: readonly string[];
}

/**
 * The pipeline, one verb per stage (one file each, in this folder):
 *
 *   scan.ts        list element folders (fast-glob)
 *   definition.ts  read and validate each e.json
 *   resolve.ts     precedence across layers, kinds, type chains (pure)
 *   inherit.ts     lineage and inherited properties, with provenance (pure)
 *   modules.ts     import Type modules, build classes along the lineage
 *   config.ts      bind each instance's config (placeholders, schema, freeze)
 *   quarantine.ts  take the dependents of broken entries out
 *
 * Each element's problems go to its own collector (DiagnosticCollector);
 * nothing changes a diagnostic once made. Each stage caches by input
 * identity, so a rebuild after one edit re-reads one file and re-binds one
 * config, whatever the size of the app.
 *
 * A reload costs in proportion to what changed where that is cheap to know
 * (update()):
 *
 *   changed files                             rebuild
 *   only instances' config files,             short path: copy the previous build, re-bind those
 *     their Types healthy                       instances, keep every other entry object as it was
 *   anything else (an e.json, a schema,       the whole pipeline above (its stages still skip
 *     folders came or went)                     unchanged inputs)
 *
 * The short path is exact because a config file feeds only its instance's
 * binding, and an instance is no one's type: nothing else can change.
 */
export class Builder {
  readonly files = new FileCache();
  private readonly classes: ClassBuilder;
  private readonly binder: ConfigBinder;
  private readonly definitions = new WeakMap<JsonRead, DefinitionRead>();
  /** Per layer, its element folders with their id and e.json path worked out once. */
  private readonly elementDirs = new Map<Layer, Array<{ relDir: string; fullName: string; eJson: string }>>();

  constructor(
    readonly layers: Layer[],
    private readonly layerDiagnostics: readonly Diagnostic[],
    options: { importer: ModuleImporter; env: Env },
  ) {
    this.classes = new ClassBuilder(options.importer);
    this.binder = new ConfigBinder(this.files, options.env);
  }

  /** Re-list element folders (after folders or e.json files appeared or vanished). */
  rescan(layer?: Layer): void {
    for (const l of layer ? [layer] : this.layers) this.elementDirs.set(l, this.scan(l));
  }

  /** The last build and what the short path needs of it: each instance's problems from before config binding. */
  private last: { build: Build; unbound: Map<string, readonly Diagnostic[]> } | undefined;

  /** Rebuild after a batch of changes: `changedFiles` re-read with new content, `rescanned` when folders or e.json files came or went. */
  async update(changedFiles: readonly string[], rescanned: boolean): Promise<Build> {
    const last = this.last;
    if (!last || rescanned || changedFiles.length === 0) return this.build();
    const ids = new Set<string>();
    for (const file of changedFiles) {
      const id = this.binder.owners.get(file);
      if (id === undefined) return this.build();
      ids.add(id);
    }
    return this.rebindOnly(last, [...ids]) ?? this.build();
  }

  async build(): Promise<Build> {
    const layerReads: LayerReads = this.layers.map((layer) => {
      if (!this.elementDirs.has(layer)) this.elementDirs.set(layer, this.scan(layer));
      const reads = new Map<string, DefinitionRead>();
      for (const { relDir, fullName, eJson } of this.elementDirs.get(layer)!) {
        reads.set(fullName, this.readDefinition(layer, relDir, fullName, eJson));
      }
      return { layer, reads };
    });
    const manifest = inherit(resolveManifest(layerReads));
    const classes = await this.classes.build(manifest);
    const unbound = new Map<string, readonly Diagnostic[]>();
    for (const entry of manifest.entries.values()) if (entry.kind === 'instance' && entry.diagnostics.list.length > 0) unbound.set(entry.fullName, [...entry.diagnostics.list]);
    const configs = this.binder.bindAll(manifest);
    propagateQuarantine(manifest.entries);
    const build: Build = { manifest, classes, configs, diagnostics: this.collect(manifest) };
    this.last = { build, unbound };
    return build;
  }

  /** The short path of update(): undefined when it does not apply (an instance gone, unhealthy, or its Type's contract broken). */
  private rebindOnly(last: NonNullable<Builder['last']>, ids: readonly string[]): Build | undefined {
    const previous = last.build;
    const entries = new Map(previous.manifest.entries);
    const manifest: Manifest = { entries, diagnostics: previous.manifest.diagnostics };
    const configs = new Map(previous.configs);
    for (const id of ids) {
      const old = entries.get(id);
      const type = old?.typeChain[0] !== undefined ? entries.get(old.typeChain[0]) : undefined;
      if (!old?.definition || old.kind !== 'instance' || !type || isQuarantined(type) || last.unbound.get(id)?.some(isError)) return undefined;
      const diagnostics = new DiagnosticCollector({ fullName: id, file: old.definition.file });
      diagnostics.add(last.unbound.get(id) ?? []);
      const entry: ManifestEntry = { ...old, diagnostics };
      entries.set(id, entry);
      const rebound = this.binder.rebind(manifest, entry);
      if (!rebound) return undefined;
      if (rebound.bound) configs.set(id, rebound.bound);
      else configs.delete(id);
    }
    const build: Build = { manifest, classes: previous.classes, configs, diagnostics: this.collect(manifest), onlyChanged: ids };
    this.last = { build, unbound: last.unbound };
    return build;
  }

  /** Layer problems, then those of no single entry, then each entry's in id order of the manifest. */
  private collect(manifest: Manifest): readonly Diagnostic[] {
    const diagnostics = [...this.layerDiagnostics, ...manifest.diagnostics.list];
    for (const entry of manifest.entries.values()) {
      const list = entry.diagnostics.list;
      for (let i = 0; i < list.length; i++) diagnostics.push(list[i]!);
    }
    return Object.freeze(diagnostics);
  }

  private scan(layer: Layer): Array<{ relDir: string; fullName: string; eJson: string }> {
    return scanLayer(layer).map((relDir) => ({ relDir, fullName: toFullName(relDir), eJson: join(layer.root, relDir, 'e.json') }));
  }

  private readDefinition(layer: Layer, relDir: string, fullName: string, eJson: string): DefinitionRead {
    const jsonRead = this.files.read(eJson, fullName);
    const cached = this.definitions.get(jsonRead);
    if (cached) return cached;
    const read = readDefinition(layer, relDir, () => jsonRead);
    this.definitions.set(jsonRead, read);
    return read;
  }
}
