import { DiagnosticCollector } from '../diagnostics/collector.js';
import { suggestIds } from '../ids.js';
import type { DefinitionRead, ElementDefinition } from './definition.js';
import type { Layer } from './layers.js';

/**
 * Precedence, stated once (this file implements it):
 *
 *   - Layers are ordered nearest first (the app, its parents, the platform; see layers.ts).
 *   - The nearest definition of a fullName replaces farther ones wholesale; the
 *     replaced ones are kept, nearest first, in `shadowed`. What an override
 *     leaves out it inherits from them, then from its type (inherit.ts), and its
 *     class receives the shadowed class as its base, like `super`.
 *   - A `protected` definition cannot be replaced: the nearer one is rejected with
 *     OVERRIDE_PROTECTED and the protected one stays in effect.
 *   - A `private` definition is visible only when loading its own app: layers
 *     farther than 0 skip it as if absent.
 *   - Within one layer, ids are unique even ignoring letter case (DUPLICATE_ID).
 *   - Kinds follow from `type`: "" is a Meta; an element naming a Meta is a Type
 *     (it must bring a module); an element naming a Type is a Type when it brings
 *     a module of its own, otherwise an Instance. Type chains end at a Meta.
 */
export type ElementKind = 'meta' | 'type' | 'instance';

/** One id after precedence: the winning definition, what it shadows, its kind and type chain. */
export interface ResolvedEntry {
  readonly fullName: string;
  /** Undefined when the winning e.json could not be read; the entry is then quarantined. */
  readonly definition: ElementDefinition | undefined;
  readonly kind: ElementKind | undefined;
  /** Farther definitions this one replaces, nearest first. */
  readonly shadowed: readonly ElementDefinition[];
  /** The entry's type, its type's type, … ending at a Meta. Empty for a Meta. */
  readonly typeChain: readonly string[];
  /** This element's problems: every stage of the build reports them here (its context is the element and its e.json). */
  readonly diagnostics: DiagnosticCollector;
}

export interface ResolvedManifest {
  entries: Map<string, ResolvedEntry>;
  /** Problems that belong to no winning entry (rejected overrides, broken shadowed files). */
  diagnostics: DiagnosticCollector;
}

export type LayerReads = Array<{ layer: Layer; reads: Map<string, DefinitionRead> }>;

export const isQuarantined = (entry: ResolvedEntry): boolean => entry.definition === undefined || entry.diagnostics.hasErrors();

/** The entry while this stage classifies it; handed on read-only. */
type Resolving = { -readonly [K in keyof ResolvedEntry]: ResolvedEntry[K] };

export function resolveManifest(layerReads: LayerReads): ResolvedManifest {
  const entries = new Map<string, Resolving>();
  const manifestDiagnostics = new DiagnosticCollector();

  for (const { layer, reads } of [...layerReads].reverse()) {
    const seenLower = new Map<string, string>();
    const layerEntries: Resolving[] = [];
    for (const [fullName, read] of reads) {
      const definition = read.definition;
      if (definition && definition.accessModifier === 'private' && layer.index > 0) continue;
      const diagnostics = new DiagnosticCollector(definition ? { fullName, file: definition.file } : { fullName });
      diagnostics.add(read.diagnostics);
      const entry: Resolving = { fullName, definition, kind: undefined, shadowed: [], typeChain: [], diagnostics };
      const twin = seenLower.get(fullName.toLowerCase());
      if (twin !== undefined) {
        const message = `"${fullName}" and "${twin}" differ only in letter case within layer "${layer.name}".`;
        entry.diagnostics.report('DUPLICATE_ID', message);
        layerEntries.find((e) => e.fullName === twin)?.diagnostics.report('DUPLICATE_ID', message);
      }
      seenLower.set(fullName.toLowerCase(), fullName);
      layerEntries.push(entry);
    }
    for (const entry of layerEntries) {
      const farther = entries.get(entry.fullName);
      if (farther?.definition?.accessModifier === 'protected') {
        manifestDiagnostics.report('OVERRIDE_PROTECTED', `Layer "${layer.name}" overrides "${entry.fullName}", which layer "${farther.definition.layer.name}" marks protected; the override is ignored.`, {
          fullName: entry.fullName,
          file: entry.definition?.file ?? `${layer.root}/${entry.fullName.split('.').join('/')}/e.json`,
          pointer: '',
        });
        continue;
      }
      if (farther) {
        // Problems of the replaced definition still matter to whoever maintains that layer.
        manifestDiagnostics.add(farther.diagnostics.list);
        if (farther.definition) entry.shadowed = [farther.definition, ...farther.shadowed];
      }
      entries.set(entry.fullName, entry);
    }
  }

  for (const entry of entries.values()) classify(entry, entries);
  return { entries, diagnostics: manifestDiagnostics };
}

function classify(entry: Resolving, entries: Map<string, Resolving>): void {
  const definition = entry.definition;
  if (!definition) return;
  if (definition.type === '') {
    entry.kind = 'meta';
    return;
  }
  const at = { pointer: '/type' };
  const chain: string[] = [];
  const seen = new Set([entry.fullName]);
  let next = definition.type;
  for (;;) {
    if (seen.has(next)) {
      if (next === entry.fullName) {
        entry.diagnostics.report('TYPE_CYCLE', `Type chain loops: ${[entry.fullName, ...chain, next].join(' → ')}.`, at);
      } else {
        entry.typeChain = chain; // leads into a loop it is not part of: quarantined as a dependent
      }
      return;
    }
    const target = entries.get(next);
    if (!target) {
      const near = suggestIds(next, entries.keys());
      const hint = near.length ? `Did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : undefined;
      entry.diagnostics.report('UNKNOWN_TYPE', `Type "${next}" is not defined in any layer.`, hint ? { ...at, hint } : at);
      return;
    }
    chain.push(next);
    seen.add(next);
    if (!target.definition || target.definition.type === '') break;
    next = target.definition.type;
  }
  entry.typeChain = chain;
  const parent = entries.get(chain[0]!)!;
  const namesMeta = parent.definition?.type === '';
  if (parent.definition && isInstanceDefinition(parent.definition, entries)) {
    // An instance has no class and no config contract of its own: naming it as a type would only fail later, at getElement.
    entry.diagnostics.report('UNKNOWN_TYPE', `"${parent.fullName}" is an instance, not a Type or Meta; "type" must name a Type or Meta.`, at);
    return;
  }
  if (definition.backendBundleEntry !== undefined) entry.kind = 'type';
  else if (namesMeta) {
    entry.diagnostics.report('INSTANCE_OF_META', `"${entry.fullName}" names the Meta "${parent.fullName}" as its type but declares no "backendBundleEntry".`, at);
  } else entry.kind = 'instance';
}

/** What classify() makes an instance: no module of its own, naming something other than a Meta. */
function isInstanceDefinition(definition: ElementDefinition, entries: Map<string, ResolvedEntry>): boolean {
  return definition.type !== '' && definition.backendBundleEntry === undefined && entries.get(definition.type)?.definition?.type !== '';
}
