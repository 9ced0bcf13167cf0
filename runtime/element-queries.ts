import { isError, type Diagnostic } from './diagnostics/diagnostic.js';
import { RuntimeErrors, type Code } from './errcode.js';
import { isFullName, suggestIds } from './ids.js';
import type { Build } from './loader/build.js';
import type { AccessModifier, ElementDefinition, FunctionSpec } from './loader/definition.js';
import type { InheritedProperties, ManifestEntry } from './loader/inherit.js';
import type { Layer } from './loader/layers.js';
import { isQuarantined, type ElementKind } from './loader/resolve.js';

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
  /** Its inherited functionList (an instance: its Type's); see inherit.ts. */
  functionList: readonly FunctionSpec[];
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
  /** Every inherited e.json property with the definition it came from (`from`; none for a default). */
  inherited: InheritedProperties;
  diagnostics: Diagnostic[];
}

/** One id as described: its manifest entry, and whether that is the last good version of a now broken element. */
export interface ElementView {
  entry: ManifestEntry;
  lastGood: boolean;
}

/**
 * The read-only questions about an app's elements, answered from manifest
 * data alone. A loaded App (from what it serves) and a manifest read without
 * a database (manifest.ts) both answer them; tools that only read (jit ls,
 * validate, explain, new, the admin form) need no more than this.
 */
export interface ElementCatalog {
  readonly name: string;
  readonly title: string;
  readonly dir: string;
  readonly layers: Layer[];
  readonly diagnostics: Diagnostic[];
  getElementDefine(id: string): ElementInfo | undefined;
  listElements(filter?: ElementFilter): ElementInfo[];
  functionList(id: string): readonly FunctionSpec[];
  inherited(id: string): InheritedProperties | undefined;
  definitionsOf(id: string): ElementDefinition[];
  explain(id: string): Explanation | undefined;
}

export interface ElementFilter {
  /** Keep those whose type chain includes it (a Meta lists its Types and their instances). */
  type?: string;
  kind?: ElementKind;
}

/** The answers of ElementCatalog, given the ids of the newest build and how one id is viewed. */
export class ElementQueries {
  constructor(
    private readonly ids: () => Iterable<string>,
    private readonly view: (id: string) => ElementView | undefined,
    private readonly diagnostics: () => readonly Diagnostic[],
  ) {}

  getElementDefine(id: string): ElementInfo | undefined {
    const view = this.viewOf(id);
    return view ? describe(view) : undefined;
  }

  /** Elements in id order. */
  listElements(filter: ElementFilter = {}): ElementInfo[] {
    const out: ElementInfo[] = [];
    for (const id of this.ids()) {
      const view = this.view(id);
      if (!view) continue;
      if (filter.type !== undefined && !view.entry.typeChain.includes(filter.type)) continue;
      if (filter.kind !== undefined && view.entry.kind !== filter.kind) continue;
      out.push(describe(view));
    }
    return out.sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  /** The methods callable from outside the process: the inherited functionList (an instance's is its Type's, as of the version served). */
  functionList(id: string): readonly FunctionSpec[] {
    return this.viewOf(id)?.entry.inherited.functionList.value ?? [];
  }

  inherited(id: string): InheritedProperties | undefined {
    return this.viewOf(id)?.entry.inherited;
  }

  /** The definition of an id and what it overrides, nearest first. */
  definitionsOf(id: string): ElementDefinition[] {
    const view = this.viewOf(id);
    return view ? [view.entry.definition!, ...view.entry.shadowed] : [];
  }

  /** Which layer won for this id, what it shadows, its type chain, what it inherits from whom, and its problems. */
  explain(id: string): Explanation | undefined {
    const view = this.viewOf(id);
    if (!view) return undefined;
    return {
      ...describe(view),
      shadowed: view.entry.shadowed.map((d) => ({ layer: d.layer.name, file: d.file })),
      typeChain: [...view.entry.typeChain],
      inherited: view.entry.inherited,
      diagnostics: this.diagnostics().filter((d) => d.fullName === id),
    };
  }

  private viewOf(id: string): ElementView | undefined {
    return isFullName(id) ? this.view(id) : undefined;
  }
}

function describe(view: ElementView): ElementInfo {
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
    functionList: entry.inherited.functionList.value,
    overrides: entry.shadowed.map((s) => s.layer.name),
    // A served version is good by construction (the registry only takes unquarantined entries live).
    quarantined: !view.lastGood && isQuarantined(entry),
    keptLastGood: view.lastGood,
  };
  if (d.description !== undefined) out.description = d.description;
  return out;
}

/**
 * Why nothing is served for `id`, as the Code getElement throws:
 * INVALID_ELEMENT_ID for a malformed id, ELEMENT_QUARANTINED (with its
 * diagnostics) for one that failed to load, ELEMENT_NOT_FOUND (with the
 * nearest ids as suggestions) for an unknown one.
 */
export function notServed(build: Build, app: string, id: string): Code {
  if (!isFullName(id)) return RuntimeErrors.INVALID_ELEMENT_ID.create({ id: String(id) });
  const entry = build.manifest.entries.get(id);
  if (entry) {
    const problems = entry.diagnostics.list.filter(isError);
    return RuntimeErrors.ELEMENT_QUARANTINED.create({ id, problems: problems.map((d) => d.message).join(' ') }, { fullName: id, diagnostics: problems });
  }
  const suggestions = suggestIds(id, build.manifest.entries.keys());
  const suggestion = suggestions.length ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : '';
  return RuntimeErrors.ELEMENT_NOT_FOUND.create({ id, app, suggestion }, { fullName: id, suggestions });
}
