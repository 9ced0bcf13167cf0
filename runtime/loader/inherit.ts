import type { ElementDefinition, FunctionSpec } from './definition.js';
import { TRANSLATED_LOCALES, type I18n, type I18nText, type TranslatedLocale } from './i18n.js';
import type { ResolvedEntry, ResolvedManifest } from './resolve.js';

/**
 * Inheritance, stated once (this file implements it; every reader takes the
 * resolved values from here, none walks definitions itself).
 *
 * An element's lineage is one walk over definitions, nearest first:
 *
 *     its own definition            apps/top    things/SubType      (the winner)
 *       → what it overrides,        apps/base   things/SubType      (`shadowed`)
 *         nearest first
 *     → the same for its type       apps/top    things/GreeterType
 *                                   @platform   things/GreeterType
 *     → … up the type chain,
 *       ending at the Meta          @platform   things/Meta
 *
 * Each inherited e.json property is the first value declared along the
 * lineage, else the runtime's default:
 *
 *     configFile           "{name}.json"
 *     configSchema         none (any config object is accepted)
 *     functionList         [] (nothing callable from outside)
 *     frontendBundleEntry  none (no browser panel)
 *     i18n                 English only (the e.json's title and description) — but see below
 *
 * `i18n` (titles and descriptions in other languages, i18n.ts) describes one
 * element, not its kind, so it walks only the element's own definitions
 * (itself, then what it overrides, nearest first; an instance too: its own,
 * not its Type's), and it is resolved per language: the nearest definition
 * that has a language gives that language's texts, the others may come from
 * further down. So an override adds or replaces one language and keeps the
 * rest; one that changes its English title should translate it as well.
 *
 * The class is built along the same walk: the Base a definition's module
 * receives in `extend(Base)` is the class of the next definition in the
 * lineage that brings a module (backendBundleEntry), else Element
 * (modules.ts). So an override subclasses what it overrides, and a Type
 * without an override subclasses its type.
 *
 * An instance declares none of these: it has its Type's values (and no
 * lineage of its own, since it has no class).
 *
 * Every value carries its provenance (`from`: the definition that declared
 * it; absent for a default), which `jit explain` shows.
 */

/** The definition a value came from. */
export interface Source {
  fullName: string;
  /** Name of its layer (app name, or @platform). */
  layer: string;
  /** Its e.json; paths in the value are relative to that folder. */
  file: string;
}

export interface Inherited<T> {
  readonly value: T;
  /** Who declared the value; absent when it is the runtime's default. */
  readonly from?: Source;
}

export interface InheritedProperties {
  /** Config file name template of the instances. */
  readonly configFile: Inherited<string>;
  /** Path of the instances' config JSON Schema, relative to `from`'s folder. */
  readonly configSchema: Inherited<string | undefined>;
  /** Methods callable from outside the process. */
  readonly functionList: Inherited<readonly FunctionSpec[]>;
  /** Browser module (e.g. a login panel), relative to `from`'s folder. */
  readonly frontendBundleEntry: Inherited<string | undefined>;
}

/**
 * An element's texts in other languages (see the header): for each language, those of the nearest of its
 * definitions (`definitionsOf`: itself, then what it overrides) that has that language.
 */
export function resolveI18n(definitions: readonly ElementDefinition[]): I18n {
  const out: Partial<Record<TranslatedLocale, I18nText>> = {};
  for (const locale of TRANSLATED_LOCALES) {
    const owner = definitions.find((d) => d.i18n?.[locale] !== undefined);
    if (owner) out[locale] = owner.i18n![locale]!;
  }
  return out;
}

/** The e.json properties that inherit, with their defaults. */
export const INHERITED_DEFAULTS = {
  configFile: '{name}.json',
  configSchema: undefined,
  functionList: [] as readonly FunctionSpec[],
  frontendBundleEntry: undefined,
} as const;

export type InheritedName = keyof typeof INHERITED_DEFAULTS;
const NAMES = Object.keys(INHERITED_DEFAULTS) as InheritedName[];

export interface ManifestEntry extends ResolvedEntry {
  readonly inherited: InheritedProperties;
  /** The walk above, for a Type or Meta (its class is built along it); empty for an instance or an unreadable entry. */
  readonly lineage: readonly ElementDefinition[];
}

export interface Manifest {
  entries: Map<string, ManifestEntry>;
  diagnostics: ResolvedManifest['diagnostics'];
}

const NOTHING: readonly ElementDefinition[] = Object.freeze([]);
const DEFAULTS: InheritedProperties = Object.freeze(Object.fromEntries(NAMES.map((name) => [name, Object.freeze({ value: INHERITED_DEFAULTS[name] })])) as unknown as InheritedProperties);

/** Sources are per definition; definitions are cached across builds, so are these. */
const sources = new WeakMap<ElementDefinition, Source>();
function sourceOf(definition: ElementDefinition): Source {
  let source = sources.get(definition);
  if (!source) {
    source = Object.freeze({ fullName: definition.fullName, layer: definition.layer.name, file: definition.file });
    sources.set(definition, source);
  }
  return source;
}

/** The stage after resolve: each entry with its lineage and inherited properties. */
export function inherit(resolved: ResolvedManifest): Manifest {
  const own = new Map<string, { lineage: readonly ElementDefinition[]; inherited: InheritedProperties }>();
  const ofType = (entry: ResolvedEntry) => {
    let found = own.get(entry.fullName);
    if (!found) {
      const lineage = lineageOf(entry, resolved.entries);
      found = { lineage, inherited: resolveProperties(lineage) };
      own.set(entry.fullName, found);
    }
    return found;
  };
  const entries = new Map<string, ManifestEntry>();
  for (const entry of resolved.entries.values()) {
    if (entry.kind === 'instance') {
      const type = resolved.entries.get(entry.typeChain[0]!);
      entries.set(entry.fullName, withInheritance(entry, NOTHING, type ? ofType(type).inherited : DEFAULTS));
    } else if (entry.definition) {
      const { lineage, inherited } = ofType(entry);
      entries.set(entry.fullName, withInheritance(entry, lineage, inherited));
    } else {
      entries.set(entry.fullName, withInheritance(entry, NOTHING, DEFAULTS));
    }
  }
  return { entries, diagnostics: resolved.diagnostics };
}

/** A new entry, every one of the same shape (a reload walks them all, and later stages read them in hot loops). */
const withInheritance = (entry: ResolvedEntry, lineage: readonly ElementDefinition[], inherited: InheritedProperties): ManifestEntry => ({
  fullName: entry.fullName,
  definition: entry.definition,
  kind: entry.kind,
  shadowed: entry.shadowed,
  typeChain: entry.typeChain,
  diagnostics: entry.diagnostics,
  inherited,
  lineage,
});

/** Own definition, what it overrides, then the same for each id of the type chain; stops where a definition is missing. */
function lineageOf(entry: ResolvedEntry, entries: ReadonlyMap<string, ResolvedEntry>): readonly ElementDefinition[] {
  const lineage: ElementDefinition[] = [];
  for (const id of [entry.fullName, ...entry.typeChain]) {
    const step = entries.get(id);
    if (!step?.definition) break;
    lineage.push(step.definition, ...step.shadowed);
  }
  return Object.freeze(lineage);
}

function resolveProperties(lineage: readonly ElementDefinition[]): InheritedProperties {
  const out: Partial<Record<InheritedName, Inherited<unknown>>> = {};
  for (const name of NAMES) {
    const owner = lineage.find((d) => d[name] !== undefined);
    out[name] = owner ? Object.freeze({ value: owner[name], from: sourceOf(owner) }) : DEFAULTS[name];
  }
  return Object.freeze(out) as InheritedProperties;
}
