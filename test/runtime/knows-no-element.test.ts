import { describe, expect, test } from '@jest/globals';
import fg from 'fast-glob';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The runtime knows no element by name: what it offers an element comes from
 * what the element declares (runtime/declarations/). Checked on the source,
 * code only — comments are free to give examples:
 *   1. no file under runtime/ imports (statically, dynamically, or as a type) from elements/;
 *   2. no string, template or regular expression in runtime/ names an element id of the
 *      official elements or the example apps, or one of their namespaces (auths.loginTypes).
 */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const elementsDir = join(repo, 'elements');
const runtimeFiles = fg.sync(['runtime/**/*.{ts,js,mjs}'], { cwd: repo, absolute: true }).sort();

function parse(file: string): ts.SourceFile {
  const kind = file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, kind);
}

function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}

/** Every module specifier a file names: import/export … from, import x = require(), import(), require(), import('…') types. */
function specifiersOf(source: ts.SourceFile): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) out.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  visit(source, (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
  });
  return out;
}

/** The text of every string, template part and regular expression in a file (never its comments). */
function literalsOf(source: ts.SourceFile): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  visit(source, (node) => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) text = node.text;
    else if (ts.isRegularExpressionLiteral(node)) text = node.text;
    if (text !== undefined) out.push({ text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  });
  return out;
}

/** Ids of the official elements and the example apps' elements (folders with an e.json), and their namespaces of two or more parts. */
function elementNames(): string[] {
  const ids = new Set<string>();
  for (const eJson of fg.sync(['elements/**/e.json', 'apps/*/**/e.json'], { cwd: repo, ignore: ['**/node_modules/**', '**/data/**'] })) {
    const parts = dirname(eJson).split('/').slice(eJson.startsWith('apps/') ? 2 : 1);
    for (let n = 2; n <= parts.length; n++) ids.add(parts.slice(0, n).join('.'));
  }
  return [...ids].sort();
}

/**
 * The first of `names` that `text` mentions as a whole dotted name ("auths.loginTypes" in
 * "auths.loginTypes.FSInnerExample", not in "xauths.loginTypes" or "auths.loginTypesX"),
 * also as a regular expression writes it ("auths\\.loginTypes").
 */
function mentioned(text: string, names: string[]): string | undefined {
  const escape = (n: string) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const spellings = names.flatMap((n) => [escape(n), escape(n.split('.').join('\\.'))]).sort((x, y) => y.length - x.length); // the longest name is the one reported
  return new RegExp(`(?<![A-Za-z0-9_.$])(?:${spellings.join('|')})(?![A-Za-z0-9_$])`).exec(text)?.[0];
}

describe('the runtime knows no element by name', () => {
  test('the scan sees the runtime and the element names it looks for', () => {
    expect(runtimeFiles.length).toBeGreaterThan(50);
    expect(runtimeFiles).toContain(join(repo, 'runtime/http/public/admin.js'));
    expect(elementNames()).toEqual(expect.arrayContaining(['auths.loginTypes', 'auths.loginTypes.Meta', 'auths.loginTypes.FSInnerType', 'auths.loginTypes.FSInnerExample']));
  });

  test('the checks catch what they are for, and nothing in comments', () => {
    const sample = ts.createSourceFile(
      'sample.ts',
      [
        "// import x from '../elements/auths/loginTypes/FSInnerType/index.js' and auths.loginTypes.Meta in a comment",
        "/** auths.loginTypes.FSInnerExample in a doc comment */",
        "import type { A } from '../../elements/a.js';",
        "export * from '../elements/b.js';",
        "const c = await import('../elements/c.js');",
        "type D = import('../elements/d.js').D;",
        "const e = 'auths.loginTypes.Meta';",
        'const f = `a ${x} then auths.loginTypes.FSInnerType`;',
        'const g = /^auths\\.loginTypes\\./;',
        "const h = 'xauths.loginTypes and auths.loginTypesX and auths only';",
      ].join('\n'),
      ts.ScriptTarget.Latest,
      true,
      ts.ScriptKind.TS,
    );
    expect(specifiersOf(sample).map((s) => s.text)).toEqual(['../../elements/a.js', '../elements/b.js', '../elements/c.js', '../elements/d.js']);
    const found = literalsOf(sample).filter((l) => mentioned(l.text, ['auths.loginTypes', 'auths.loginTypes.Meta']));
    expect(found.map((l) => l.line)).toEqual([7, 8, 9]);
  });

  test('nothing under runtime/ imports from elements/', () => {
    const offending: string[] = [];
    for (const file of runtimeFiles) {
      for (const { text, line } of specifiersOf(parse(file))) {
        if (!text.startsWith('.') && !text.startsWith('/')) continue; // a package
        const target = resolve(dirname(file), text);
        if (target === elementsDir || target.startsWith(elementsDir + sep)) offending.push(`${relative(repo, file)}:${line} imports ${text}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('no string in runtime/ names an element or its namespace', () => {
    const names = elementNames();
    const offending: string[] = [];
    for (const file of runtimeFiles) {
      for (const { text, line } of literalsOf(parse(file))) {
        const hit = mentioned(text, names);
        if (hit) offending.push(`${relative(repo, file)}:${line} names ${hit}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
