import { diagnostic, thrownMessage, type Diagnostic } from './diagnostics/diagnostic.js';
import { Element, type ElementClass, type ElementHost } from './element.js';
import { Code, RuntimeCodes } from './errcode.js';
import type { Build } from './loader/build.js';
import type { BoundConfig } from './loader/config.js';
import { isQuarantined, type ManifestEntry } from './loader/resolve.js';

/** A good, servable version of one element: what getElement hands out. */
interface LiveElement {
  entry: ManifestEntry;
  cls: ElementClass | undefined;
  config: BoundConfig | undefined;
}

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
  private readonly instances = new Map<string, Element>();
  private readonly creationErrors = new Map<string, Diagnostic>();

  constructor(private readonly host: ElementHost) {}

  swap(build: Build): { result: SwapResult; closing: Element[] } {
    const next = new Map<string, LiveElement>();
    const result: SwapResult = { added: [], changed: [], removed: [], kept: [] };
    const closing: Element[] = [];
    for (const entry of build.manifest.entries.values()) {
      const previous = this.live.get(entry.fullName);
      if (isQuarantined(entry)) {
        if (previous) {
          next.set(entry.fullName, previous);
          result.kept.push(entry.fullName);
          for (const d of entry.diagnostics) d.keptLastGood = true;
        }
        continue;
      }
      const cls = entry.kind === 'instance' ? build.classes.get(entry.typeChain[0]!) : build.classes.get(entry.fullName);
      const candidate: LiveElement = { entry, cls, config: build.configs.get(entry.fullName) };
      if (!previous) result.added.push(entry.fullName);
      else if (previous.entry.definition !== entry.definition || previous.cls !== cls || previous.config !== candidate.config) {
        result.changed.push(entry.fullName);
        this.forget(entry.fullName, closing);
      } else {
        next.set(entry.fullName, { ...previous, entry }); // same element, fresher manifest data
        continue;
      }
      next.set(entry.fullName, candidate);
    }
    for (const id of this.live.keys()) {
      if (!next.has(id)) {
        result.removed.push(id);
        this.forget(id, closing);
      }
    }
    this.live = next;
    return { result, closing };
  }

  has(id: string): boolean {
    return this.live.has(id);
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
      const d = diagnostic('INSTANCE_CREATE_FAILED', `Creating "${id}" failed: ${thrownMessage(err)}`, { fullName: id, file: definition.file });
      this.creationErrors.set(id, d);
      throw new Code(RuntimeCodes.INSTANCE_CREATE_FAILED, d.message, { fullName: id, diagnostics: [d] });
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
    return all;
  }

  private forget(id: string, closing: Element[]): void {
    const instance = this.instances.get(id);
    if (instance) closing.push(instance);
    this.instances.delete(id);
    this.creationErrors.delete(id);
  }
}
