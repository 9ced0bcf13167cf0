import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ElementClass } from '../element.js';
import { ConfigBinder, type BoundConfig, type Env } from './config.js';
import { readDefinition, type DefinitionRead } from './definition.js';
import { FileCache } from './file-cache.js';
import { inherit, type Manifest } from './inherit.js';
import type { JsonRead } from './json-file.js';
import type { Layer } from './layers.js';
import { ClassBuilder, type ModuleImporter } from './modules.js';
import { propagateQuarantine } from './quarantine.js';
import { resolveManifest, type LayerReads } from './resolve.js';
import { scanLayer, toFullName } from './scan.js';

/** Everything one pass of the pipeline produces; the registry swaps it in whole. */
export interface Build {
  readonly manifest: Manifest;
  readonly classes: Map<string, ElementClass>;
  readonly configs: Map<string, BoundConfig>;
  /** Layer problems, then those of no single entry, then each entry's in id order of the manifest. */
  readonly diagnostics: readonly Diagnostic[];
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
    const configs = this.binder.bindAll(manifest);
    propagateQuarantine(manifest.entries);
    const diagnostics = [...this.layerDiagnostics, ...manifest.diagnostics.list];
    for (const entry of manifest.entries.values()) diagnostics.push(...entry.diagnostics.list);
    return { manifest, classes, configs, diagnostics: Object.freeze(diagnostics) };
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
