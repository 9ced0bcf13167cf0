import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { AuthCodes } from '../runtime/auth/auth-errors.js';
import { declaredCodes, RuntimeCodes, statusFor } from '../runtime/errcode.js';
import { HttpCodes } from '../runtime/http/http-errors.js';
import { feishuMapping, FSInnerCodes } from '../elements/auths/loginTypes/FSInnerType/feishu-errors.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const CATALOGUES: Record<string, Record<string, number>> = { RuntimeCodes, HttpCodes, AuthCodes, FSInnerCodes };

/** The rows of the Markdown table whose header line is `header`, split into trimmed cells. */
function table(header: string): string[][] {
  const start = README.indexOf(`${header}\n`);
  expect(start).toBeGreaterThan(-1);
  const rows = README.slice(start).split('\n').slice(2);
  return rows.slice(0, rows.findIndex((line) => !line.startsWith('|'))).map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

/** Each row's code, name and HTTP status are what the catalogue declares. */
function expectDeclared(rows: string[][]): void {
  for (const [code, name, status] of rows) {
    const [catalogue, key] = name!.replace(/`/g, '').split('.');
    expect([name, CATALOGUES[catalogue!]?.[key!], statusFor(Number(code))]).toEqual([name, Number(code), Number(status)]);
  }
}

test("the README's table of the runtime's Codes lists every one, as declared", () => {
  const rows = table('| code | name | HTTP | raised when |');
  expectDeclared(rows);
  const runtimeOwn = declaredCodes().filter((d) => ['runtime', 'http', 'auth'].includes(d.namespace)).map((d) => d.code);
  expect(rows.map(([code]) => Number(code))).toEqual(runtimeOwn);
});

test("the README's table of the Feishu login's Codes lists every one, as declared and mapped", () => {
  const rows = table('| code | name | HTTP | meaning | from Feishu codes |');
  expectDeclared(rows);
  expect(Object.values(FSInnerCodes).every((code) => rows.some(([c]) => Number(c) === code))).toBe(true);
  const mapped = new Map(feishuMapping().map((m) => [m.code as number, m.feishuCodes]));
  for (const [code, , , , from] of rows) {
    const listed = [...from!.replace(/\([^)]*\)/g, '').matchAll(/\b\d{5,}\b/g)].map(([n]) => Number(n));
    expect([code, listed]).toEqual([code, mapped.get(Number(code)) ?? []]);
  }
});
