import { diagnostic, thrownMessage, type Diagnostic } from './diagnostics/diagnostic.js';
import { Element, type ElementClass, type ElementHost } from './element.js';
import { RuntimeErrors } from './errcode.js';
import type { Build } from './loader/build.js';
import type { BoundConfig } from './loader/config.js';
import type { ManifestEntry } from './loader/inherit.js';
import { isQuarantined } from './loader/resolve.js';
import type { ElementView } from './element-queries.js';

/**
 * A good, servable version of one element: what getElement hands out. Its
 * entry carries what it inherits as of the build it went live in (an
 * instance: its Type's functionList, the one its class came with).
 */
interface LiveElement {
  entry: ManifestEntry;
  cls: ElementClass | undefined;
  config: BoundConfig | undefined;
}

/** What the registry serves for one id: manifest data of the live version, not of the newest build (`lastGood`: the newest build has this id broken). */
export type ServedElement = ElementView;

export interface SwapResult {
  added: string[];
  changed: string[];
  removed: string[];
  /** Broken now, still serving their last good version. */
  kept: string[];
}

/**
 * The live elements of one app and their lazily created instances.
 * A swap replaces the live set in one step; an element broken by an edit keeps
 * its last good version, and instances whose definition, class or config
 * changed are closed and recreated on next use.
 */
export class Registry {
  private live = new Map<string, LiveElement>();
  /** Ids whose newest version is broken while their last good version serves (the last swap's `kept`). */
  private kept = new Set<string>();
  private readonly instances = new Map<string, Element>();
  private readonly creationErrors = new Map<string, Diagnostic>();

  constructor(private readonly host: ElementHost) {}

  /**
   * Installs a build. Diagnostics are left alone: the file cache hands the
   * same diagnostic objects to later builds, so "still serving the last good
   * version" is answered by isServingLastGood(), never written into them.
   */
  swap(build: Build): { result: SwapResult; closing: Element[] } {
    const result: SwapResult = { added: [], changed: [], removed: [], kept: [] };
    const closing: Element[] = [];
    if (build.onlyChanged) {
      // Every other entry is the very object already live: place only these (in place; a swap is synchronous).
      for (const id of build.onlyChanged) {
        this.kept.delete(id);
        this.place(id, build.manifest.entries.get(id)!, build, this.live, result, closing);
      }
      for (const id of result.kept) this.kept.add(id);
      return { result, closing };
    }
    const next = new Map<string, LiveElement>();
    for (const entry of build.manifest.entries.values()) this.place(entry.fullName, entry, build, next, result, closing);
    for (const id of this.live.keys()) {
      if (!next.has(id)) {
        result.removed.push(id);
        this.forget(id, closing);
      }
    }
    this.live = next;
    this.kept = new Set(result.kept);
    return { result, closing };
  }

  /** Puts the build's entry for `id` into `next`: the last good version when it is broken, the live one when nothing that matters changed. */
  private place(id: string, entry: ManifestEntry, build: Build, next: Map<string, LiveElement>, result: SwapResult, closing: Element[]): void {
    const previous = this.live.get(id);
    if (isQuarantined(entry)) {
      if (previous) {
        next.set(id, previous);
        result.kept.push(id);
      }
      return;
    }
    const cls = entry.kind === 'instance' ? build.classes.get(entry.typeChain[0]!) : build.classes.get(id);
    const config = build.configs.get(id);
    if (!previous) result.added.push(id);
    else if (previous.entry.definition !== entry.definition || previous.cls !== cls || previous.config !== config) {
      result.changed.push(id);
      this.forget(id, closing);
    } else {
      // Same element; fresher manifest data (a new object only when the entry is one).
      next.set(id, previous.entry === entry ? previous : { ...previous, entry });
      return;
    }
    next.set(id, { entry, cls, config });
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** True while the newest version of `id` is broken and its last good version is what getElement serves. */
  isServingLastGood(id: string): boolean {
    return this.kept.has(id);
  }

  /** The manifest data of what getElement serves for `id`; undefined when nothing good was ever loaded (or it was removed). */
  served(id: string): ServedElement | undefined {
    const live = this.live.get(id);
    return live ? { entry: live.entry, lastGood: this.kept.has(id) } : undefined;
  }

  /** The instance (created on first use) for an instance id; the class for a Type or Meta. */
  get(id: string): unknown {
    const existing = this.instances.get(id);
    if (existing) return existing;
    const live = this.live.get(id)!;
    if (live.entry.kind !== 'instance') return live.cls ?? Element;
    const definition = live.entry.definition!;
    try {
      const instance = new live.cls!({ host: this.host, definition, config: live.config?.value ?? Object.freeze({}) });
      this.instances.set(id, instance);
      this.creationErrors.delete(id);
      return instance;
    } catch (err) {
      const failure = { id, cause: thrownMessage(err) };
      const d = diagnostic('INSTANCE_CREATE_FAILED', RuntimeErrors.INSTANCE_CREATE_FAILED.format(failure), { fullName: id, file: definition.file });
      this.creationErrors.set(id, d);
      throw RuntimeErrors.INSTANCE_CREATE_FAILED.create(failure, { fullName: id, diagnostics: [d] });
    }
  }

  get diagnostics(): Diagnostic[] {
    return [...this.creationErrors.values()];
  }

  /** Instances to close when the app closes. */
  drain(): Element[] {
    const all = [...this.instances.values()];
    this.instances.clear();
    this.live.clear();
    this.kept.clear();
    return all;
  }

  private forget(id: string, closing: Element[]): void {
    const instance = this.instances.get(id);
    if (instance) closing.push(instance);
    this.instances.delete(id);
    this.creationErrors.delete(id);
  }
}
