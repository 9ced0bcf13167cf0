import { relative } from 'node:path';
import type { ElementCatalog, ElementInfo, Explanation } from '../element-queries.js';
import type { FunctionSpec } from '../loader/definition.js';
import type { Inherited } from '../loader/inherit.js';
import { formatDiagnostic } from '../diagnostics/diagnostic.js';

/** Meta → Type → Instance as an indented tree, each line with its kind, winning layer and overrides. */
export function renderTree(app: ElementCatalog): string {
  const elements = app.listElements();
  const children = new Map<string, ElementInfo[]>();
  const known = new Set(elements.map((e) => e.fullName));
  const roots: ElementInfo[] = [];
  for (const element of elements) {
    if (element.type === '' || !known.has(element.type)) roots.push(element);
    else children.set(element.type, [...(children.get(element.type) ?? []), element]);
  }
  const lines = [`app ${app.name} — layers: ${app.layers.map((l) => l.name).join(' → ')}`];
  const walk = (element: ElementInfo, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    lines.push(`${prefix}${branch}${describe(element)}`);
    const kids = children.get(element.fullName) ?? [];
    const nextPrefix = depth === 0 ? '' : prefix + (last ? '   ' : '│  ');
    kids.forEach((kid, i) => walk(kid, nextPrefix, i === kids.length - 1, depth + 1));
  };
  for (const root of roots) walk(root, '', true, 0);
  return lines.join('\n');
}

function describe(e: ElementInfo): string {
  const marks = [e.kind ?? 'unresolved', e.layer];
  if (e.overrides.length > 0) marks.push(`overrides ${e.overrides.join(', ')}`);
  if (e.accessModifier !== 'public') marks.push(e.accessModifier);
  if (e.quarantined) marks.push('BROKEN');
  if (e.keptLastGood) marks.push('newest edit BROKEN, serving last good');
  return `${e.fullName}  [${marks.join(' · ')}]`;
}

export function renderDiagnostics(app: ElementCatalog): string {
  const base = app.dir;
  const rel = (file: string) => relative(base, file) || file;
  return app.diagnostics.map((d) => formatDiagnostic(d, rel)).join('\n');
}

export function renderExplanation(e: Explanation): string {
  const lines = [
    `${e.fullName} — ${e.title}`,
    `  kind:      ${e.kind ?? 'unresolved'}`,
    `  defined:   layer ${e.layer} (${e.file})`,
    `  shadows:   ${e.shadowed.length ? e.shadowed.map((s) => `${s.layer} (${s.file})`).join(', ') : 'nothing'}`,
    `  typeChain: ${e.typeChain.length ? e.typeChain.join(' → ') : '(a Meta)'}`,
    `  access:    ${e.accessModifier}`,
    ...inheritedLines(e),
    `  status:    ${e.quarantined ? 'BROKEN' : e.keptLastGood ? 'newest edit BROKEN, serving the last good version' : 'ok'}`,
  ];
  for (const d of e.diagnostics) lines.push(formatDiagnostic(d).replace(/^/gm, '  '));
  return lines.join('\n');
}

/** One line per inherited property: its value and the definition it came from (loader/inherit.ts). */
function inheritedLines(e: Explanation): string[] {
  const shown = (value: unknown): string => (value === undefined ? 'none' : Array.isArray(value) ? value.map((f: FunctionSpec) => f.name).join(', ') || 'none' : String(value));
  return Object.entries(e.inherited).map(([name, { value, from }]: [string, Inherited<unknown>], i) => {
    const source = from ? `from ${from.fullName}, layer ${from.layer}` : 'default';
    return `  ${i === 0 ? 'inherits:  ' : '           '}${name} ${shown(value)} (${source})`;
  });
}
